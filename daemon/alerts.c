/* The alerts object and its driver: timers, settings, and one evaluation
 * from reading the stored state, through the figures of every target, to
 * saving the rows and starting a delivery (alerts_internal.h). */
#include "alerts.h"

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "catalog.h"
#include "config.h"
#include "days.h"
#include "log.h"
#include "period.h"
#include "store.h"
#include "wallclock.h"
#include "webhook.h"
#include "xmalloc.h"

/* ---- settings ---- */

struct alerts_settings alerts_settings_of(const struct alerts *a)
{
	const struct alerts_config *c = &a->cfg->alerts;
	struct alerts_settings s = {.interval = 300, .pacing = PACING_LINEAR};
	double threshold = 0.9;
	if (c->present) {
		s.interval = c->evaluate_interval;
		if (c->pacing)
			(void)pacing_mode_parse(c->pacing, &s.pacing);
		threshold = c->threshold;
	}
	/* The threshold is a configuration ratio in (0, 1], read with strtod;
	 * six decimals of it are what the comparison uses, exactly. */
	char text[32];
	snprintf(text, sizeof(text), "%.6f", threshold);
	if (!dec_parse(text, &s.threshold))
		s.threshold = dec_from_int(1);
	return s;
}

const char *alerts_center_label(const struct target_year *ty)
{
	return ty->center ? ty->center : "all";
}

json_t *alerts_json_time(time_t t)
{
	char buf[32];
	if (!t)
		return json_null();
	wallclock_format_utc(t, buf, sizeof(buf));
	return json_string(buf);
}

/* ---- one evaluation ---- */

static void evaluation_free(struct evaluation *ev)
{
	if (!ev)
		return;
	targets_free(ev->targets);
	free(ev->entries);
	free(ev->queries);
	free(ev->computed);
	free(ev->days);
	free(ev->first);
	for (size_t i = 0; i < ev->nstored; i++) {
		free(ev->stored[i].center);
		free(ev->stored[i].indicator);
		free(ev->stored[i].alertname);
	}
	free(ev->stored);
	json_decref(ev->rows);
	alerts_series_free(ev->series, ev->nseries);
	free(ev);
}

static void evaluation_end(struct evaluation *ev, bool ok)
{
	struct alerts *a = ev->a;
	alerts_done_cb done = ev->done;
	void *arg = ev->done_arg;
	if (ok) {
		alerts_series_free(a->series, a->nseries);
		a->series = ev->series;
		a->nseries = ev->nseries;
		a->firing = ev->firing;
		ev->series = NULL;
		ev->nseries = 0;
	}
	a->running = NULL;
	evaluation_free(ev);
	if (a->again) {
		a->again = false;
		alerts_poke(a);
	}
	if (ok)
		alerts_deliver(a, done, arg);
	else if (done)
		done(false, arg);
}

static void on_saved(bool ok, void *arg) { evaluation_end(arg, ok); }

static void next_entry(struct evaluation *ev);

static void on_entry_figures(enum indicators_status status, const struct indicator_figure *figs,
			     size_t n, void *arg);

/* Each indicator's figure over its own days: this year's to today and the
 * same days last year, or (a closed year, last_year pacing's totals) last
 * year's whole period. */
static void fetch_entry(struct evaluation *ev, bool last_year_totals)
{
	const struct target_year *ty = ev->entries[ev->next];
	for (size_t i = 0; i < ev->ncomputed; i++) {
		const struct indicator_days *d = &ev->days[i];
		struct indicator_query *q = &ev->queries[i];
		if (ty->year < ev->year || last_year_totals) {
			q->period[0] = q->period[2] = d->last_from;
			q->period[1] = q->period[3] = d->last_to;
		} else {
			for (int k = 0; k < 4; k++)
				q->period[k] = d->per[k];
		}
	}
	indicators_fetch(ev->a->store, ty->center, ev->queries, ev->ncomputed, on_entry_figures,
			 ev);
}

/* The days of IND's figure in an evaluation of YEAR (this year, or the
 * one before: closed); false when its period of this year has not begun
 * (nothing is expected of it yet). */
static bool indicator_days_of(const struct evaluation *ev, int year, const struct indicator *ind,
			      struct indicator_days *d)
{
	struct period p, last;
	if (!period_of_year(ev->year - 1, ind->period_from, ind->period_to, ev->today_day, &last))
		return false; /* cannot happen: last year is over */
	memcpy(d->last_from, last.from_text, 11);
	memcpy(d->last_to, last.to_text, 11);
	if (year < ev->year)
		return true;
	if (!period_of_year(year, ind->period_from, ind->period_to, ev->today_day, &p))
		return false;
	memcpy(d->per[0], p.from_text, 11);
	memcpy(d->per[1], p.to_text, 11);
	memcpy(d->per[2], p.prev_from_text, 11);
	memcpy(d->per[3], p.prev_to_text, 11);
	/* How far through its period today is (the whole of it once over):
	 * the period uncut, as seen from after the year. */
	struct period whole;
	if (!period_of_year(year, ind->period_from, ind->period_to, days_from_civil(year + 1, 1, 1),
			    &whole))
		return false;
	d->day = (int)(p.to - p.from) + 1;
	d->days = (int)(whole.to - whole.from) + 1;
	return true;
}

static void on_entry_figures(enum indicators_status status, const struct indicator_figure *figs,
			     size_t n, void *arg)
{
	struct evaluation *ev = arg;
	if (status != INDICATORS_OK || n != ev->ncomputed) {
		log_warn("alerts: cannot read the figures");
		evaluation_end(ev, false);
		return;
	}
	const struct target_year *ty = ev->entries[ev->next];
	if (ty->year < ev->year) {
		for (size_t i = 0; i < n; i++)
			alerts_eval_missed(ev, ty, ev->computed[i], &figs[i]);
	} else if (ev->set.pacing == PACING_LAST_YEAR && !ev->first) {
		/* this year's figures first; last year's totals next */
		ev->first = xmalloc(n * sizeof(*figs));
		memcpy(ev->first, figs, n * sizeof(*figs));
		fetch_entry(ev, true);
		return;
	} else {
		for (size_t i = 0; i < n; i++)
			alerts_eval_pace(ev, ty, ev->computed[i], &ev->days[i],
					 ev->first ? &ev->first[i] : &figs[i],
					 ev->first ? &figs[i] : NULL);
	}
	free(ev->first);
	ev->first = NULL;
	ev->next++;
	next_entry(ev);
}

/* Before a metric's sources have loaded its figure is not known, and
 * judging a target on it would fire false alerts (an empty store is not a
 * missed target); nor is an unavailable metric's. */
static bool figures_known(const struct alerts *a, const struct metric_def *m)
{
	return !a->metric_ready || a->metric_ready(m, a->metric_ready_arg);
}

static void next_entry(struct evaluation *ev)
{
	if (ev->next == ev->nentries) {
		alerts_eval_close(ev);
		alerts_store_save(ev, on_saved);
		return;
	}
	const struct target_year *ty = ev->entries[ev->next];
	ev->ncomputed = 0;
	for (size_t i = 0; i < ty->nindicators; i++) {
		const struct indicator *ind = &ty->indicators[i];
		if (!ind->metric || !figures_known(ev->a, ind->metric) ||
		    !indicator_days_of(ev, ty->year, ind, &ev->days[ev->ncomputed]))
			continue;
		ev->computed[ev->ncomputed] = ind;
		ev->queries[ev->ncomputed++] =
		    (struct indicator_query){.metric = ind->metric, .filter = ind->filter};
	}
	if (ev->ncomputed == 0) {
		ev->next++;
		next_entry(ev);
		return;
	}
	fetch_entry(ev, false);
}

static void on_stored(bool ok, void *arg)
{
	struct evaluation *ev = arg;
	if (!ok) {
		evaluation_end(ev, false);
		return;
	}
	next_entry(ev);
}

/* Which year an evaluation at NOW is in, and its day in the centre's zone;
 * each indicator's days follow from them (indicator_days_of). */
static void set_days(struct evaluation *ev)
{
	ev->year = wallclock_day(ev->now, ev->today);
	if (!days_parse(ev->today, &ev->today_day))
		ev->today_day = days_from_civil(ev->year, 1, 1);
}

static void evaluate(struct alerts *a, alerts_done_cb done, void *arg)
{
	if (a->running || !store_is_ready(a->store)) {
		if (done)
			done(false, arg);
		return;
	}
	struct evaluation *ev = xcalloc(1, sizeof(*ev));
	ev->a = a;
	ev->set = alerts_settings_of(a);
	ev->done = done;
	ev->done_arg = arg;
	ev->now = wallclock_now(a->clock);
	set_days(ev);

	/* This year's entries are paced; last year's judged as missed or met. */
	ev->targets = targets_retain(a->targets);
	ev->rows = json_array();
	size_t most = 0, nentries = 0, series = 0;
	for (size_t i = 0; ev->targets && i < ev->targets->nyears; i++) {
		const struct target_year *ty = &ev->targets->years[i];
		if (ty->year != ev->year && ty->year != ev->year - 1)
			continue;
		nentries++;
		if (ty->nindicators > most)
			most = ty->nindicators;
		if (ty->year == ev->year)
			series += ty->nindicators;
	}
	ev->entries = xcalloc(nentries, sizeof(*ev->entries));
	for (size_t i = 0; ev->targets && i < ev->targets->nyears; i++) {
		const struct target_year *ty = &ev->targets->years[i];
		if (ty->year == ev->year || ty->year == ev->year - 1)
			ev->entries[ev->nentries++] = ty;
	}
	ev->queries = xcalloc(most, sizeof(*ev->queries));
	ev->computed = xcalloc(most, sizeof(*ev->computed));
	ev->days = xcalloc(most, sizeof(*ev->days));
	ev->series = xcalloc(series, sizeof(*ev->series));
	a->running = ev;
	alerts_store_read(ev, on_stored);
}

/* ---- timers and the public side ---- */

static void arm(struct alerts *a)
{
	struct timeval tv = {.tv_sec = alerts_settings_of(a).interval, .tv_usec = 0};
	evtimer_add(a->timer, &tv);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct alerts *a = arg;
	evaluate(a, NULL, NULL);
	arm(a);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	alerts_deliver(arg, NULL, NULL);
}

struct alerts *alerts_new(struct event_base *base, struct store *store,
			  const struct wallclock *clock, const struct config *cfg,
			  struct targets *targets, alerts_metric_ready_fn metric_ready,
			  void *metric_ready_arg)
{
	struct alerts *a = xcalloc(1, sizeof(*a));
	a->base = base;
	a->store = store;
	a->clock = clock;
	a->cfg = cfg;
	a->targets = targets;
	a->metric_ready = metric_ready;
	a->metric_ready_arg = metric_ready_arg;
	a->timer = evtimer_new(base, on_timer, a);
	a->retry = evtimer_new(base, on_retry, a);
	alerts_deliver_configure(a);
	return a;
}

void alerts_start(struct alerts *a)
{
	struct timeval now = {0, 0};
	evtimer_add(a->timer, &now);
}

void alerts_reload(struct alerts *a, const struct config *cfg, struct targets *targets)
{
	a->cfg = cfg;
	a->targets = targets;
	alerts_deliver_configure(a);
	if (evtimer_pending(a->timer, NULL))
		arm(a);
}

void alerts_poke(struct alerts *a)
{
	if (a->running) {
		a->again = true;
		return;
	}
	if (!a->once && evtimer_pending(a->timer, NULL)) {
		struct timeval now = {0, 0};
		evtimer_add(a->timer, &now);
	}
}

void alerts_run_once(struct alerts *a, alerts_done_cb done, void *arg)
{
	a->once = true;
	evaluate(a, done, arg);
}

void alerts_free(struct alerts *a)
{
	if (!a)
		return;
	if (a->running) {
		a->running->done = NULL;
		evaluation_free(a->running);
	}
	event_free(a->timer);
	event_free(a->retry);
	webhook_free(a->webhook);
	free(a->webhook_url);
	json_decref(a->sent_keys);
	alerts_series_free(a->series, a->nseries);
	free(a);
}
