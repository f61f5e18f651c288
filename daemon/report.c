#include "report.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog.h"
#include "days.h"
#include "figure_format.h"
#include "indicators.h"
#include "log.h"
#include "period.h"
#include "score.h"
#include "sql_files.h"
#include "store.h"
#include "targets.h"
#include "textcell.h"
#include "wallclock.h"
#include "xlsx_report.h"
#include "xmalloc.h"

/* One line of the report: an indicator of the targets file, or, for a year
 * without targets, a catalogue metric. */
struct line {
	const struct indicator *ind;	 /* NULL: a catalogue line */
	const struct metric_def *metric; /* NULL: a manual indicator */
	struct frac cur, prev;
	bool cur_ok, prev_ok; /* false: a rate over nothing */
	/* The days the figure covers and their year-earlier twins (the
	 * report's, or the indicator's own period); per_ok false when that
	 * period has not begun: the line has no figure yet. */
	char per[4][11];
	bool per_ok;
	/* Why the metric's figures cannot be known here (availability.h):
	 * then no figure and no score; "" when they can. */
	char unavailable[200];
	bool has_score;
	struct dec score;
};

struct job {
	struct store *store;
	int year;
	char *center;
	enum document_format fmt;
	document_cb cb;
	report_figures_cb fcb; /* report_figures instead of a text */
	void *arg;
	struct targets *targets; /* retained: a reload may swap app->targets */
	const struct target_year *ty;
	char from[11], to[11], prev_from[11], prev_to[11];
	bool year_closed;
	char *center_name;
	long long as_of; /* -1: not every source polled yet */
	struct line *lines;
	size_t nlines;
	struct indicator_query *queries; /* while the figures are read */
};

static void job_free(struct job *j)
{
	targets_free(j->targets);
	free(j->center);
	free(j->center_name);
	free(j->lines);
	free(j->queries);
	free(j);
}

static void finish_error(struct job *j, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void finish_error(struct job *j, int status, const char *code, const char *fmt, ...)
{
	struct document r = {.status = status, .code = code};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	if (j->fcb) {
		struct report_figures f = {.status = status, .code = code};
		memcpy(f.message, r.message, sizeof(f.message));
		j->fcb(&f, j->arg);
	} else {
		j->cb(&r, j->arg);
	}
	job_free(j);
}

/* ---- figures ---- */

/* 同比 in percentage points for a rate, (A − A_prev) × 100 (SPEC §6). */
static bool yoy_points(const struct line *l, struct dec *out)
{
	return l->cur_ok && l->prev_ok && figure_yoy_points(l->cur, l->prev, out);
}

static void text_yoy(const struct line *l, char *buf, size_t len)
{
	figure_yoy_text(l->metric ? l->metric->kind : METRIC_COUNT, l->cur, l->cur_ok, l->prev,
			l->prev_ok, buf, len);
}

static const char *line_unit(const struct line *l)
{
	return l->ind ? l->ind->display_unit : display_unit_default(l->metric);
}

static void text_target(const struct line *l, char *buf, size_t len)
{
	const struct indicator *ind = l->ind;
	char shown[96];
	if (!ind) {
		snprintf(buf, len, "%s", "");
	} else if (ind->manual == MANUAL_SCORED || ind->manual == MANUAL_QUANTITY) {
		snprintf(buf, len, "%s", ind->manual_target);
	} else if (ind->manual == MANUAL_BUDGET) {
		snprintf(buf, len, "100%%");
	} else {
		figure_display(frac_of(ind->target), true, ind->display_unit, shown, sizeof(shown));
		snprintf(buf, len, "%s%s", ind->direction == DIRECTION_HIGHER ? "≥" : "≤", shown);
	}
}

static struct frac budget_frac(const struct indicator *ind)
{
	return (struct frac){ind->executed, ind->budget};
}

static void text_actual(const struct line *l, char *buf, size_t len)
{
	if (l->unavailable[0])
		snprintf(buf, len, "不可用");
	else if (l->ind && (l->ind->manual == MANUAL_SCORED || l->ind->manual == MANUAL_QUANTITY))
		snprintf(buf, len, "%s", l->ind->manual_actual);
	else if (l->ind && l->ind->manual == MANUAL_BUDGET)
		figure_display(budget_frac(l->ind), true, "%", buf, len);
	else
		figure_display(l->cur, l->cur_ok, line_unit(l), buf, len);
}

static void text_score(const struct line *l, char *buf, size_t len)
{
	if (l->has_score)
		dec_format(l->score, buf, len);
	else
		buf[0] = '\0';
}

static void text_weight(const struct line *l, char *buf, size_t len)
{
	if (l->ind)
		dec_format_trim(l->ind->weight, buf, len);
	else
		buf[0] = '\0';
}

/* Scores every line; false on arithmetic overflow. */
static bool score_lines(struct job *j)
{
	for (size_t i = 0; i < j->nlines; i++) {
		struct line *l = &j->lines[i];
		const struct indicator *ind = l->ind;
		if (!ind || l->unavailable[0])
			continue; /* an unavailable figure scores nothing, of nothing */
		l->has_score = true;
		bool ok = true;
		switch (ind->manual) {
		case MANUAL_SCORED:
			ok = dec_round(ind->manual_score, SCORE_SCALE, &l->score);
			break;
		case MANUAL_BUDGET:
			ok = score_budget(ind->weight, ind->budget, ind->executed, &l->score);
			break;
		case MANUAL_QUANTITY:
			/* Like a computed line, on the two quantities in their
			 * base unit (元, a ratio, a count). */
			ok = score_computed(ind->direction, j->ty->lower, ind->weight,
					    ind->manual_tq.value, frac_of(ind->manual_aq.value),
					    &l->score);
			break;
		case MANUAL_NONE:
			/* A rate over nothing earns nothing: there is no figure. */
			if (!l->cur_ok)
				ok = dec_round(dec_from_int(0), SCORE_SCALE, &l->score);
			else
				ok = score_computed(ind->direction, j->ty->lower, ind->weight,
						    ind->target, l->cur, &l->score);
			break;
		}
		if (!ok)
			return false;
	}
	return true;
}

static bool totals(const struct job *j, struct dec *total, struct dec *max)
{
	*total = dec_from_int(0);
	*max = dec_from_int(0);
	for (size_t i = 0; i < j->nlines; i++) {
		const struct line *l = &j->lines[i];
		if (!l->has_score)
			continue;
		if (!dec_add(*total, l->score, total) || !dec_add(*max, l->ind->weight, max))
			return false;
	}
	return dec_round(*total, SCORE_SCALE, total);
}

/* ---- renderers ---- */

/* A filter's value as the targets file wrote it: one string, or the list
 * of a union ("a,b" -> ["a", "b"]). */
static json_t *filter_json(const char *value)
{
	if (!strchr(value, ','))
		return json_string(value);
	json_t *list = json_array();
	for (const char *p = value; *p;) {
		size_t n = strcspn(p, ",");
		json_array_append_new(list, json_stringn(p, n));
		p += n + (p[n] == ',');
	}
	return list;
}

static json_t *json_line(const struct job *j, const struct line *l)
{
	const struct indicator *ind = l->ind;
	const struct metric_def *m = l->metric;
	char buf[128];
	json_t *o = json_object();
	json_object_set_new(o, "level1", json_string(ind ? ind->level1 : ""));
	json_object_set_new(o, "level2", json_string(ind ? ind->level2 : ""));
	/* A line is an indicator, or (without targets) a catalogue metric. */
	json_object_set_new(o, "name", json_string(ind ? ind->name : m ? m->name_zh : ""));
	json_object_set_new(o, "metric", m ? json_string(m->name) : json_null());
	json_object_set_new(o, "unavailable",
			    l->unavailable[0] ? json_string(l->unavailable) : json_null());
	json_t *filter = json_object();
	for (int k = 0; ind && k < LABEL_COUNT; k++)
		if (ind->filter[k])
			json_object_set_new(filter, catalog_label_names[k],
					    filter_json(ind->filter[k]));
	json_object_set_new(o, "filter", filter);
	if (ind && (ind->period_from || ind->period_to))
		json_object_set_new(
		    o, "period",
		    l->per_ok ? json_pack("{s:s, s:s}", "from", l->per[0], "to", l->per[1])
			      : json_null());
	json_object_set_new(o, "unit", json_string(m ? m->unit : ""));
	json_object_set_new(o, "display_unit",
			    json_string(m ? display_unit_resolve(l->cur, line_unit(l))
					: ind && ind->manual == MANUAL_BUDGET ? "%"
					: ind && ind->manual == MANUAL_QUANTITY
					    ? ind->manual_aq.unit
					    : ""));
	json_object_set_new(o, "manual", json_boolean(ind && ind->manual != MANUAL_NONE));
	json_object_set_new(
	    o, "direction",
	    ind && (ind->manual == MANUAL_NONE || ind->manual == MANUAL_QUANTITY)
		? json_string(ind->direction == DIRECTION_HIGHER ? "higher" : "lower")
		: json_null());

	json_t *target = json_null(), *actual = json_null(), *completion = json_null();
	struct dec r;
	if (ind && (ind->manual == MANUAL_SCORED || ind->manual == MANUAL_QUANTITY)) {
		target = json_string(ind->manual_target);
		actual = json_string(ind->manual_actual);
		if (ind->manual == MANUAL_QUANTITY &&
		    frac_ratio(frac_of(ind->manual_aq.value), frac_of(ind->manual_tq.value),
			       RATIO_SCALE, &r))
			completion = figure_json_number(r, RATIO_SCALE);
	} else if (ind && ind->manual == MANUAL_BUDGET) {
		target = json_real(1.0);
		if (frac_value(budget_frac(ind), RATIO_SCALE, &r))
			actual = completion = figure_json_number(r, RATIO_SCALE);
		json_incref(completion);
		json_object_set_new(o, "budget", figure_json_text(ind->budget, ind->budget.scale));
		json_object_set_new(o, "executed",
				    figure_json_text(ind->executed, ind->executed.scale));
	} else {
		if (ind)
			target = figure_json_target(m, ind->target);
		actual = figure_json(m, l->cur, l->cur_ok);
		if (ind && l->cur_ok && frac_ratio(l->cur, frac_of(ind->target), RATIO_SCALE, &r))
			completion = figure_json_number(r, RATIO_SCALE);
	}
	text_target(l, buf, sizeof(buf));
	json_object_set_new(o, "target", target);
	json_object_set_new(o, "target_display", ind ? json_string(buf) : json_null());
	json_object_set_new(o, "actual", actual);
	text_actual(l, buf, sizeof(buf));
	json_object_set_new(o, "display", json_string(buf));
	json_object_set_new(o, "completion", completion);
	json_object_set_new(o, "weight",
			    ind ? figure_json_number(ind->weight, ind->weight.scale) : json_null());
	json_object_set_new(o, "score",
			    l->has_score ? figure_json_number(l->score, SCORE_SCALE) : json_null());
	if (m) {
		json_object_set_new(o, "previous_year", figure_json(m, l->prev, l->prev_ok));
		struct frac y;
		json_object_set_new(o, "yoy",
				    l->cur_ok && l->prev_ok && figure_yoy(l->cur, l->prev, &y) &&
					    frac_value(y, RATIO_SCALE, &r)
					? figure_json_number(r, RATIO_SCALE)
					: json_null());
		if (m->kind == METRIC_RATE) {
			struct dec pts;
			json_object_set_new(o, "yoy_points",
					    yoy_points(l, &pts)
						? figure_json_number(pts, SCORE_SCALE)
						: json_null());
		}
	} else {
		json_object_set_new(o, "previous_year", json_null());
		json_object_set_new(o, "yoy", json_null());
	}
	(void)j;
	return o;
}

static void as_of_text(long long as_of, char *buf, size_t len)
{
	wallclock_format_local((time_t)as_of, buf, len);
}

static char *render_json(const struct job *j, const struct dec *total, const struct dec *max)
{
	char as_of[40];
	json_t *root = json_object();
	json_object_set_new(root, "year", json_integer(j->year));
	json_object_set_new(root, "center", j->center ? json_string(j->center) : json_null());
	json_object_set_new(root, "center_name",
			    json_string(j->center_name ? j->center_name
					: j->center    ? j->center
						       : "全部中心"));
	if (j->as_of >= 0)
		as_of_text(j->as_of, as_of, sizeof(as_of));
	json_object_set_new(root, "as_of", j->as_of >= 0 ? json_string(as_of) : json_null());
	json_object_set_new(
	    root, "period",
	    json_pack("{s:s, s:s, s:b}", "from", j->from, "to", j->to, "closed", j->year_closed));
	json_object_set_new(root, "previous_period",
			    json_pack("{s:s, s:s}", "from", j->prev_from, "to", j->prev_to));
	json_object_set_new(root, "targets", json_boolean(j->ty != NULL));
	json_t *list = json_array();
	for (size_t i = 0; i < j->nlines; i++)
		json_array_append_new(list, json_line(j, &j->lines[i]));
	json_object_set_new(root, "indicators", list);
	if (j->ty) {
		json_object_set_new(root, "max_score", figure_json_number(*max, max->scale));
		json_object_set_new(root, "total_score", figure_json_number(*total, SCORE_SCALE));
		json_object_set_new(root, "grade",
				    json_string(score_grade(*total, &j->ty->grades)));
	} else {
		json_object_set_new(root, "max_score", json_null());
		json_object_set_new(root, "total_score", json_null());
		json_object_set_new(root, "grade", json_null());
	}
	/* 15 significant digits print 10.88 as 10.88, not 10.880000000000001. */
	char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	return text;
}

static void csv_row(struct evbuffer *out, const char *const cells[8])
{
	for (int i = 0; i < 8; i++)
		textcell_csv(out, cells[i], i == 7);
}

static void render_csv(const struct job *j, struct evbuffer *out, const struct dec *total,
		       const struct dec *max)
{
	static const char *const header[8] = {
	    "一级指标",	  "二级指标", "三级指标", "年度指标值",
	    "实际完成值", "分值",     "得分",	  "偏差原因分析及改进措施"};
	evbuffer_add(out, "\xEF\xBB\xBF", 3);
	csv_row(out, header);
	for (size_t i = 0; i < j->nlines; i++) {
		const struct line *l = &j->lines[i];
		char target[128], actual[128], weight[32], score[32];
		text_target(l, target, sizeof(target));
		text_actual(l, actual, sizeof(actual));
		text_weight(l, weight, sizeof(weight));
		text_score(l, score, sizeof(score));
		const char *cells[8] = {l->ind ? l->ind->level1 : "",
					l->ind ? l->ind->level2 : "",
					l->ind ? l->ind->name : l->metric->name_zh,
					target,
					actual,
					weight,
					score,
					l->unavailable};
		csv_row(out, cells);
	}
	if (j->ty) {
		char weight[32], score[32];
		dec_format_trim(*max, weight, sizeof(weight));
		dec_format(*total, score, sizeof(score));
		const char *sum[8] = {"合计", "", "", "", "", weight, score, ""};
		csv_row(out, sum);
		const char *grade[8] = {"自评等级", "", "", "", score_grade(*total, &j->ty->grades),
					"",	    "", ""};
		csv_row(out, grade);
	}
}

static void render_md(const struct job *j, struct evbuffer *out, const struct dec *total,
		      const struct dec *max)
{
	static const char *const header[] = {"一级指标",   "二级指标",	 "三级指标",
					     "年度指标值", "实际完成值", "上年同期",
					     "同比",	   "分值",	 "得分"};
	enum { NCOLS = sizeof(header) / sizeof(header[0]) };
	char as_of[40] = "—";
	if (j->as_of >= 0)
		as_of_text(j->as_of, as_of, sizeof(as_of));
	evbuffer_add_printf(out, "# %d年度绩效自评表 · %s\n\n", j->year,
			    j->center_name ? j->center_name
			    : j->center	   ? j->center
					   : "全部中心");
	evbuffer_add_printf(out, "统计期间 %s 至 %s（上年同期 %s 至 %s），数据截至 %s。\n\n",
			    j->from, j->to, j->prev_from, j->prev_to, as_of);
	evbuffer_add(out, "|", 1);
	for (int c = 0; c < NCOLS; c++)
		textcell_md(out, header[c]);
	evbuffer_add(out, "\n|", 2);
	for (int c = 0; c < NCOLS; c++)
		evbuffer_add(out, c >= 3 ? " ---: |" : " --- |", c >= 3 ? 7 : 6);
	evbuffer_add(out, "\n", 1);
	for (size_t i = 0; i < j->nlines; i++) {
		const struct line *l = &j->lines[i];
		char target[128], actual[128], prev[128], yoy[64], weight[32], score[32];
		text_target(l, target, sizeof(target));
		text_actual(l, actual, sizeof(actual));
		text_weight(l, weight, sizeof(weight));
		text_score(l, score, sizeof(score));
		if (l->metric) {
			figure_display(l->prev, l->prev_ok, line_unit(l), prev, sizeof(prev));
			text_yoy(l, yoy, sizeof(yoy));
		} else {
			snprintf(prev, sizeof(prev), "—");
			snprintf(yoy, sizeof(yoy), "—");
		}
		const char *cells[NCOLS] = {l->ind ? l->ind->level1 : "",
					    l->ind ? l->ind->level2 : "",
					    l->ind ? l->ind->name : l->metric->name_zh,
					    target,
					    actual,
					    prev,
					    yoy,
					    weight,
					    score};
		evbuffer_add(out, "|", 1);
		for (int c = 0; c < NCOLS; c++)
			textcell_md(out, cells[c]);
		evbuffer_add(out, "\n", 1);
	}
	if (j->ty) {
		char weight[32], score[32];
		dec_format_trim(*max, weight, sizeof(weight));
		dec_format(*total, score, sizeof(score));
		const char *cells[NCOLS] = {"**合计**", "", "", "", "", "", "", weight, score};
		evbuffer_add(out, "|", 1);
		for (int c = 0; c < NCOLS; c++)
			textcell_md(out, cells[c]);
		evbuffer_add_printf(out, "\n\n自评得分 %s 分，等级：**%s**。\n", score,
				    score_grade(*total, &j->ty->grades));
	}
}

/* The centre as the form's 单位 line names it. */
static const char *center_title(const struct job *j)
{
	return j->center_name ? j->center_name : j->center ? j->center : "全部中心";
}

/* "ggzy-report-2021-433100.csv": only letters, digits and '-' from the
 * centre code, which came from a source, so that the name needs no quoting. */
static void download_name(const struct job *j, struct document *r)
{
	char center[65] = "";
	document_code_append(center, sizeof(center), j->center ? j->center : "all");
	snprintf(r->filename, sizeof(r->filename), "ggzy-report-%d-%s.%s", j->year, center,
		 document_format_name(j->fmt));
	if (j->fmt != DOC_XLSX)
		return; /* CSV and Markdown keep their one ASCII name */
	document_name_append(r->filename_utf8, sizeof(r->filename_utf8), center_title(j));
	char rest[64];
	snprintf(rest, sizeof(rest), "-%d年度绩效自评表.xlsx", j->year);
	document_name_append(r->filename_utf8, sizeof(r->filename_utf8), rest);
}

/* ---- the workbook (the form's layout is xlsx_report.c's) ---- */

/* The buffers behind one row's cells. */
struct form_texts {
	char target[64], target_fmt[64], actual[64], actual_fmt[64], weight[32], score[32];
};

/* An Excel number format showing a figure in UNIT, with an optional sign
 * before it: 0.00"万元", "≥"0"宗", 0.00%. */
static void unit_format(const char *sign, const char *unit, enum metric_kind kind, char *buf,
			size_t len)
{
	char pre[16] = "";
	if (sign && *sign)
		snprintf(pre, sizeof(pre), "\"%s\"", sign);
	if (kind == METRIC_RATE || strcmp(unit, "%") == 0)
		snprintf(buf, len, "%s0.00%%", pre);
	else if (kind == METRIC_COUNT)
		snprintf(buf, len, "%s0\"%s\"", pre, unit);
	else
		snprintf(buf, len, "%s0.00\"%s\"", pre, unit);
}

/* V of metric kind KIND as the number a form cell holds: a rate as its
 * ratio (6 decimals, shown as a percentage), a count whole, an amount in
 * its display unit to 2 decimals. */
static bool form_number(struct frac v, enum metric_kind kind, const char *unit, const char *sign,
			char *num, size_t numlen, char *fmt, size_t fmtlen)
{
	struct dec d;
	const char *resolved = unit;
	if (kind == METRIC_RATE) {
		if (!frac_value(v, RATIO_SCALE, &d))
			return false;
	} else if (kind == METRIC_COUNT && strcmp(unit, "%") != 0) {
		if (!frac_value(v, 0, &d))
			return false;
	} else if (!display_scaled(v, unit, &d, &resolved)) {
		return false;
	}
	dec_format(d, num, numlen);
	unit_format(sign, resolved, kind, fmt, fmtlen);
	return true;
}

static void form_line(const struct line *l, struct form_texts *t, struct xlsx_form_line *out)
{
	const struct indicator *ind = l->ind;
	*out = (struct xlsx_form_line){.level1 = ind ? ind->level1 : "",
				       .level2 = ind ? ind->level2 : "",
				       .name = ind ? ind->name : l->metric->name_zh};
	if (ind && ind->manual == MANUAL_SCORED) {
		out->target.text = ind->manual_target;
		out->actual.text = ind->manual_actual;
	} else if (ind && ind->manual == MANUAL_BUDGET) {
		snprintf(t->target, sizeof(t->target), "1");
		out->target = (struct xlsx_value){.number = t->target, .num_format = "0%"};
		if (form_number(budget_frac(ind), METRIC_RATE, "%", NULL, t->actual,
				sizeof(t->actual), t->actual_fmt, sizeof(t->actual_fmt)))
			out->actual =
			    (struct xlsx_value){.number = t->actual, .num_format = t->actual_fmt};
	} else {
		enum metric_kind kind = l->metric->kind;
		if (ind && form_number(frac_of(ind->target), kind, ind->display_unit,
				       ind->direction == DIRECTION_HIGHER ? "≥" : "≤", t->target,
				       sizeof(t->target), t->target_fmt, sizeof(t->target_fmt)))
			out->target =
			    (struct xlsx_value){.number = t->target, .num_format = t->target_fmt};
		if (l->cur_ok &&
		    form_number(l->cur, kind, line_unit(l), NULL, t->actual, sizeof(t->actual),
				t->actual_fmt, sizeof(t->actual_fmt)))
			out->actual =
			    (struct xlsx_value){.number = t->actual, .num_format = t->actual_fmt};
		else
			out->actual.text = "—";
	}
	if (ind) {
		dec_format_trim(ind->weight, t->weight, sizeof(t->weight));
		out->weight.number = t->weight;
	}
	if (l->has_score) {
		dec_format(l->score, t->score, sizeof(t->score));
		out->score = (struct xlsx_value){.number = t->score, .num_format = "0.00"};
	}
}

static bool render_xlsx(const struct job *j, const struct dec *total, const struct dec *max,
			char **body, size_t *len, char *err, size_t errlen)
{
	struct xlsx_form_line *lines = xcalloc(j->nlines ? j->nlines : 1, sizeof(*lines));
	struct form_texts *texts = xcalloc(j->nlines ? j->nlines : 1, sizeof(*texts));
	for (size_t i = 0; i < j->nlines; i++)
		form_line(&j->lines[i], &texts[i], &lines[i]);
	char title[64], unit[256], period[256], sheet[256], as_of[40] = "—", maxt[32], tot[32];
	snprintf(title, sizeof(title), "%d年度绩效自评表", j->year);
	snprintf(unit, sizeof(unit), "单位：%s", center_title(j));
	if (j->as_of >= 0)
		as_of_text(j->as_of, as_of, sizeof(as_of));
	snprintf(period, sizeof(period), "统计期间 %s 至 %s%s（上年同期 %s 至 %s），数据截至 %s",
		 j->from, j->to, j->year_closed ? "" : "（年度未结束）", j->prev_from, j->prev_to,
		 as_of);
	snprintf(sheet, sizeof(sheet), "%s%d年度", center_title(j), j->year);
	dec_format_trim(*max, maxt, sizeof(maxt));
	dec_format(*total, tot, sizeof(tot));
	struct xlsx_form form = {
	    .title = title,
	    .unit = unit,
	    .period = period,
	    .sheet = sheet,
	    .lines = lines,
	    .nlines = j->nlines,
	    .scored = j->ty != NULL,
	    .max_score = {.number = maxt},
	    .total_score = {.number = tot, .num_format = "0.00"},
	    .grade = j->ty ? score_grade(*total, &j->ty->grades) : "",
	    .created = j->as_of >= 0 ? (time_t)j->as_of : 0,
	};
	bool ok = xlsx_report_write(&form, body, len, err, errlen);
	free(lines);
	free(texts);
	return ok;
}

/* report_figures: the lines as the renderers see them. */
static void finish_figures(struct job *j, struct dec total)
{
	struct report_figure *f = xcalloc(j->nlines ? j->nlines : 1, sizeof(*f));
	for (size_t i = 0; i < j->nlines; i++) {
		const struct line *l = &j->lines[i];
		f[i] = (struct report_figure){.ind = l->ind,
					      .metric = l->metric,
					      .actual = l->cur,
					      .defined = l->cur_ok,
					      .has_score = l->has_score,
					      .score = l->score};
		text_target(l, f[i].target_display, sizeof(f[i].target_display));
		text_actual(l, f[i].display, sizeof(f[i].display));
	}
	struct report_figures rf = {
	    .status = 200, .ty = j->ty, .lines = f, .nlines = j->nlines, .total = total};
	j->fcb(&rf, j->arg);
	free(f);
	job_free(j);
}

static void finish(struct job *j)
{
	struct dec total, max;
	if (!score_lines(j) || !totals(j, &total, &max)) {
		finish_error(j, 500, "overflow", "a figure is too large to score exactly");
		return;
	}
	if (j->fcb) {
		finish_figures(j, total);
		return;
	}
	struct document r = {.status = 200, .content_type = document_content_type(j->fmt)};
	char *text = NULL;
	size_t len = 0;
	struct evbuffer *out = evbuffer_new();
	switch (j->fmt) {
	case DOC_JSON: text = render_json(j, &total, &max); break;
	case DOC_CSV: render_csv(j, out, &total, &max); break;
	case DOC_MD: render_md(j, out, &total, &max); break;
	case DOC_XLSX: {
		char err[256];
		if (!render_xlsx(j, &total, &max, &text, &len, err, sizeof(err))) {
			evbuffer_free(out);
			log_error("report %d: %s", j->year, err);
			finish_error(j, 500, "xlsx_failed", "the workbook could not be made: %s",
				     err);
			return;
		}
		break;
	}
	}
	if (!text) {
		len = evbuffer_get_length(out);
		text = xmalloc(len + 1);
		evbuffer_remove(out, text, len);
		text[len] = '\0';
	} else if (j->fmt == DOC_JSON) {
		len = strlen(text);
	}
	evbuffer_free(out);
	if (j->fmt != DOC_JSON)
		download_name(j, &r);
	r.body = text;
	r.len = len;
	j->cb(&r, j->arg);
	free(text);
	job_free(j);
}

/* ---- queries ---- */

/* The days LINE's figure covers: the report's (YEAR's P), or the part of
 * YEAR its indicator names (工程建设项目全流程电子化率自9月起). */
static void line_period(struct line *l, const struct period *p, int year, long today)
{
	const struct indicator *ind = l->ind;
	struct period own;
	const struct period *use = p;
	l->per_ok = true;
	if (ind && (ind->period_from || ind->period_to)) {
		l->per_ok = period_of_year(year, ind->period_from, ind->period_to, today, &own);
		use = &own;
	}
	if (!l->per_ok)
		return;
	memcpy(l->per[0], use->from_text, 11);
	memcpy(l->per[1], use->to_text, 11);
	memcpy(l->per[2], use->prev_from_text, 11);
	memcpy(l->per[3], use->prev_to_text, 11);
}

static void on_actuals(enum indicators_status status, const struct indicator_figure *figs, size_t n,
		       void *arg)
{
	struct job *j = arg;
	free(j->queries);
	j->queries = NULL;
	if (status == INDICATORS_STORE_FAILED) {
		finish_error(j, 503, "store_unavailable", "the store did not answer");
		return;
	}
	if (status != INDICATORS_OK) {
		finish_error(j, 500, "bad_figure", "the store returned a figure out of range");
		return;
	}
	size_t k = 0;
	for (size_t i = 0; i < j->nlines && k < n; i++) {
		struct line *l = &j->lines[i];
		if (!l->metric || !l->per_ok || l->unavailable[0])
			continue;
		l->cur = figs[k].value[0];
		l->cur_ok = figs[k].defined[0];
		l->prev = figs[k].value[1];
		l->prev_ok = figs[k].defined[1];
		k++;
	}
	finish(j);
}

static void query_actuals(struct job *j)
{
	j->queries = xcalloc(j->nlines ? j->nlines : 1, sizeof(*j->queries));
	size_t n = 0;
	for (size_t i = 0; i < j->nlines; i++) {
		const struct line *l = &j->lines[i];
		if (l->metric && l->per_ok && !l->unavailable[0])
			j->queries[n++] = (struct indicator_query){
			    .metric = l->metric,
			    .filter = l->ind ? l->ind->filter : NULL,
			    .period = {l->per[0], l->per[1], l->per[2], l->per[3]}};
	}
	indicators_fetch(j->store, j->center, j->queries, n, on_actuals, j);
}

static void on_meta(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (error || PQntuples(res) != 1) {
		log_warn("report %d: store query failed: %s", j->year, error ? error : "no row");
		finish_error(j, 503, "store_unavailable", "the store did not answer");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		finish_error(j, 404, "unknown_center",
			     "centre '%.64s' is not in the store's centre hierarchy", j->center);
		return;
	}
	if (!PQgetisnull(res, 0, 1))
		j->center_name = xstrdup(PQgetvalue(res, 0, 1));
	j->as_of = PQgetisnull(res, 0, 2) ? -1 : atoll(PQgetvalue(res, 0, 2));
	query_actuals(j);
}

static void start(const struct report_context *ctx, int year, const char *center,
		  enum document_format fmt, document_cb cb, report_figures_cb fcb, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->store = ctx->store;
	j->year = year;
	j->center = xstrdup_or_null(center);
	j->fmt = fmt;
	j->cb = cb;
	j->fcb = fcb;
	j->arg = arg;

	char today_text[11];
	int this_year = wallclock_day(wallclock_now(ctx->clock), today_text);
	long today;
	if (!days_parse(today_text, &today) || year <= DAYS_MIN_YEAR || year > this_year) {
		finish_error(j, 400, "bad_parameter",
			     "'year' must be between %d and %d (this year)", DAYS_MIN_YEAR + 1,
			     this_year);
		return;
	}
	struct period p;
	if (!period_of_year(year, 0, 0, today, &p)) {
		finish_error(j, 400, "bad_parameter", "year %d has not begun", year);
		return;
	}
	j->year_closed = p.closed;
	memcpy(j->from, p.from_text, sizeof(j->from));
	memcpy(j->to, p.to_text, sizeof(j->to));
	memcpy(j->prev_from, p.prev_from_text, sizeof(j->prev_from));
	memcpy(j->prev_to, p.prev_to_text, sizeof(j->prev_to));

	j->targets = targets_retain(ctx->targets);
	j->ty = targets_find(j->targets, year, center);
	if (j->ty) {
		j->nlines = j->ty->nindicators;
		j->lines = xcalloc(j->nlines, sizeof(*j->lines));
		for (size_t i = 0; i < j->nlines; i++) {
			j->lines[i].ind = &j->ty->indicators[i];
			j->lines[i].metric = j->ty->indicators[i].metric;
		}
	} else {
		j->nlines = catalog_nmetrics;
		j->lines = xcalloc(j->nlines, sizeof(*j->lines));
		for (size_t i = 0; i < j->nlines; i++)
			j->lines[i].metric = &catalog_metrics[i];
	}
	for (size_t i = 0; i < j->nlines; i++) {
		struct line *l = &j->lines[i];
		line_period(l, &p, year, today);
		if (l->metric && ctx->unavailable)
			(void)ctx->unavailable(l->metric, l->unavailable, sizeof(l->unavailable),
					       ctx->unavailable_arg);
	}
	const char *params[2] = {center, ctx->sources};
	store_query(j->store, sql_text("queries/report_meta.sql"), 2, params, on_meta, j);
}

void report_build(const struct report_context *ctx, int year, const char *center,
		  enum document_format fmt, document_cb cb, void *arg)
{
	start(ctx, year, center, fmt, cb, NULL, arg);
}

void report_figures(const struct report_context *ctx, int year, const char *center,
		    report_figures_cb cb, void *arg)
{
	start(ctx, year, center, DOC_JSON, NULL, cb, arg);
}
