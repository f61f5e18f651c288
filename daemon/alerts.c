#include "alerts.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "config.h"
#include "days.h"
#include "figure_format.h"
#include "http.h"
#include "indicators.h"
#include "log.h"
#include "pacing.h"
#include "store.h"
#include "targets.h"
#include "webhook.h"

#define PACE_ALERT "GgzyTargetBehindPace"
#define MISSED_ALERT "GgzyTargetMissed"
/* A missed target is told once; Alertmanager lets it expire after a day. */
#define MISSED_LIFETIME (24 * 3600)
#define WEBHOOK_TIMEOUT 10
#define RETRY_MAX 60

/* What the store remembers of an alert. */
struct stored {
	int year;
	char *center, *indicator, *alertname;
	enum alert_state state;
	time_t since, starts_at, ends_at; /* 0: none */
	bool seen;			  /* touched by this evaluation */
};

/* One target's figures for /metrics. */
struct target_series {
	int year;
	char *center, *indicator;
	const char *metric;
	char target[64], completion[40], pace[40]; /* "" when undefined */
	enum alert_state state;
};

struct evaluation {
	struct alerts *a;
	time_t now;
	int year, day_of_year, days_in_year;
	char today[11], year_start[11], prev_start[11], prev_same_day[11], prev_end[11];
	char prev_year_start[11], prev_year_end[11]; /* the closed year Y-1 */
	struct targets *targets;
	/* entries of the targets file still to evaluate */
	const struct target_year **entries;
	size_t nentries, next;
	struct indicator_query *queries;
	const struct indicator **computed;
	size_t ncomputed;
	struct indicator_figure *first; /* this year's figures, kept while last
					 * year's totals are read */
	struct stored *stored;
	size_t nstored;
	json_t *rows;
	struct target_series *series;
	size_t nseries;
	size_t firing;
	alerts_done_cb done;
	void *done_arg;
};

struct alerts {
	struct app *app;
	struct event *timer, *retry;
	int retry_delay;
	struct webhook *webhook;
	char *webhook_url;
	struct evaluation *running;
	bool delivering;
	bool once;
	struct target_series *series;
	size_t nseries;
	size_t firing; /* alerts firing after the last evaluation */
	/* the delivery in flight */
	json_t *sent_keys;
	alerts_done_cb deliver_done;
	void *deliver_arg;
};

static void evaluate(struct alerts *a, alerts_done_cb done, void *arg);
static void deliver(struct alerts *a, alerts_done_cb done, void *arg);

/* ---- settings ---- */

static const struct alerts_config *settings(const struct alerts *a) { return &a->app->cfg->alerts; }

static long interval_seconds(const struct alerts *a)
{
	return settings(a)->present ? settings(a)->evaluate_interval : 300;
}

static enum pacing_mode pacing_of(const struct alerts *a)
{
	enum pacing_mode m = PACING_LINEAR;
	if (settings(a)->present && settings(a)->pacing)
		(void)pacing_mode_parse(settings(a)->pacing, &m);
	return m;
}

static struct dec threshold_of(const struct alerts *a)
{
	char text[32];
	struct dec d;
	snprintf(text, sizeof(text), "%.6f", settings(a)->present ? settings(a)->threshold : 0.9);
	if (!dec_parse(text, &d))
		d = dec_from_int(1);
	return d;
}

static void set_webhook(struct alerts *a)
{
	const char *url = settings(a)->present ? settings(a)->webhook : NULL;
	if (a->webhook_url && url && strcmp(a->webhook_url, url) == 0)
		return;
	if (a->delivering)
		return; /* swapped after the delivery in flight */
	webhook_free(a->webhook);
	a->webhook = NULL;
	free(a->webhook_url);
	a->webhook_url = url ? strdup(url) : NULL;
	if (url) {
		char err[256];
		a->webhook = webhook_new(a->app->base, url, WEBHOOK_TIMEOUT, err, sizeof(err));
		if (!a->webhook)
			log_error("alerts: %s", err);
	}
}

/* ---- time ---- */

static void iso_utc(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *json_time(time_t t)
{
	char buf[32];
	if (!t)
		return json_null();
	iso_utc(t, buf, sizeof(buf));
	return json_string(buf);
}

/* ---- the evaluation ---- */

static void series_free(struct target_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].center);
		free(s[i].indicator);
	}
	free(s);
}

static void evaluation_free(struct evaluation *ev)
{
	if (!ev)
		return;
	targets_free(ev->targets);
	free(ev->entries);
	free(ev->queries);
	free(ev->computed);
	free(ev->first);
	for (size_t i = 0; i < ev->nstored; i++) {
		free(ev->stored[i].center);
		free(ev->stored[i].indicator);
		free(ev->stored[i].alertname);
	}
	free(ev->stored);
	json_decref(ev->rows);
	series_free(ev->series, ev->nseries);
	free(ev);
}

static void evaluation_end(struct evaluation *ev, bool ok)
{
	struct alerts *a = ev->a;
	alerts_done_cb done = ev->done;
	void *arg = ev->done_arg;
	if (ok) {
		series_free(a->series, a->nseries);
		a->series = ev->series;
		a->nseries = ev->nseries;
		a->firing = ev->firing;
		ev->series = NULL;
		ev->nseries = 0;
	}
	a->running = NULL;
	evaluation_free(ev);
	if (ok)
		deliver(a, done, arg);
	else if (done)
		done(false, arg);
}

static struct stored *find_stored(struct evaluation *ev, int year, const char *center,
				  const char *indicator, const char *alertname)
{
	for (size_t i = 0; i < ev->nstored; i++) {
		struct stored *s = &ev->stored[i];
		if (s->year == year && strcmp(s->center, center) == 0 &&
		    strcmp(s->indicator, indicator) == 0 && strcmp(s->alertname, alertname) == 0)
			return s;
	}
	return NULL;
}

static const char *center_label(const struct target_year *ty)
{
	return ty->center ? ty->center : "all";
}

static json_t *labels_of(const struct target_year *ty, const struct indicator *ind,
			 const char *alertname)
{
	json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alertname", alertname, "metric",
			      ind->metric->name, "center", center_label(ty), "severity",
			      strcmp(alertname, MISSED_ALERT) == 0 ? "critical" : "warning",
			      "indicator", ind->name, "year", "");
	char year[8];
	snprintf(year, sizeof(year), "%d", ty->year);
	json_object_set_new(l, "year", json_string(year));
	for (int k = 0; k < LABEL_COUNT; k++)
		if (ind->filter[k])
			json_object_set_new(l, catalog_label_names[k], json_string(ind->filter[k]));
	return l;
}

static void add_row(struct evaluation *ev, const struct target_year *ty,
		    const struct indicator *ind, const char *alertname, enum alert_state state,
		    const struct stored *before, time_t ends_at_if_new, bool notify,
		    json_t *annotations, json_t *figures)
{
	enum alert_state was = before ? before->state : ALERT_OK;
	time_t since = before && before->state == state ? before->since : ev->now;
	time_t starts_at = before ? before->starts_at : 0, ends_at = before ? before->ends_at : 0;
	if (state == ALERT_FIRING && was != ALERT_FIRING) {
		starts_at = ev->now;
		ends_at = ends_at_if_new;
	} else if (state == ALERT_RESOLVED && was == ALERT_FIRING &&
		   strcmp(alertname, PACE_ALERT) == 0) {
		ends_at = ev->now;
	}
	json_t *row = json_pack(
	    "{s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "year",
	    ty->year, "center", ty->center ? ty->center : "", "indicator", ind->name, "alertname",
	    alertname, "metric", ind->metric->name, "state", alert_state_name(state), "since",
	    json_time(since), "starts_at", json_time(starts_at), "ends_at", json_time(ends_at),
	    "evaluated_at", json_time(ev->now), "labels", labels_of(ty, ind, alertname),
	    "annotations", annotations, "figures", figures, "notify", notify);
	json_array_append_new(ev->rows, row);
	ev->firing += state == ALERT_FIRING;
	if (state != was)
		log_info("alert %s %d/%s '%s': %s -> %s", alertname, ty->year, center_label(ty),
			 ind->name, alert_state_name(was), alert_state_name(state));
}

static void evaluate_pace(struct evaluation *ev, const struct target_year *ty,
			  const struct indicator *ind, const struct indicator_figure *now_fig,
			  const struct indicator_figure *total_fig)
{
	struct alerts *a = ev->a;
	struct frac actual = now_fig->value[0];
	bool from_last_year = false;
	struct frac share = pacing_share(
	    pacing_of(a), ev->day_of_year, ev->days_in_year, now_fig->value[1],
	    total_fig ? total_fig->value[0] : frac_of(dec_from_int(0)), &from_last_year);
	struct pace p = {0};
	bool evaluable = now_fig->defined[0];
	if (evaluable && !pacing_evaluate(ind->direction, ind->metric->kind == METRIC_RATE,
					  ind->target, actual, share, threshold_of(a), &p)) {
		log_warn("alerts: '%s': a figure is too large to pace", ind->name);
		evaluable = false;
	}
	const struct stored *before =
	    find_stored(ev, ty->year, ty->center ? ty->center : "", ind->name, PACE_ALERT);
	if (before)
		((struct stored *)before)->seen = true;
	enum alert_state was = before ? before->state : ALERT_OK;
	enum alert_state state = alert_state_next(was, evaluable && p.behind);
	bool notify = (state == ALERT_FIRING && was != ALERT_FIRING) ||
		      (state == ALERT_RESOLVED && was == ALERT_FIRING);

	struct dec completion;
	bool has_completion = evaluable && !dec_is_zero(ind->target) &&
			      frac_ratio(actual, frac_of(ind->target), RATIO_SCALE, &completion);
	char d_actual[64] = "—", d_expected[64] = "—", d_target[64], d_projected[64] = "—";
	if (evaluable) {
		figure_display(actual, true, ind->display_unit, d_actual, sizeof(d_actual));
		figure_display(p.expected, true, ind->display_unit, d_expected, sizeof(d_expected));
		if (p.has_projection)
			figure_display(p.projected, true, ind->display_unit, d_projected,
				       sizeof(d_projected));
	}
	figure_display(frac_of(ind->target), true, ind->display_unit, d_target, sizeof(d_target));
	char pace_text[40] = "—";
	if (p.has_ratio) {
		struct dec pct;
		if (dec_muldiv(p.ratio, dec_from_int(100), dec_from_int(1), dec_from_int(1), 1,
			       &pct))
			dec_format_trim(pct, pace_text, sizeof(pace_text));
		strcat(pace_text, "%");
	}
	const char *center = center_label(ty);
	bool lower = ind->direction == DIRECTION_LOWER;
	char summary[768], description[1024];
	snprintf(summary, sizeof(summary),
		 "%s（%s）%s：实际 %s，按进度应%s %s，全年目标 %s / %s (centre %s) is %s: "
		 "actual %s, expected %s %s by now, annual target %s",
		 ind->name, ty->center ? ty->center : "全部中心", lower ? "支出超进度" : "进度落后",
		 d_actual, lower ? "不超过" : "达到", d_expected, d_target, ind->metric->name,
		 center, lower ? "running ahead of its ceiling" : "behind pace", d_actual,
		 lower ? "at most" : "at least", d_expected, d_target);
	/* the threshold as configured, written once */
	char th[32];
	dec_format_trim(threshold_of(a), th, sizeof(th));
	snprintf(description, sizeof(description),
		 "%d年%s：进度比 %s（阈值 %s），按当前进度全年预计 %s；进度按%s计算。 / "
		 "%d %s: pace ratio %s (threshold %s), projected year end %s; pacing: %s.",
		 ty->year, ind->name, pace_text, th, d_projected,
		 from_last_year ? "上年同期占全年比例" : "时间进度", ty->year, ind->metric->name,
		 pace_text, th, d_projected,
		 from_last_year ? "share of last year's total by the same day"
				: "share of the year elapsed");
	json_t *annotations =
	    json_pack("{s:s, s:s}", "summary", summary, "description", description);
	json_t *figures = json_pack(
	    "{s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:{s:s, s:s, s:s, s:s}}", "target",
	    figure_json_target(ind->metric, ind->target), "actual",
	    evaluable ? figure_json(ind->metric, actual, true) : json_null(), "expected",
	    evaluable ? figure_json(ind->metric, p.expected, true) : json_null(), "projected",
	    evaluable && p.has_projection ? figure_json(ind->metric, p.projected, true)
					  : json_null(),
	    "pace_ratio", p.has_ratio ? figure_json_number(p.ratio, RATIO_SCALE) : json_null(),
	    "completion",
	    has_completion ? figure_json_number(completion, RATIO_SCALE) : json_null(), "pacing",
	    from_last_year ? "last_year" : "linear", "display", "actual", d_actual, "expected",
	    d_expected, "target", d_target, "projected", d_projected);
	add_row(ev, ty, ind, PACE_ALERT, state, before, 0, notify, annotations, figures);

	struct target_series *s = &ev->series[ev->nseries++];
	s->year = ty->year;
	s->center = strdup(center);
	s->indicator = strdup(ind->name);
	s->metric = ind->metric->name;
	dec_format(ind->target, s->target, sizeof(s->target));
	if (has_completion)
		dec_format(completion, s->completion, sizeof(s->completion));
	if (p.has_ratio)
		dec_format(p.ratio, s->pace, sizeof(s->pace));
	s->state = state;
}

static void evaluate_missed(struct evaluation *ev, const struct target_year *ty,
			    const struct indicator *ind, const struct indicator_figure *fig)
{
	const char *center = ty->center ? ty->center : "";
	struct stored *before = find_stored(ev, ty->year, center, ind->name, MISSED_ALERT);
	if (before)
		before->seen = true;
	bool missed = false;
	if (!fig->defined[0] || !pacing_missed(ind->direction, ind->target, fig->value[0], &missed))
		return;
	enum alert_state state;
	if (before)
		state = before->state == ALERT_FIRING && ev->now >= before->ends_at ? ALERT_RESOLVED
										    : before->state;
	else if (missed)
		state = ALERT_FIRING;
	else
		return;
	if (before && state == before->state) {
		ev->firing += state == ALERT_FIRING;
		return; /* nothing changed; the row stays as it is */
	}
	char d_actual[64], d_target[64];
	figure_display(fig->value[0], true, ind->display_unit, d_actual, sizeof(d_actual));
	figure_display(frac_of(ind->target), true, ind->display_unit, d_target, sizeof(d_target));
	bool lower = ind->direction == DIRECTION_LOWER;
	char summary[768];
	snprintf(summary, sizeof(summary),
		 "%d年%s（%s）未完成年度目标：实际 %s，目标 %s%s / %d %s (centre %s) missed its "
		 "annual target: actual %s, target %s %s",
		 ty->year, ind->name, ty->center ? ty->center : "全部中心", d_actual,
		 lower ? "不超过 " : "", d_target, ty->year, ind->metric->name, center_label(ty),
		 d_actual, lower ? "at most" : "at least", d_target);
	json_t *annotations = json_pack("{s:s, s:s}", "summary", summary, "description", summary);
	json_t *figures = json_pack("{s:o, s:o, s:{s:s, s:s}}", "target",
				    figure_json_target(ind->metric, ind->target), "actual",
				    figure_json(ind->metric, fig->value[0], true), "display",
				    "actual", d_actual, "target", d_target);
	add_row(ev, ty, ind, MISSED_ALERT, state, before, ev->now + MISSED_LIFETIME,
		state == ALERT_FIRING, annotations, figures);
}

/* Pace alerts of years that have closed end with them. */
static void close_past_years(struct evaluation *ev)
{
	for (size_t i = 0; i < ev->nstored; i++) {
		struct stored *s = &ev->stored[i];
		if (s->seen)
			continue;
		if (s->year >= ev->year || strcmp(s->alertname, PACE_ALERT) != 0 ||
		    (s->state != ALERT_FIRING && s->state != ALERT_PENDING)) {
			/* left alone (an indicator no longer in the targets file,
			 * say), still counted while it fires */
			ev->firing += s->state == ALERT_FIRING;
			continue;
		}
		bool was_firing = s->state == ALERT_FIRING;
		enum alert_state state = was_firing ? ALERT_RESOLVED : ALERT_OK;
		log_info("alert %s %d/%s '%s': the year closed: %s -> %s", PACE_ALERT, s->year,
			 *s->center ? s->center : "all", s->indicator, alert_state_name(s->state),
			 alert_state_name(state));
		/* Only the state moves; labels and annotations stay as last sent. */
		json_array_append_new(
		    ev->rows,
		    json_pack("{s:i, s:s, s:s, s:s, s:n, s:s, s:o, s:o, s:o, s:o, s:b}", "year",
			      s->year, "center", s->center, "indicator", s->indicator, "alertname",
			      s->alertname, "metric", "state", alert_state_name(state), "since",
			      json_time(ev->now), "starts_at", json_time(s->starts_at), "ends_at",
			      json_time(was_firing ? ev->now : s->ends_at), "evaluated_at",
			      json_time(ev->now), "notify", was_firing));
	}
}

static void next_entry(struct evaluation *ev);

static void on_saved(PGresult *res, const char *error, void *arg)
{
	(void)res;
	struct evaluation *ev = arg;
	if (error) {
		log_warn("alerts: cannot save the evaluation: %s", error);
		evaluation_end(ev, false);
		return;
	}
	evaluation_end(ev, true);
}

static void save(struct evaluation *ev)
{
	close_past_years(ev);
	char *text = json_dumps(ev->rows, JSON_COMPACT);
	const char *params[1] = {text};
	/* Rows of close_past_years carry no labels: keep the stored ones. */
	store_query_writer(
	    ev->a->app->store,
	    "SELECT ggzy.save_alerts(("
	    "SELECT json_agg(CASE WHEN r->'labels' IS NULL THEN r::jsonb || "
	    "jsonb_build_object('metric', a.metric, 'labels', a.labels, "
	    "'annotations', a.annotations, 'figures', a.figures) ELSE r::jsonb END) "
	    "FROM json_array_elements($1::json) r LEFT JOIN ggzy.alert a "
	    "ON a.year = (r->>'year')::int AND a.center = r->>'center' "
	    "AND a.indicator = r->>'indicator' AND a.alertname = r->>'alertname')::json)",
	    1, params, on_saved, ev);
	free(text);
}

static void on_entry_figures(enum indicators_status status, const struct indicator_figure *figs,
			     size_t n, void *arg);

static void fetch_entry(struct evaluation *ev, bool last_year_totals)
{
	const struct target_year *ty = ev->entries[ev->next];
	bool closed = ty->year < ev->year;
	const char *periods[4];
	if (closed) {
		periods[0] = periods[2] = ev->prev_year_start;
		periods[1] = periods[3] = ev->prev_year_end;
	} else if (last_year_totals) {
		periods[0] = periods[2] = ev->prev_start;
		periods[1] = periods[3] = ev->prev_end;
	} else {
		periods[0] = ev->year_start;
		periods[1] = ev->today;
		periods[2] = ev->prev_start;
		periods[3] = ev->prev_same_day;
	}
	indicators_fetch(ev->a->app->store, ty->center, periods, ev->queries, ev->ncomputed,
			 on_entry_figures, ev);
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
			evaluate_missed(ev, ty, ev->computed[i], &figs[i]);
	} else if (pacing_of(ev->a) == PACING_LAST_YEAR && !ev->first) {
		/* this year's figures first; last year's totals next */
		ev->first = malloc(n * sizeof(*figs));
		memcpy(ev->first, figs, n * sizeof(*figs));
		fetch_entry(ev, true);
		return;
	} else {
		for (size_t i = 0; i < n; i++)
			evaluate_pace(ev, ty, ev->computed[i], ev->first ? &ev->first[i] : &figs[i],
				      ev->first ? &figs[i] : NULL);
	}
	free(ev->first);
	ev->first = NULL;
	ev->next++;
	next_entry(ev);
}

static void next_entry(struct evaluation *ev)
{
	if (ev->next == ev->nentries) {
		save(ev);
		return;
	}
	const struct target_year *ty = ev->entries[ev->next];
	ev->ncomputed = 0;
	for (size_t i = 0; i < ty->nindicators; i++) {
		const struct indicator *ind = &ty->indicators[i];
		if (!ind->metric)
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

static void on_stored(PGresult *res, const char *error, void *arg)
{
	struct evaluation *ev = arg;
	if (error) {
		log_warn("alerts: cannot read the alert state: %s", error);
		evaluation_end(ev, false);
		return;
	}
	int n = PQntuples(res);
	ev->stored = calloc(n ? (size_t)n : 1, sizeof(*ev->stored));
	for (int i = 0; i < n; i++) {
		struct stored *s = &ev->stored[ev->nstored];
		if (!alert_state_parse(PQgetvalue(res, i, 4), &s->state))
			continue;
		s->year = atoi(PQgetvalue(res, i, 0));
		s->center = strdup(PQgetvalue(res, i, 1));
		s->indicator = strdup(PQgetvalue(res, i, 2));
		s->alertname = strdup(PQgetvalue(res, i, 3));
		s->since = (time_t)atoll(PQgetvalue(res, i, 5));
		s->starts_at = PQgetisnull(res, i, 6) ? 0 : (time_t)atoll(PQgetvalue(res, i, 6));
		s->ends_at = PQgetisnull(res, i, 7) ? 0 : (time_t)atoll(PQgetvalue(res, i, 7));
		ev->nstored++;
	}
	next_entry(ev);
}

static void evaluate(struct alerts *a, alerts_done_cb done, void *arg)
{
	if (a->running || !store_is_ready(a->app->store)) {
		if (done)
			done(false, arg);
		return;
	}
	struct evaluation *ev = calloc(1, sizeof(*ev));
	ev->a = a;
	ev->done = done;
	ev->done_arg = arg;
	ev->now = app_now(a->app);
	struct tm tm;
	localtime_r(&ev->now, &tm); /* TZ is the centre's zone (main.c) */
	ev->year = tm.tm_year + 1900;
	ev->day_of_year = tm.tm_yday + 1;
	ev->days_in_year =
	    (int)(days_from_civil(ev->year + 1, 1, 1) - days_from_civil(ev->year, 1, 1));
	int m = tm.tm_mon + 1, d = tm.tm_mday;
	days_format(days_from_civil(ev->year, m, d), ev->today);
	days_format(days_from_civil(ev->year, 1, 1), ev->year_start);
	days_format(days_from_civil(ev->year - 1, 1, 1), ev->prev_start);
	int pd = d > days_in_month(ev->year - 1, m) ? days_in_month(ev->year - 1, m) : d;
	days_format(days_from_civil(ev->year - 1, m, pd), ev->prev_same_day);
	days_format(days_from_civil(ev->year - 1, 12, 31), ev->prev_end);
	memcpy(ev->prev_year_start, ev->prev_start, sizeof(ev->prev_start));
	memcpy(ev->prev_year_end, ev->prev_end, sizeof(ev->prev_end));

	ev->targets = targets_retain(a->app->targets);
	ev->rows = json_array();
	size_t most = 0, nentries = 0;
	for (size_t i = 0; ev->targets && i < ev->targets->nyears; i++) {
		const struct target_year *ty = &ev->targets->years[i];
		if (ty->year == ev->year || ty->year == ev->year - 1) {
			nentries++;
			if (ty->nindicators > most)
				most = ty->nindicators;
		}
	}
	ev->entries = calloc(nentries ? nentries : 1, sizeof(*ev->entries));
	size_t series = 0;
	for (size_t i = 0; ev->targets && i < ev->targets->nyears; i++) {
		const struct target_year *ty = &ev->targets->years[i];
		if (ty->year == ev->year || ty->year == ev->year - 1)
			ev->entries[ev->nentries++] = ty;
		if (ty->year == ev->year)
			series += ty->nindicators;
	}
	ev->queries = calloc(most ? most : 1, sizeof(*ev->queries));
	ev->computed = calloc(most ? most : 1, sizeof(*ev->computed));
	ev->series = calloc(series ? series : 1, sizeof(*ev->series));
	a->running = ev;
	char year[8];
	snprintf(year, sizeof(year), "%d", ev->year);
	const char *params[1] = {year};
	store_query_writer(
	    a->app->store,
	    "SELECT year, center, indicator, alertname, state, "
	    "extract(epoch FROM since)::bigint, extract(epoch FROM starts_at)::bigint, "
	    "extract(epoch FROM ends_at)::bigint FROM ggzy.alert "
	    "WHERE year BETWEEN $1::int - 1 AND $1::int",
	    1, params, on_stored, ev);
}

/* ---- delivery ---- */

static void schedule_retry(struct alerts *a)
{
	a->retry_delay = a->retry_delay ? a->retry_delay * 2 : 1;
	long cap = interval_seconds(a) < RETRY_MAX ? interval_seconds(a) : RETRY_MAX;
	if (a->retry_delay > cap)
		a->retry_delay = (int)cap;
	struct timeval tv = {.tv_sec = a->retry_delay, .tv_usec = 0};
	evtimer_add(a->retry, &tv);
}

static void delivery_end(struct alerts *a, bool ok)
{
	alerts_done_cb done = a->deliver_done;
	void *arg = a->deliver_arg;
	a->deliver_done = NULL;
	a->delivering = false;
	json_decref(a->sent_keys);
	a->sent_keys = NULL;
	if (ok)
		a->retry_delay = 0;
	else if (!a->once)
		schedule_retry(a);
	set_webhook(a); /* a reload during the delivery */
	if (done)
		done(ok, arg);
}

static void on_acked(PGresult *res, const char *error, void *arg)
{
	(void)res;
	struct alerts *a = arg;
	if (error)
		log_warn("alerts: delivered, but cannot record it (will be sent again): %s", error);
	delivery_end(a, !error);
}

static void on_posted(bool ok, const char *detail, void *arg)
{
	struct alerts *a = arg;
	if (!ok) {
		log_warn("alerts: webhook %s: %s; retrying", a->webhook_url, detail);
		delivery_end(a, false);
		return;
	}
	log_info("alerts: delivered %zu alert(s) to %s", json_array_size(a->sent_keys),
		 a->webhook_url);
	char *keys = json_dumps(a->sent_keys, JSON_COMPACT);
	const char *params[1] = {keys};
	store_query_writer(
	    a->app->store,
	    "UPDATE ggzy.alert a SET delivered_seq = greatest(a.delivered_seq, k.seq) "
	    "FROM json_to_recordset($1::json) AS k(year int, center text, "
	    "indicator text, alertname text, seq bigint) "
	    "WHERE a.year = k.year AND a.center = k.center "
	    "AND a.indicator = k.indicator AND a.alertname = k.alertname",
	    1, params, on_acked, a);
	free(keys);
}

static void generator_url(const struct alerts *a, const char *year, const char *center, char *buf,
			  size_t len)
{
	const struct config *cfg = a->app->cfg;
	/* centre codes are digits in practice; anything else is left out */
	bool plain = *center && strspn(center, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					       "abcdefghijklmnopqrstuvwxyz-_") == strlen(center);
	snprintf(buf, len, "http://%s/api/v1/report?year=%s%s%s", cfg->listen, year,
		 plain ? "&center=" : "", plain ? center : "");
}

static void on_outbox(PGresult *res, const char *error, void *arg)
{
	struct alerts *a = arg;
	if (error) {
		log_warn("alerts: cannot read the alerts to send: %s", error);
		delivery_end(a, false);
		return;
	}
	int n = PQntuples(res);
	if (n == 0) {
		delivery_end(a, true);
		return;
	}
	time_t now = app_now(a->app);
	json_t *body = json_array();
	a->sent_keys = json_array();
	for (int i = 0; i < n; i++) {
		const char *year = PQgetvalue(res, i, 0), *center = PQgetvalue(res, i, 1);
		const char *alertname = PQgetvalue(res, i, 3), *state = PQgetvalue(res, i, 4);
		json_t *labels = json_loads(PQgetvalue(res, i, 5), 0, NULL);
		json_t *annotations = json_loads(PQgetvalue(res, i, 6), 0, NULL);
		time_t starts = (time_t)atoll(PQgetvalue(res, i, 7));
		time_t ends = PQgetisnull(res, i, 8) ? 0 : (time_t)atoll(PQgetvalue(res, i, 8));
		bool firing = strcmp(state, "firing") == 0;
		if (firing && strcmp(alertname, PACE_ALERT) == 0)
			/* Alertmanager keeps it until then unless re-sent, as
			 * Prometheus does: four evaluation intervals. */
			ends = now + 4 * interval_seconds(a);
		char url[512];
		generator_url(a, year, center, url, sizeof(url));
		json_array_append_new(body,
				      json_pack("{s:o, s:o, s:o, s:o, s:s}", "labels",
						labels ? labels : json_object(), "annotations",
						annotations ? annotations : json_object(),
						"startsAt", json_time(starts), "endsAt",
						json_time(ends), "generatorURL", url));
		json_array_append_new(a->sent_keys,
				      json_pack("{s:i, s:s, s:s, s:s, s:I}", "year", atoi(year),
						"center", center, "indicator",
						PQgetvalue(res, i, 2), "alertname", alertname,
						"seq", (json_int_t)atoll(PQgetvalue(res, i, 9))));
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	webhook_post(a->webhook, text, strlen(text), on_posted, a);
	free(text);
}

static void deliver(struct alerts *a, alerts_done_cb done, void *arg)
{
	if (!a->webhook || a->delivering || !store_is_ready(a->app->store)) {
		if (done)
			done(!a->webhook, arg);
		return;
	}
	evtimer_del(a->retry);
	a->delivering = true;
	a->deliver_done = done;
	a->deliver_arg = arg;
	/* Every firing pace alert (the periodic re-send), and every change
	 * not yet acknowledged (a new firing, a missed target, a resolution). */
	store_query_writer(a->app->store,
			   "SELECT year, center, indicator, alertname, state, labels::text, "
			   "annotations::text, extract(epoch FROM starts_at)::bigint, "
			   "extract(epoch FROM ends_at)::bigint, seq FROM ggzy.alert "
			   "WHERE (alertname = 'GgzyTargetBehindPace' AND state = 'firing') "
			   "OR (seq > delivered_seq AND state IN ('firing', 'resolved')) "
			   "ORDER BY year, center, indicator, alertname",
			   0, NULL, on_outbox, a);
}

/* ---- timers and the public side ---- */

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct alerts *a = arg;
	evaluate(a, NULL, NULL);
	struct timeval tv = {.tv_sec = interval_seconds(a), .tv_usec = 0};
	evtimer_add(a->timer, &tv);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	deliver(arg, NULL, NULL);
}

struct alerts *alerts_new(struct app *app)
{
	struct alerts *a = calloc(1, sizeof(*a));
	a->app = app;
	a->timer = evtimer_new(app->base, on_timer, a);
	a->retry = evtimer_new(app->base, on_retry, a);
	set_webhook(a);
	return a;
}

void alerts_start(struct alerts *a)
{
	struct timeval now = {0, 0};
	evtimer_add(a->timer, &now);
}

void alerts_reload(struct alerts *a)
{
	set_webhook(a);
	if (evtimer_pending(a->timer, NULL)) {
		struct timeval tv = {.tv_sec = interval_seconds(a), .tv_usec = 0};
		evtimer_add(a->timer, &tv);
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
	series_free(a->series, a->nseries);
	free(a);
}

void alerts_write_metrics(const struct alerts *a, struct evbuffer *out)
{
	static const struct {
		const char *name, *help;
	} series[] = {
	    {"ggzy_target_value", "annual target of an indicator of the targets file"},
	    {"ggzy_target_completion_ratio", "actual year to date / annual target"},
	    {"ggzy_target_pace_ratio", "actual year to date / expected by now (SPEC §8)"},
	};
	for (size_t k = 0; k < 3; k++) {
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", series[k].name,
				    series[k].help, series[k].name);
		for (size_t i = 0; a && i < a->nseries; i++) {
			const struct target_series *s = &a->series[i];
			const char *v = k == 0 ? s->target : k == 1 ? s->completion : s->pace;
			if (!*v)
				continue;
			evbuffer_add_printf(out, "%s{year=\"%d\",center=\"", series[k].name,
					    s->year);
			http_prom_escape(out, s->center);
			evbuffer_add(out, "\",indicator=\"", 13);
			http_prom_escape(out, s->indicator);
			evbuffer_add_printf(out, "\",metric=\"%s\"} %s\n", s->metric, v);
		}
	}
	evbuffer_add_printf(out,
			    "# HELP ggzy_alerts_firing target alerts firing now\n"
			    "# TYPE ggzy_alerts_firing gauge\nggzy_alerts_firing %zu\n",
			    a ? a->firing : 0);
}
