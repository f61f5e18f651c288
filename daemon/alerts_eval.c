/* What an evaluation decides for each target: its state, its annotations as
 * the reports write figures, and the row saved for it. No I/O here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "catalog.h"
#include "figure_format.h"
#include "log.h"
#include "xmalloc.h"

void alerts_series_free(struct target_series *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].center);
		free(s[i].indicator);
	}
	free(s);
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

static json_t *labels_of(const struct target_year *ty, const struct indicator *ind,
			 const char *alertname)
{
	char year[8];
	snprintf(year, sizeof(year), "%d", ty->year);
	json_t *l = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "alertname", alertname, "metric",
			      ind->metric->name, "center", alerts_center_label(ty), "severity",
			      strcmp(alertname, MISSED_ALERT) == 0 ? "critical" : "warning",
			      "indicator", ind->name, "year", year);
	for (int k = 0; k < LABEL_COUNT; k++)
		if (ind->filter[k])
			json_object_set_new(l, catalog_label_names[k], json_string(ind->filter[k]));
	return l;
}

/* The row of one alert for ggzy.save_alerts (sql/store/002_alerts.sql);
 * annotations and figures are stolen. */
struct row {
	const char *alertname;
	enum alert_state state;
	time_t starts_at, ends_at;
	bool notify; /* a change the receiver must hear of */
	json_t *annotations, *figures;
};

static void add_row(struct evaluation *ev, const struct target_year *ty,
		    const struct indicator *ind, const struct stored *before, const struct row *r)
{
	enum alert_state was = before ? before->state : ALERT_OK;
	time_t since = before && before->state == r->state ? before->since : ev->now;
	json_t *row = json_pack(
	    "{s:i, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "year",
	    ty->year, "center", ty->center ? ty->center : "", "indicator", ind->name, "alertname",
	    r->alertname, "metric", ind->metric->name, "state", alert_state_name(r->state), "since",
	    alerts_json_time(since), "starts_at", alerts_json_time(r->starts_at), "ends_at",
	    alerts_json_time(r->ends_at), "evaluated_at", alerts_json_time(ev->now), "labels",
	    labels_of(ty, ind, r->alertname), "annotations", r->annotations, "figures", r->figures,
	    "notify", r->notify);
	json_array_append_new(ev->rows, row);
	ev->firing += r->state == ALERT_FIRING;
	if (r->state != was)
		log_info("alert %s %d/%s '%s': %s -> %s", r->alertname, ty->year,
			 alerts_center_label(ty), ind->name, alert_state_name(was),
			 alert_state_name(r->state));
}

void alerts_eval_pace(struct evaluation *ev, const struct target_year *ty,
		      const struct indicator *ind, const struct indicator_days *days,
		      const struct indicator_figure *now_fig,
		      const struct indicator_figure *total_fig)
{
	struct frac actual = now_fig->value[0];
	bool from_last_year = false;
	struct frac share = pacing_share(ev->set.pacing, days->day, days->days, now_fig->value[1],
					 total_fig ? total_fig->value[0] : frac_of(dec_from_int(0)),
					 &from_last_year);
	struct pace p = {0};
	bool evaluable = now_fig->defined[0];
	/* A rate does not accumulate, nor does a stock (a level on a day):
	 * both are expected at the target all along. */
	bool level = ind->metric->kind == METRIC_RATE || ind->metric->total == TOTAL_STOCK;
	if (evaluable && !pacing_evaluate(ind->direction, level, ind->target, actual, share,
					  ev->set.threshold, &p)) {
		log_warn("alerts: '%s': a figure is too large to pace", ind->name);
		evaluable = false;
	}
	struct stored *before =
	    find_stored(ev, ty->year, ty->center ? ty->center : "", ind->name, PACE_ALERT);
	if (before)
		before->seen = true;
	enum alert_state was = before ? before->state : ALERT_OK;
	enum alert_state state = alert_state_next(was, evaluable && p.behind);
	struct row r = {.alertname = PACE_ALERT,
			.state = state,
			.starts_at = before ? before->starts_at : 0,
			.ends_at = before ? before->ends_at : 0};
	if (state == ALERT_FIRING && was != ALERT_FIRING) {
		r.starts_at = ev->now;
		r.ends_at = 0;
		r.notify = true;
	} else if (state == ALERT_RESOLVED && was == ALERT_FIRING) {
		r.ends_at = ev->now;
		r.notify = true;
	}

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
	const char *center = alerts_center_label(ty);
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
	dec_format_trim(ev->set.threshold, th, sizeof(th));
	snprintf(description, sizeof(description),
		 "%d年%s：进度比 %s（阈值 %s），按当前进度全年预计 %s；进度按%s计算。 / "
		 "%d %s: pace ratio %s (threshold %s), projected year end %s; pacing: %s.",
		 ty->year, ind->name, pace_text, th, d_projected,
		 from_last_year ? "上年同期占全年比例" : "时间进度", ty->year, ind->metric->name,
		 pace_text, th, d_projected,
		 from_last_year ? "share of last year's total by the same day"
				: "share of the year elapsed");
	r.annotations = json_pack("{s:s, s:s}", "summary", summary, "description", description);
	r.figures = json_pack(
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
	add_row(ev, ty, ind, before, &r);

	struct target_series *s = &ev->series[ev->nseries++];
	s->year = ty->year;
	s->center = xstrdup(center);
	s->indicator = xstrdup(ind->name);
	s->metric = ind->metric->name;
	dec_format(ind->target, s->target, sizeof(s->target));
	if (has_completion)
		dec_format(completion, s->completion, sizeof(s->completion));
	if (p.has_ratio)
		dec_format(p.ratio, s->pace, sizeof(s->pace));
	s->state = state;
}

/* The states of GgzyTargetMissed: firing while the figure misses its target
 * (Alertmanager keeps it for MISSED_LIFETIME, then it is resolved here too,
 * still missed: told once), resolved once the figure meets it. A
 * correction that meets the target resolves it, and the receiver hears so;
 * one that misses it again fires it again. */
void alerts_eval_missed(struct evaluation *ev, const struct target_year *ty,
			const struct indicator *ind, const struct indicator_figure *fig)
{
	const char *center = ty->center ? ty->center : "";
	struct stored *before = find_stored(ev, ty->year, center, ind->name, MISSED_ALERT);
	if (before)
		before->seen = true;
	bool missed = false;
	if (!fig->defined[0] || !pacing_missed(ind->direction, ind->target, fig->value[0], &missed))
		return; /* no figure (a rate over nothing): nothing to judge */
	struct row r = {.alertname = MISSED_ALERT};
	if (!before || before->state == ALERT_OK || before->state == ALERT_PENDING ||
	    (before->state == ALERT_RESOLVED && !before->missed)) {
		/* Not firing, and not told: fire when missed. */
		if (!missed && !before)
			return;
		r.state = missed ? ALERT_FIRING : before->state;
		r.notify = missed;
		r.starts_at = missed ? ev->now : before->starts_at;
		r.ends_at = missed ? ev->now + MISSED_LIFETIME : before->ends_at;
	} else if (!missed) {
		/* Firing, or told and expired: the target is met now. */
		r.state = ALERT_RESOLVED;
		r.notify = true;
		r.starts_at = before->starts_at;
		r.ends_at = ev->now;
	} else {
		/* Still missed: firing until its lifetime ends, then resolved
		 * (told once). */
		r.state = before->state == ALERT_FIRING && ev->now < before->ends_at
			      ? ALERT_FIRING
			      : ALERT_RESOLVED;
		r.starts_at = before->starts_at;
		r.ends_at = before->ends_at;
	}
	char d_actual[64], d_target[64];
	figure_display(fig->value[0], true, ind->display_unit, d_actual, sizeof(d_actual));
	figure_display(frac_of(ind->target), true, ind->display_unit, d_target, sizeof(d_target));
	bool lower = ind->direction == DIRECTION_LOWER;
	char summary[768];
	if (missed)
		snprintf(summary, sizeof(summary),
			 "%d年%s（%s）未完成年度目标：实际 %s，目标 %s%s / %d %s (centre %s) "
			 "missed its annual target: actual %s, target %s %s",
			 ty->year, ind->name, ty->center ? ty->center : "全部中心", d_actual,
			 lower ? "不超过 " : "", d_target, ty->year, ind->metric->name,
			 alerts_center_label(ty), d_actual, lower ? "at most" : "at least",
			 d_target);
	else
		snprintf(summary, sizeof(summary),
			 "%d年%s（%s）已完成年度目标：实际 %s，目标 %s%s / %d %s (centre %s) "
			 "met its annual target: actual %s, target %s %s",
			 ty->year, ind->name, ty->center ? ty->center : "全部中心", d_actual,
			 lower ? "不超过 " : "", d_target, ty->year, ind->metric->name,
			 alerts_center_label(ty), d_actual, lower ? "at most" : "at least",
			 d_target);
	r.annotations = json_pack("{s:s, s:s}", "summary", summary, "description", summary);
	r.figures = json_pack("{s:o, s:o, s:b, s:{s:s, s:s}}", "target",
			      figure_json_target(ind->metric, ind->target), "actual",
			      figure_json(ind->metric, fig->value[0], true), "missed", missed,
			      "display", "actual", d_actual, "target", d_target);
	add_row(ev, ty, ind, before, &r);
}

void alerts_eval_close(struct evaluation *ev)
{
	for (size_t i = 0; i < ev->nstored; i++) {
		struct stored *s = &ev->stored[i];
		if (s->seen)
			continue;
		if (s->year >= ev->year || strcmp(s->alertname, PACE_ALERT) != 0 ||
		    (s->state != ALERT_FIRING && s->state != ALERT_PENDING)) {
			/* left alone (an indicator no longer in the targets file,
			 * or whose sources have not loaded yet), still counted
			 * while it fires */
			ev->firing += s->state == ALERT_FIRING;
			continue;
		}
		bool was_firing = s->state == ALERT_FIRING;
		enum alert_state state = was_firing ? ALERT_RESOLVED : ALERT_OK;
		log_info("alert %s %d/%s '%s': the year closed: %s -> %s", PACE_ALERT, s->year,
			 *s->center ? s->center : "all", s->indicator, alert_state_name(s->state),
			 alert_state_name(state));
		/* Only the state moves; labels and annotations stay as last sent
		 * (queries/alerts_save.sql keeps them). */
		json_array_append_new(
		    ev->rows,
		    json_pack("{s:i, s:s, s:s, s:s, s:n, s:s, s:o, s:o, s:o, s:o, s:b}", "year",
			      s->year, "center", s->center, "indicator", s->indicator, "alertname",
			      s->alertname, "metric", "state", alert_state_name(state), "since",
			      alerts_json_time(ev->now), "starts_at",
			      alerts_json_time(s->starts_at), "ends_at",
			      alerts_json_time(was_firing ? ev->now : s->ends_at), "evaluated_at",
			      alerts_json_time(ev->now), "notify", was_firing));
	}
}
