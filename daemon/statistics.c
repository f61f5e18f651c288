#include "statistics.h"

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
#include "textcell.h"
#include "wallclock.h"
#include "xlsx_stats.h"
#include "xmalloc.h"

/* The figures of every row (SPEC §10), in column order. */
static const char *const row_metrics[XLSX_STATS_METRICS] = {
    "deals_count", "deal_amount", "savings_amount", "premium_amount", "service_fee_amount"};

#define MAX_ROWS 12    /* the categories of the contract and 合计 */
#define MAX_FIGURES 16 /* the figures below the rows */

/* A figure over the four spans the table reads. */
enum span { SPAN_PERIOD, SPAN_YTD, SPAN_PREV_YTD, SPAN_PREV_PERIOD, NSPANS };

struct cell {
	struct frac v[NSPANS];
	bool ok[NSPANS]; /* false: a rate over nothing */
};

struct row {
	const char *category; /* the contract's code, or "total" */
	const char *name;     /* 工程建设 … 合计 */
	struct cell cells[XLSX_STATS_METRICS];
};

struct figure {
	const char *key; /* its name in JSON (deposits_count per kind) */
	const struct metric_def *metric;
	const char *kind; /* deposits_count: the kind, or NULL for the total */
	char name[96];	  /* 保证金笔数（现金） */
	struct cell cell;
};

struct job {
	struct store *store;
	document_cb cb;
	void *arg;
	enum document_format fmt;
	char *center, *center_name;
	long long as_of; /* -1: not every source polled yet */
	struct stat_period p;
	struct row rows[MAX_ROWS];
	size_t nrows;
	struct figure figures[MAX_FIGURES];
	size_t nfigures;
	/* the indicator queries: rows' figures first, then the figures' */
	struct indicator_query q[MAX_ROWS * XLSX_STATS_METRICS + MAX_FIGURES];
	char *filters[MAX_ROWS * XLSX_STATS_METRICS + MAX_FIGURES][LABEL_COUNT];
	size_t nq;
	bool second; /* the second query (the year before) is running */
};

static void job_free(struct job *j)
{
	for (size_t i = 0; i < j->nq; i++)
		for (int k = 0; k < LABEL_COUNT; k++)
			free(j->filters[i][k]);
	free(j->center);
	free(j->center_name);
	free(j);
}

static void fail(struct job *j, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(struct job *j, int status, const char *code, const char *fmt, ...)
{
	struct document d = {.status = status, .code = code};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d.message, sizeof(d.message), fmt, ap);
	va_end(ap);
	j->cb(&d, j->arg);
	job_free(j);
}

/* ---- the table's shape ---- */

static void add_query(struct job *j, const struct metric_def *m, const char *category,
		      const char *kind)
{
	struct indicator_query *q = &j->q[j->nq];
	char **f = j->filters[j->nq];
	f[catalog_label_index(LABEL_CATEGORY)] = category ? xstrdup(category) : NULL;
	f[catalog_label_index(LABEL_KIND)] = kind ? xstrdup(kind) : NULL;
	*q = (struct indicator_query){.metric = m, .filter = f};
	j->nq++;
}

static void add_figure(struct job *j, const char *name, const char *kind, const char *kind_zh)
{
	struct figure *f = &j->figures[j->nfigures++];
	f->key = name;
	f->metric = catalog_find(name);
	f->kind = kind;
	if (kind_zh)
		snprintf(f->name, sizeof(f->name), "%s（%s）", f->metric->name_zh, kind_zh);
	else
		snprintf(f->name, sizeof(f->name), "%s", f->metric->name_zh);
}

static void shape(struct job *j)
{
	const struct label_value *cats = catalog_label_values(catalog_label_index(LABEL_CATEGORY));
	for (size_t i = 0; cats && cats[i].value && j->nrows < MAX_ROWS - 1; i++)
		j->rows[j->nrows++] =
		    (struct row){.category = cats[i].value, .name = cats[i].name_zh};
	j->rows[j->nrows++] = (struct row){.category = "total", .name = "合计"};
	for (size_t r = 0; r < j->nrows; r++)
		for (int m = 0; m < XLSX_STATS_METRICS; m++)
			add_query(j, catalog_find(row_metrics[m]),
				  strcmp(j->rows[r].category, "total") ? j->rows[r].category : NULL,
				  NULL);
	add_figure(j, "e_bid_rate", NULL, NULL);
	add_figure(j, "remote_opening_rate", NULL, NULL);
	add_figure(j, "remote_evaluations_count", NULL, NULL);
	const struct label_value *kinds = catalog_label_values(catalog_label_index(LABEL_KIND));
	for (size_t i = 0; kinds && kinds[i].value && j->nfigures < MAX_FIGURES - 4; i++)
		add_figure(j, "deposits_count", kinds[i].value, kinds[i].name_zh);
	add_figure(j, "deposits_count", NULL, "合计");
	add_figure(j, "liquidity_released_amount", NULL, NULL);
	add_figure(j, "expert_draws_count", NULL, NULL);
	add_figure(j, "expert_fee_amount", NULL, NULL);
	for (size_t i = 0; i < j->nfigures; i++)
		add_query(j, j->figures[i].metric, NULL, j->figures[i].kind);
}

static struct cell *cell_of_query(struct job *j, size_t i)
{
	size_t nrow = j->nrows * XLSX_STATS_METRICS;
	if (i < nrow)
		return &j->rows[i / XLSX_STATS_METRICS].cells[i % XLSX_STATS_METRICS];
	return &j->figures[i - nrow].cell;
}

/* ---- values ---- */

static bool yoy_of(const struct cell *c, struct dec *out)
{
	struct frac y;
	return c->ok[SPAN_YTD] && c->ok[SPAN_PREV_YTD] &&
	       figure_yoy(c->v[SPAN_YTD], c->v[SPAN_PREV_YTD], &y) &&
	       frac_value(y, RATIO_SCALE, out);
}

static bool points_of(const struct cell *c, struct dec *out)
{
	return c->ok[SPAN_YTD] && c->ok[SPAN_PREV_YTD] &&
	       figure_yoy_points(c->v[SPAN_YTD], c->v[SPAN_PREV_YTD], out);
}

/* A figure as the form writes it: an amount in 万元 to 2 decimals, a count
 * whole, a rate as a percentage to 2 decimals; "—" when undefined. */
static void text_value(const struct metric_def *m, const struct cell *c, enum span s, char *buf,
		       size_t len)
{
	struct dec d;
	const char *unit;
	bool ok = c->ok[s];
	if (ok && m->kind == METRIC_AMOUNT)
		ok = display_scaled(c->v[s], "万元", &d, &unit);
	else if (ok && m->kind == METRIC_RATE)
		ok = display_scaled(c->v[s], "%", &d, &unit);
	else if (ok)
		ok = frac_value(c->v[s], 0, &d);
	if (!ok) {
		snprintf(buf, len, "—");
		return;
	}
	dec_format(d, buf, len);
	if (m->kind == METRIC_RATE) {
		size_t n = strlen(buf);
		snprintf(buf + n, len - n, "%%");
	}
}

static void text_yoy(const struct metric_def *m, const struct cell *c, char *buf, size_t len)
{
	figure_yoy_text(m->kind, c->v[SPAN_YTD], c->ok[SPAN_YTD], c->v[SPAN_PREV_YTD],
			c->ok[SPAN_PREV_YTD], buf, len);
}

static const char *unit_of(const struct metric_def *m)
{
	return m->kind == METRIC_AMOUNT ? "万元" : m->kind == METRIC_RATE ? "%" : m->unit;
}

/* ---- JSON ---- */

static json_t *json_span(const struct metric_def *m, const struct cell *c, enum span s)
{
	return figure_json(m, c->v[s], c->ok[s]);
}

static json_t *json_yoy(const struct cell *c)
{
	struct dec d;
	return yoy_of(c, &d) ? figure_json_number(d, RATIO_SCALE) : json_null();
}

/* One of "period", "ytd", "ytd_previous", "ytd_yoy" of a row. */
static json_t *json_row_part(const struct row *r, int part)
{
	json_t *o = json_object();
	for (int m = 0; m < XLSX_STATS_METRICS; m++) {
		const struct metric_def *md = catalog_find(row_metrics[m]);
		const struct cell *c = &r->cells[m];
		json_object_set_new(o, row_metrics[m],
				    part == 3 ? json_yoy(c)
				    : part == 2
					? json_span(md, c, SPAN_PREV_YTD)
					: json_span(md, c, part == 1 ? SPAN_YTD : SPAN_PERIOD));
	}
	return o;
}

static json_t *json_figures_part(const struct job *j, int part)
{
	json_t *o = json_object();
	for (size_t i = 0; i < j->nfigures; i++) {
		const struct figure *f = &j->figures[i];
		const struct cell *c = &f->cell;
		json_t *v;
		if (part == 4) { /* ytd_yoy_points: the rates only */
			struct dec pts;
			if (f->metric->kind != METRIC_RATE)
				continue;
			v = points_of(c, &pts) ? figure_json_number(pts, SCORE_SCALE) : json_null();
		} else {
			v = part == 3 ? json_yoy(c)
			    : part == 2
				? json_span(f->metric, c, SPAN_PREV_YTD)
				: json_span(f->metric, c, part == 1 ? SPAN_YTD : SPAN_PERIOD);
		}
		if (strcmp(f->key, "deposits_count") == 0) {
			json_t *per = json_object_get(o, f->key);
			if (!per) {
				per = json_object();
				json_object_set_new(o, f->key, per);
			}
			json_object_set_new(per, f->kind ? f->kind : "total", v);
		} else {
			json_object_set_new(o, f->key, v);
		}
	}
	return o;
}

static char *render_json(const struct job *j)
{
	static const char *const parts[] = {"period", "ytd", "ytd_previous", "ytd_yoy"};
	char as_of[40];
	json_t *root = json_object();
	json_object_set_new(root, "period", json_string(j->p.id_text));
	json_object_set_new(root, "from", json_string(j->p.from));
	json_object_set_new(root, "to", json_string(j->p.to));
	json_object_set_new(root, "closed", json_boolean(j->p.closed));
	json_object_set_new(root, "period_end", json_string(j->p.end));
	json_object_set_new(root, "ytd",
			    json_pack("{s:s, s:s}", "from", j->p.ytd_from, "to", j->p.ytd_to));
	json_object_set_new(
	    root, "ytd_previous",
	    json_pack("{s:s, s:s}", "from", j->p.prev_ytd_from, "to", j->p.prev_ytd_to));
	json_object_set_new(root, "center", j->center ? json_string(j->center) : json_null());
	json_object_set_new(root, "center_name",
			    json_string(j->center_name ? j->center_name
					: j->center    ? j->center
						       : "全部中心"));
	if (j->as_of >= 0)
		wallclock_format_local((time_t)j->as_of, as_of, sizeof(as_of));
	json_object_set_new(root, "as_of", j->as_of >= 0 ? json_string(as_of) : json_null());
	json_t *rows = json_array();
	for (size_t r = 0; r < j->nrows; r++) {
		json_t *o = json_pack("{s:s, s:s}", "category", j->rows[r].category, "name",
				      j->rows[r].name);
		for (int k = 0; k < 4; k++)
			json_object_set_new(o, parts[k], json_row_part(&j->rows[r], k));
		json_array_append_new(rows, o);
	}
	json_object_set_new(root, "rows", rows);
	json_t *figures = json_object();
	for (int k = 0; k < 4; k++)
		json_object_set_new(figures, parts[k], json_figures_part(j, k));
	json_object_set_new(figures, "ytd_yoy_points", json_figures_part(j, 4));
	json_object_set_new(root, "figures", figures);
	char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	return text;
}

/* ---- the form's texts (CSV, Markdown, XLSX) ---- */

static const char *center_title(const struct job *j)
{
	return j->center_name ? j->center_name : j->center ? j->center : "全部中心";
}

static void title_of(const struct job *j, char *buf, size_t len)
{
	char period[64];
	period_id_title(j->p.id, period, sizeof(period));
	snprintf(buf, len, "%s%s公共资源交易统计%s", center_title(j), period,
		 period_kind_report_zh(j->p.id.kind));
}

static void period_line(const struct job *j, char *buf, size_t len)
{
	char as_of[40] = "—";
	if (j->as_of >= 0)
		wallclock_format_local((time_t)j->as_of, as_of, sizeof(as_of));
	char open[96] = "";
	if (!j->p.closed)
		snprintf(open, sizeof(open), "（本期至 %s，尚未结束，统计至今日）", j->p.end);
	snprintf(buf, len,
		 "统计期间 %s 至 %s%s；累计 %s 至 %s；同比为累计与上年同期（%s 至 %s）相比；"
		 "数据截至 %s",
		 j->p.from, j->p.to, open, j->p.ytd_from, j->p.ytd_to, j->p.prev_ytd_from,
		 j->p.prev_ytd_to, as_of);
}

static void header_of(int m, char *buf, size_t len)
{
	const struct metric_def *md = catalog_find(row_metrics[m]);
	snprintf(buf, len, "%s（%s）", md->name_zh, unit_of(md));
}

static void render_csv(const struct job *j, struct evbuffer *out)
{
	char text[512];
	evbuffer_add(out, "\xEF\xBB\xBF", 3);
	title_of(j, text, sizeof(text));
	textcell_csv(out, text, true);
	snprintf(text, sizeof(text), "单位：%s", center_title(j));
	textcell_csv(out, text, true);
	period_line(j, text, sizeof(text));
	textcell_csv(out, text, true);
	textcell_csv(out, "类别", false);
	for (int m = 0; m < XLSX_STATS_METRICS; m++) {
		header_of(m, text, sizeof(text));
		textcell_csv(out, text, false);
		textcell_csv(out, "", false);
		textcell_csv(out, "", m + 1 == XLSX_STATS_METRICS);
	}
	textcell_csv(out, "", false);
	for (int m = 0; m < XLSX_STATS_METRICS; m++) {
		textcell_csv(out, "本期", false);
		textcell_csv(out, "累计", false);
		textcell_csv(out, "同比", m + 1 == XLSX_STATS_METRICS);
	}
	for (size_t r = 0; r < j->nrows; r++) {
		textcell_csv(out, j->rows[r].name, false);
		for (int m = 0; m < XLSX_STATS_METRICS; m++) {
			const struct metric_def *md = catalog_find(row_metrics[m]);
			const struct cell *c = &j->rows[r].cells[m];
			text_value(md, c, SPAN_PERIOD, text, sizeof(text));
			textcell_csv(out, text, false);
			text_value(md, c, SPAN_YTD, text, sizeof(text));
			textcell_csv(out, text, false);
			text_yoy(md, c, text, sizeof(text));
			textcell_csv(out, text, m + 1 == XLSX_STATS_METRICS);
		}
	}
	evbuffer_add(out, "\r\n", 2);
	static const char *const head[] = {"指标", "单位", "本期", "累计", "同比"};
	for (int c = 0; c < 5; c++)
		textcell_csv(out, head[c], c == 4);
	for (size_t i = 0; i < j->nfigures; i++) {
		const struct figure *f = &j->figures[i];
		textcell_csv(out, f->name, false);
		textcell_csv(out, unit_of(f->metric), false);
		text_value(f->metric, &f->cell, SPAN_PERIOD, text, sizeof(text));
		textcell_csv(out, text, false);
		text_value(f->metric, &f->cell, SPAN_YTD, text, sizeof(text));
		textcell_csv(out, text, false);
		text_yoy(f->metric, &f->cell, text, sizeof(text));
		textcell_csv(out, text, true);
	}
}

static void render_md(const struct job *j, struct evbuffer *out)
{
	char text[512];
	title_of(j, text, sizeof(text));
	evbuffer_add_printf(out, "# %s\n\n", text);
	evbuffer_add_printf(out, "单位：%s\n\n", center_title(j));
	period_line(j, text, sizeof(text));
	evbuffer_add_printf(out, "%s。\n\n|", text);
	textcell_md(out, "类别");
	static const char *const sub[3] = {"本期", "累计", "同比"};
	for (int m = 0; m < XLSX_STATS_METRICS; m++)
		for (int k = 0; k < 3; k++) {
			char h[128];
			header_of(m, text, sizeof(text));
			snprintf(h, sizeof(h), "%s%s", text, sub[k]);
			textcell_md(out, h);
		}
	evbuffer_add(out, "\n| --- |", 8);
	for (int c = 0; c < 3 * XLSX_STATS_METRICS; c++)
		evbuffer_add(out, " ---: |", 7);
	evbuffer_add(out, "\n", 1);
	for (size_t r = 0; r < j->nrows; r++) {
		bool total = r + 1 == j->nrows;
		evbuffer_add(out, "|", 1);
		snprintf(text, sizeof(text), total ? "**%s**" : "%s", j->rows[r].name);
		textcell_md(out, text);
		for (int m = 0; m < XLSX_STATS_METRICS; m++) {
			const struct metric_def *md = catalog_find(row_metrics[m]);
			const struct cell *c = &j->rows[r].cells[m];
			text_value(md, c, SPAN_PERIOD, text, sizeof(text));
			textcell_md(out, text);
			text_value(md, c, SPAN_YTD, text, sizeof(text));
			textcell_md(out, text);
			text_yoy(md, c, text, sizeof(text));
			textcell_md(out, text);
		}
		evbuffer_add(out, "\n", 1);
	}
	evbuffer_add_printf(out,
			    "\n| 指标 | 单位 | 本期 | 累计 | 同比 |\n| --- | --- | ---: | ---: | "
			    "---: |\n");
	for (size_t i = 0; i < j->nfigures; i++) {
		const struct figure *f = &j->figures[i];
		evbuffer_add(out, "|", 1);
		textcell_md(out, f->name);
		textcell_md(out, unit_of(f->metric));
		text_value(f->metric, &f->cell, SPAN_PERIOD, text, sizeof(text));
		textcell_md(out, text);
		text_value(f->metric, &f->cell, SPAN_YTD, text, sizeof(text));
		textcell_md(out, text);
		text_yoy(f->metric, &f->cell, text, sizeof(text));
		textcell_md(out, text);
		evbuffer_add(out, "\n", 1);
	}
}

/* ---- XLSX (the layout is xlsx_stats.c's) ---- */

struct num_text {
	char num[48];
};

/* A figure as a number cell: an amount in 万元 to 2 decimals, a count
 * whole, a rate as its ratio shown as a percentage; "—" when undefined. */
static struct xlsx_value xlsx_value_of(const struct metric_def *m, const struct cell *c,
				       enum span s, struct num_text *t)
{
	struct dec d;
	const char *unit, *fmt;
	bool ok = c->ok[s];
	if (ok && m->kind == METRIC_AMOUNT) {
		ok = display_scaled(c->v[s], "万元", &d, &unit);
		fmt = "#,##0.00";
	} else if (ok && m->kind == METRIC_RATE) {
		ok = frac_value(c->v[s], RATIO_SCALE, &d);
		fmt = "0.00%";
	} else {
		ok = ok && frac_value(c->v[s], 0, &d);
		fmt = "#,##0";
	}
	if (!ok)
		return (struct xlsx_value){.text = "—"};
	dec_format(d, t->num, sizeof(t->num));
	return (struct xlsx_value){.number = t->num, .num_format = fmt};
}

/* 同比 as a number: a sum's relative change as a percentage, a rate's in
 * percentage points. */
static struct xlsx_value xlsx_yoy_of(const struct metric_def *m, const struct cell *c,
				     struct num_text *t)
{
	struct dec d;
	if (m->kind == METRIC_RATE) {
		if (!points_of(c, &d))
			return (struct xlsx_value){.text = "—"};
		dec_format(d, t->num, sizeof(t->num));
		return (struct xlsx_value){
		    .number = t->num,
		    .num_format = "\"提高\"0.00\"个百分点\";\"降低\"0.00\"个百分点\";\"持平\""};
	}
	if (!yoy_of(c, &d))
		return (struct xlsx_value){.text = "—"};
	dec_format(d, t->num, sizeof(t->num));
	return (struct xlsx_value){.number = t->num, .num_format = "+0.00%;-0.00%;0.00%"};
}

static bool render_xlsx(const struct job *j, char **body, size_t *len, char *err, size_t errlen)
{
	struct xlsx_stats_row rows[MAX_ROWS];
	struct xlsx_stats_figure figs[MAX_FIGURES];
	struct num_text texts[MAX_ROWS * 3 * XLSX_STATS_METRICS + MAX_FIGURES * 3];
	size_t t = 0;
	for (size_t r = 0; r < j->nrows; r++) {
		rows[r].name = j->rows[r].name;
		for (int m = 0; m < XLSX_STATS_METRICS; m++) {
			const struct metric_def *md = catalog_find(row_metrics[m]);
			const struct cell *c = &j->rows[r].cells[m];
			rows[r].cells[3 * m] = xlsx_value_of(md, c, SPAN_PERIOD, &texts[t++]);
			rows[r].cells[3 * m + 1] = xlsx_value_of(md, c, SPAN_YTD, &texts[t++]);
			rows[r].cells[3 * m + 2] = xlsx_yoy_of(md, c, &texts[t++]);
		}
	}
	for (size_t i = 0; i < j->nfigures; i++) {
		const struct figure *f = &j->figures[i];
		figs[i].name = f->name;
		figs[i].unit = unit_of(f->metric);
		figs[i].cells[0] = xlsx_value_of(f->metric, &f->cell, SPAN_PERIOD, &texts[t++]);
		figs[i].cells[1] = xlsx_value_of(f->metric, &f->cell, SPAN_YTD, &texts[t++]);
		figs[i].cells[2] = xlsx_yoy_of(f->metric, &f->cell, &texts[t++]);
	}
	char title[256], unit[256], period[512], sheet[256], headers[XLSX_STATS_METRICS][64];
	title_of(j, title, sizeof(title));
	snprintf(unit, sizeof(unit), "单位：%s", center_title(j));
	period_line(j, period, sizeof(period));
	char ptitle[64];
	period_id_title(j->p.id, ptitle, sizeof(ptitle));
	snprintf(sheet, sizeof(sheet), "%s%s", center_title(j), ptitle);
	struct xlsx_stats s = {.title = title,
			       .unit = unit,
			       .period = period,
			       .sheet = sheet,
			       .rows = rows,
			       .nrows = j->nrows,
			       .figures = figs,
			       .nfigures = j->nfigures,
			       .created = j->as_of >= 0 ? (time_t)j->as_of : 0};
	for (int m = 0; m < XLSX_STATS_METRICS; m++) {
		header_of(m, headers[m], sizeof(headers[m]));
		s.headers[m] = headers[m];
	}
	return xlsx_stats_write(&s, body, len, err, errlen);
}

/* "ggzy-statistics-2021-09-433100.xlsx", and with the names:
 * "湘西州公共资源交易中心-2021年9月统计月报.xlsx". */
static void download_names(const struct job *j, struct document *d)
{
	char center[65] = "";
	document_code_append(center, sizeof(center), j->center ? j->center : "all");
	snprintf(d->filename, sizeof(d->filename), "ggzy-statistics-%s-%s.%s", j->p.id_text, center,
		 document_format_name(j->fmt));
	char rest[128], period[64];
	period_id_title(j->p.id, period, sizeof(period));
	snprintf(rest, sizeof(rest), "-%s统计%s.%s", period, period_kind_report_zh(j->p.id.kind),
		 document_format_name(j->fmt));
	document_name_append(d->filename_utf8, sizeof(d->filename_utf8), center_title(j));
	document_name_append(d->filename_utf8, sizeof(d->filename_utf8), rest);
}

static void finish(struct job *j)
{
	struct document d = {.status = 200, .content_type = document_content_type(j->fmt)};
	char *body = NULL;
	size_t len = 0;
	if (j->fmt == DOC_JSON) {
		body = render_json(j);
		len = strlen(body);
	} else if (j->fmt == DOC_XLSX) {
		char err[256];
		if (!render_xlsx(j, &body, &len, err, sizeof(err))) {
			log_error("statistics %s: %s", j->p.id_text, err);
			fail(j, 500, "xlsx_failed", "the workbook could not be made: %s", err);
			return;
		}
	} else {
		struct evbuffer *out = evbuffer_new();
		if (j->fmt == DOC_CSV)
			render_csv(j, out);
		else
			render_md(j, out);
		len = evbuffer_get_length(out);
		body = xmalloc(len + 1);
		evbuffer_remove(out, body, len);
		body[len] = '\0';
		evbuffer_free(out);
	}
	if (j->fmt != DOC_JSON)
		download_names(j, &d);
	d.body = body;
	d.len = len;
	j->cb(&d, j->arg);
	free(body);
	job_free(j);
}

/* ---- the queries ---- */

/* Every figure of the table over the same two periods. */
static void fetch(struct job *j, const char *const periods[4],
		  void (*cb)(enum indicators_status, const struct indicator_figure *, size_t,
			     void *))
{
	for (size_t i = 0; i < j->nq; i++)
		for (int k = 0; k < 4; k++)
			j->q[i].period[k] = periods[k];
	indicators_fetch(j->store, j->center, j->q, j->nq, cb, j);
}

static void on_figures(enum indicators_status status, const struct indicator_figure *figs, size_t n,
		       void *arg)
{
	struct job *j = arg;
	if (status == INDICATORS_STORE_FAILED) {
		fail(j, 503, "store_unavailable", "the store did not answer");
		return;
	}
	if (status != INDICATORS_OK || n != j->nq) {
		fail(j, 500, "bad_figure", "the store returned a figure out of range");
		return;
	}
	enum span a = j->second ? SPAN_PREV_YTD : SPAN_PERIOD;
	enum span b = j->second ? SPAN_PREV_PERIOD : SPAN_YTD;
	for (size_t i = 0; i < n; i++) {
		struct cell *c = cell_of_query(j, i);
		c->v[a] = figs[i].value[0];
		c->ok[a] = figs[i].defined[0];
		c->v[b] = figs[i].value[1];
		c->ok[b] = figs[i].defined[1];
	}
	if (j->second) {
		finish(j);
		return;
	}
	j->second = true;
	const char *periods[4] = {j->p.prev_ytd_from, j->p.prev_ytd_to, j->p.prev_from,
				  j->p.prev_to};
	fetch(j, periods, on_figures);
}

static void on_meta(PGresult *res, const char *error, void *arg)
{
	struct job *j = arg;
	if (error || PQntuples(res) != 1) {
		log_warn("statistics %s: store query failed: %s", j->p.id_text,
			 error ? error : "no row");
		fail(j, 503, "store_unavailable", "the store did not answer");
		return;
	}
	if (strcmp(PQgetvalue(res, 0, 0), "t") != 0) {
		fail(j, 404, "unknown_center",
		     "centre '%.64s' is not in the store's centre hierarchy", j->center);
		return;
	}
	if (!PQgetisnull(res, 0, 1))
		j->center_name = xstrdup(PQgetvalue(res, 0, 1));
	j->as_of = PQgetisnull(res, 0, 2) ? -1 : atoll(PQgetvalue(res, 0, 2));
	const char *periods[4] = {j->p.from, j->p.to, j->p.ytd_from, j->p.ytd_to};
	fetch(j, periods, on_figures);
}

void statistics_build(const struct statistics_context *ctx, const char *period, const char *center,
		      enum document_format fmt, document_cb cb, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->store = ctx->store;
	j->cb = cb;
	j->arg = arg;
	j->fmt = fmt;
	j->center = xstrdup_or_null(center);
	struct period_id id;
	if (!period || !period_id_parse(period, &id)) {
		fail(j, 400, "bad_parameter",
		     "'period' must be a month (2021-09), a quarter (2021-Q3), a half (2021-H1) or "
		     "a year (2021)");
		return;
	}
	char today_text[11];
	long today;
	wallclock_day(wallclock_now(ctx->clock), today_text);
	if (!days_parse(today_text, &today) || !period_stat_of(id, today, &j->p)) {
		char text[PERIOD_ID_TEXT];
		period_id_format(id, text);
		fail(j, 400, "bad_parameter", "period %s has not begun (today is %s)", text,
		     today_text);
		return;
	}
	shape(j);
	const char *params[2] = {center, ctx->sources};
	store_query(j->store, sql_text("queries/report_meta.sql"), 2, params, on_meta, j);
}
