#include "form_verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "csv_read.h"
#include "quantity.h"
#include "score.h"
#include "targets.h"
#include "xmalloc.h"

/* A form is a page or two; anything this large is not one. */
#define FORM_MAX_BYTES (4 * 1024 * 1024)

enum column { COL_L1, COL_L2, COL_NAME, COL_TARGET, COL_ACTUAL, COL_WEIGHT, COL_SCORE, NCOLS };
static const char *const column_names[NCOLS] = {"一级指标",   "二级指标", "三级指标", "年度指标值",
						"实际完成值", "分值",	  "得分"};

struct form_line {
	int line;
	char *name; /* 三级指标, else 二级, else 一级 */
	bool budget;
	char *target, *actual, *weight_text, *score_text;
	struct dec weight, score;
};

struct form {
	char *path;
	struct form_line *lines;
	size_t nlines;
	int total_line;
	char *total_weight_text, *total_score_text; /* weight "" when not given */
	struct dec total_weight, total_score;
	int grade_line; /* 0: no 自评等级 row */
	char *grade;
};

/* ---- reading ---- */

/* Spaces a spreadsheet leaves around a cell: ASCII, no-break, ideographic. */
static size_t space_at(const char *p)
{
	if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		return 1;
	if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
		return 2;
	if ((unsigned char)p[0] == 0xE3 && (unsigned char)p[1] == 0x80 &&
	    (unsigned char)p[2] == 0x80)
		return 3;
	return 0;
}

/* S without its spaces around (TRIM) or anywhere (compact), new string. */
static char *clean(const char *s, bool compact)
{
	char *out = xmalloc(strlen(s) + 1);
	size_t n = 0, keep = 0;
	const char *p = s;
	while (*p && space_at(p) && !compact)
		p += space_at(p);
	while (*p) {
		size_t sp = space_at(p);
		if (sp) {
			p += sp;
			if (!compact) {
				out[n++] = ' ';
				while (*p && space_at(p))
					p += space_at(p);
			}
			continue;
		}
		out[n++] = *p++;
		keep = n;
	}
	out[keep] = '\0';
	return out;
}

static bool compact_eq(const char *a, const char *b)
{
	char *x = clean(a, true), *y = clean(b, true);
	bool eq = strcmp(x, y) == 0;
	free(x);
	free(y);
	return eq;
}

/* 分值 and 得分 as written, without spaces and a unit 分 ("10分"). */
static char *points_text(const char *text)
{
	char *t = clean(text, true);
	size_t n = strlen(t);
	if (n >= 3 && strcmp(t + n - 3, "分") == 0)
		t[n - 3] = '\0';
	return t;
}

static bool parse_points(const char *text, struct dec *out)
{
	char *t = points_text(text);
	bool ok = *t && dec_parse(t, out);
	free(t);
	return ok;
}

static const char *field(const struct csv_record *r, int col)
{
	return col >= 0 && (size_t)col < r->nfields ? r->fields[col] : "";
}

static bool is_empty(const char *s)
{
	char *t = clean(s, true);
	bool e = !*t;
	free(t);
	return e;
}

/* "自评等级", "自评等级：优": the row's grade, or NULL when it is not one. */
static char *grade_of_row(const struct csv_record *r)
{
	static const char *const labels[] = {"自评等级", "评价等级", "等级", NULL};
	for (size_t k = 0; k < r->nfields; k++) {
		char *c = clean(r->fields[k], true);
		for (const char *const *l = labels; *l; l++) {
			size_t n = strlen(*l);
			if (strncmp(c, *l, n) != 0)
				continue;
			const char *rest = c + n;
			if (strncmp(rest, "：", 3) == 0)
				rest += 3;
			else if (*rest == ':')
				rest++;
			else if (*rest)
				continue;
			if (*rest) {
				char *g = xstrdup(rest);
				free(c);
				return g;
			}
			free(c);
			for (size_t m = k + 1; m < r->nfields; m++)
				if (!is_empty(r->fields[m]))
					return clean(r->fields[m], true);
			return xstrdup("");
		}
		free(c);
	}
	return NULL;
}

static bool is_total_label(const char *s)
{
	static const char *const labels[] = {"合计", "总计", "总分", NULL};
	for (const char *const *l = labels; *l; l++)
		if (compact_eq(s, *l))
			return true;
	return false;
}

void form_free(struct form *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nlines; i++) {
		struct form_line *l = &f->lines[i];
		free(l->name);
		free(l->target);
		free(l->actual);
		free(l->weight_text);
		free(l->score_text);
	}
	free(f->lines);
	free(f->total_weight_text);
	free(f->total_score_text);
	free(f->grade);
	free(f->path);
	free(f);
}

/* The header: the first record naming 三级指标; every column found in it. */
static bool find_header(const struct csv_table *t, const char *path, size_t *at, int cols[NCOLS],
			struct config_errors *errs)
{
	for (size_t i = 0; i < t->nrecords; i++) {
		const struct csv_record *r = &t->records[i];
		bool header = false;
		for (size_t k = 0; k < r->nfields; k++)
			header |= compact_eq(r->fields[k], "三级指标");
		if (!header)
			continue;
		bool ok = true;
		for (int c = 0; c < NCOLS; c++) {
			cols[c] = -1;
			for (size_t k = 0; k < r->nfields && cols[c] < 0; k++)
				if (compact_eq(r->fields[k], column_names[c]))
					cols[c] = (int)k;
			if (cols[c] < 0) {
				config_errors_add(errs, path, r->line,
						  "the header has no column %s (a form has the "
						  "report's columns: 一级指标, 二级指标, 三级指标, "
						  "年度指标值, 实际完成值, 分值, 得分)",
						  column_names[c]);
				ok = false;
			}
		}
		*at = i;
		return ok;
	}
	config_errors_add(errs, path, t->nrecords ? t->records[0].line : 1,
			  "no header row with 三级指标 (a form has the report's columns: 一级指标, "
			  "二级指标, 三级指标, 年度指标值, 实际完成值, 分值, 得分)");
	return false;
}

/* A 分值 or 得分 cell: its text in *text, its value in *value. */
static bool read_points(struct form *f, int line, const char *what, const char *raw, char **text,
			struct dec *value, struct config_errors *errs)
{
	*text = points_text(raw);
	if (parse_points(raw, value))
		return true;
	char *shown = clean(raw, false);
	config_errors_add(errs, f->path, line, "%s '%.64s' is not a number", what, shown);
	free(shown);
	return false;
}

static bool read_total(struct form *f, const struct csv_record *r, const int cols[NCOLS],
		       struct config_errors *errs)
{
	f->total_line = r->line;
	const char *w = field(r, cols[COL_WEIGHT]);
	bool ok = true;
	if (is_empty(w))
		f->total_weight_text = xstrdup(""); /* the weights' sum is not written */
	else
		ok = read_points(f, r->line, "合计: 分值", w, &f->total_weight_text,
				 &f->total_weight, errs);
	return read_points(f, r->line, "合计: 得分", field(r, cols[COL_SCORE]),
			   &f->total_score_text, &f->total_score, errs) &&
	       ok;
}

static bool read_line(struct form *f, const struct csv_record *r, const int cols[NCOLS],
		      struct config_errors *errs)
{
	const char *w = field(r, cols[COL_WEIGHT]), *s = field(r, cols[COL_SCORE]);
	if (is_empty(w) && is_empty(s))
		return true; /* a heading of a group of lines, or an empty row */
	f->lines = xreallocarray(f->lines, f->nlines + 1, sizeof(*f->lines));
	struct form_line *l = &f->lines[f->nlines++];
	*l = (struct form_line){.line = r->line};
	const char *name = field(r, cols[COL_NAME]);
	if (is_empty(name))
		name = field(r, cols[COL_L2]);
	if (is_empty(name))
		name = field(r, cols[COL_L1]);
	l->name = clean(name, false);
	for (int c = COL_L1; c <= COL_NAME; c++)
		l->budget |= strstr(field(r, cols[c]), "预算执行率") != NULL;
	l->target = clean(field(r, cols[COL_TARGET]), false);
	l->actual = clean(field(r, cols[COL_ACTUAL]), false);
	char what[300];
	snprintf(what, sizeof(what), "%.200s: 分值", l->name);
	bool ok = read_points(f, r->line, what, w, &l->weight_text, &l->weight, errs);
	snprintf(what, sizeof(what), "%.200s: 得分", l->name);
	return read_points(f, r->line, what, s, &l->score_text, &l->score, errs) && ok;
}

struct form *form_parse(const char *path, const char *text, size_t len, struct config_errors *errs)
{
	struct csv_table t;
	int err_line;
	char err[256];
	if (!csv_parse(text, len, &t, &err_line, err, sizeof(err))) {
		config_errors_add(errs, path, err_line, "%s", err);
		csv_free(&t);
		return NULL;
	}
	struct form *f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	int cols[NCOLS];
	size_t at;
	bool ok = find_header(&t, path, &at, cols, errs);
	for (size_t i = at + 1; ok && i < t.nrecords; i++) {
		const struct csv_record *r = &t.records[i];
		/* The grade has a row of its own, or a cell of the 合计 row. */
		char *grade = grade_of_row(r);
		if (grade && !f->grade_line) {
			f->grade_line = r->line;
			f->grade = grade;
			grade = NULL;
		}
		bool graded = f->grade_line == r->line;
		free(grade);
		if (f->total_line)
			continue; /* notes below the form */
		bool total = false;
		for (int c = COL_L1; c <= COL_NAME; c++)
			total |= is_total_label(field(r, cols[c]));
		if (total)
			ok = read_total(f, r, cols, errs);
		else if (!graded)
			ok = read_line(f, r, cols, errs);
	}
	if (ok && !f->nlines) {
		config_errors_add(errs, path, t.records[at].line,
				  "no indicator lines (with 分值 and 得分) below the header");
		ok = false;
	}
	if (ok && !f->total_line) {
		config_errors_add(errs, path, t.records[t.nrecords - 1].line,
				  "no 合计 row after the indicator lines");
		ok = false;
	}
	csv_free(&t);
	if (!ok) {
		form_free(f);
		return NULL;
	}
	return f;
}

struct form *form_load(const char *path, struct config_errors *errs)
{
	FILE *file = fopen(path, "rb");
	if (!file) {
		config_errors_add(errs, path, 0, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = xmalloc(FORM_MAX_BYTES + 1);
	size_t len = fread(text, 1, FORM_MAX_BYTES + 1, file);
	bool failed = ferror(file);
	fclose(file);
	struct form *f = NULL;
	if (failed)
		config_errors_add(errs, path, 0, "cannot read %s: %s", path, strerror(errno));
	else if (len > FORM_MAX_BYTES)
		config_errors_add(errs, path, 0, "%s is larger than %d bytes; is this a form?",
				  path, FORM_MAX_BYTES);
	else if (len == 0)
		config_errors_add(errs, path, 1, "the form is empty");
	else
		f = form_parse(path, text, len, errs);
	free(text);
	return f;
}

/* ---- checking ---- */

static const char *trim_dec(struct dec d, char *buf, size_t len)
{
	dec_format_trim(d, buf, len);
	return buf;
}

static const char *score_text(struct dec d, char *buf, size_t len)
{
	struct dec r;
	if (!dec_round(d, SCORE_SCALE, &r))
		r = d;
	dec_format(r, buf, len);
	return buf;
}

/* The report's line named NAME (targets lines only), or NULL. */
static const struct report_figure *report_line(const struct report_figures *rf, const char *name)
{
	for (size_t i = 0; i < rf->nlines; i++)
		if (rf->lines[i].ind && compact_eq(rf->lines[i].ind->name, name))
			return &rf->lines[i];
	return NULL;
}

static int cmp(struct dec a, struct dec b)
{
	int c = 0;
	return dec_cmp(a, b, &c) ? c : 1;
}

/* The arithmetic of score_computed for A and T as the form writes them. */
static void arithmetic(enum direction dir, enum lower_rule rule, struct dec w,
		       const struct quantity *t, const struct quantity *a, char *buf, size_t len)
{
	struct dec tn, an;
	const char *unit;
	char W[64], T[64], A[64];
	if (!quantity_common(t, a, &tn, &an, &unit)) {
		tn = t->value;
		an = a->value;
	}
	trim_dec(w, W, sizeof(W));
	trim_dec(tn, T, sizeof(T));
	trim_dec(an, A, sizeof(A));
	int c = cmp(a->value, t->value);
	if (dir == DIRECTION_HIGHER) {
		if (c >= 0)
			snprintf(buf, len, "%s ≥ %s: %s", A, T, W);
		else if (dec_is_zero(t->value) || dec_is_negative(a->value))
			snprintf(buf, len, "%s < %s: 0", A, T);
		else
			snprintf(buf, len, "%s × %s / %s", W, A, T);
		return;
	}
	if (c <= 0)
		snprintf(buf, len, "%s ≤ %s: %s", A, T, W);
	else if (dec_is_zero(t->value) || dec_is_negative(t->value))
		snprintf(buf, len, "%s > %s: 0", A, T);
	else if (rule == LOWER_RATIO)
		snprintf(buf, len, "%s × %s / %s", W, T, A);
	else {
		struct dec twice;
		if (dec_add(t->value, t->value, &twice) && cmp(a->value, twice) >= 0)
			snprintf(buf, len, "%s ≥ 2 × %s: 0", A, T);
		else
			snprintf(buf, len, "%s × (1 − (%s − %s) / %s)", W, A, T, T);
	}
}

struct check {
	const struct form *f;
	const struct report_figures *rf;
	struct config_errors *out;
	struct form_summary *sum;
	enum lower_rule rule;
};

static void disagree(struct check *k, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void disagree(struct check *k, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_errors_add(k->out, k->f->path, line, "%s", msg);
	k->sum->disagreements++;
}

/* Recomputes L's score when it is quantitative; its contribution to the
 * total (the recomputed score, or the written one) in *contrib. */
static void check_score(struct check *k, const struct form_line *l, const struct report_figure *rl,
			struct dec *contrib)
{
	struct quantity t, a;
	bool t_ok = quantity_parse(l->target, &t), a_ok = quantity_parse(l->actual, &a);
	bool budget = l->budget || (rl && rl->ind->manual == MANUAL_BUDGET);
	struct dec s;
	char how[256], S[64], W[64];
	*contrib = l->score;
	if (budget && a_ok && a.kind == QUANTITY_PERCENT) {
		if (!score_budget(l->weight, dec_from_int(1), a.value, &s))
			return;
		if (cmp(a.value, dec_from_int(1)) >= 0)
			snprintf(how, sizeof(how), "%s ≥ 100%%: %s", l->actual,
				 trim_dec(l->weight, W, sizeof(W)));
		else
			snprintf(how, sizeof(how), "%s × %s", trim_dec(l->weight, W, sizeof(W)),
				 l->actual);
	} else if (t_ok && a_ok) {
		if (!quantity_comparable(&t, &a)) {
			disagree(k, l->line,
				 "年度指标值 %s and 实际完成值 %s are %s and %s: not comparable",
				 l->target, l->actual, quantity_kind_text(t.kind),
				 quantity_kind_text(a.kind));
			return;
		}
		enum direction dir = quantity_direction(&t);
		if (!quantity_has_sign(&t) && rl &&
		    (rl->ind->manual == MANUAL_NONE || rl->ind->manual == MANUAL_QUANTITY))
			dir = rl->ind->direction;
		if (!score_computed(dir, k->rule, l->weight, t.value, frac_of(a.value), &s))
			return;
		arithmetic(dir, k->rule, l->weight, &t, &a, how, sizeof(how));
	} else {
		/* Qualitative: carried as written, within its weight. */
		if (cmp(l->score, l->weight) > 0 || dec_is_negative(l->score))
			disagree(k, l->line, "得分 %s, not between 0 and its 分值 %s",
				 l->score_text, l->weight_text);
		return;
	}
	k->sum->rescored++;
	*contrib = s;
	if (cmp(l->score, s) == 0)
		return;
	/* The daemon's own report scores the exact figures it prints rounded. */
	if (rl && rl->has_score && strcmp(l->target, rl->target_display) == 0 &&
	    strcmp(l->actual, rl->display) == 0 && cmp(l->score, rl->score) == 0) {
		*contrib = rl->score;
		return;
	}
	disagree(k, l->line, "得分 %s, computed %s (%s)", l->score_text,
		 score_text(s, S, sizeof(S)), how);
}

/* The store's figure as the form would write it, for messages. */
static void store_figure(const struct report_figure *rl, char *buf, size_t len)
{
	char n[64], d[64];
	struct dec v;
	if (!rl->defined) {
		snprintf(buf, len, "nothing to divide by");
	} else if (rl->metric->kind == METRIC_RATE) {
		snprintf(buf, len, "%s / %s", trim_dec(rl->actual.num, n, sizeof(n)),
			 trim_dec(rl->actual.den, d, sizeof(d)));
	} else if (frac_value(rl->actual, rl->metric->kind == METRIC_AMOUNT ? 2 : 0, &v)) {
		dec_format(v, n, sizeof(n));
		snprintf(buf, len, "%s%s", n, rl->metric->unit);
	} else {
		snprintf(buf, len, "out of range");
	}
}

static void check_actual(struct check *k, const struct form_line *l, const struct report_figure *rl)
{
	if (!rl || !rl->metric)
		return;
	k->sum->compared++;
	struct quantity a;
	bool a_ok = quantity_parse(l->actual, &a);
	char in_store[128], shown[128];
	store_figure(rl, in_store, sizeof(in_store));
	if (!rl->defined) {
		if (a_ok)
			disagree(k, l->line, "实际完成值 %s, computed — (%s in the store: %s)",
				 l->actual, rl->metric->name, in_store);
		return;
	}
	if (a_ok && quantity_fits_metric(&a, rl->metric->kind)) {
		/* To the unit and the decimals shown, at least 2. */
		int scale = a.number.scale > SCORE_SCALE ? a.number.scale : SCORE_SCALE;
		struct dec v;
		if (!quantity_in_unit_of(rl->actual, &a, scale, &v) || cmp(v, a.number) == 0)
			return;
		char num[64];
		snprintf(shown, sizeof(shown), "%s%s", trim_dec(v, num, sizeof(num)), a.unit);
	} else {
		snprintf(shown, sizeof(shown), "%s", rl->display);
	}
	disagree(k, l->line, "实际完成值 %s, computed %s (%s in the store: %s)", l->actual, shown,
		 rl->metric->name, in_store);
}

/* "20 + 9.79 + …" of N decimals, or a count when that is too long. */
static void sum_text(const struct dec *v, size_t n, bool scores, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		char x[64];
		if (scores)
			score_text(v[i], x, sizeof(x));
		else
			trim_dec(v[i], x, sizeof(x));
		int w = snprintf(buf + used, len - used, "%s%s", i ? " + " : "", x);
		if (w < 0 || (size_t)w >= len - used || used + (size_t)w > 300) {
			snprintf(buf, len, "the sum of the %zu lines", n);
			return;
		}
		used += (size_t)w;
	}
}

static const char *grade_name(const char *written)
{
	static const struct {
		const char *text, *grade;
	} names[] = {{"优", "优"}, {"优秀", "优"}, {"良", "良"}, {"良好", "良"},
		     {"中", "中"}, {"中等", "中"}, {"差", "差"}, {"较差", "差"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (compact_eq(written, names[i].text))
			return names[i].grade;
	return written;
}

static void check_totals(struct check *k, const struct dec *contrib)
{
	const struct form *f = k->f;
	struct dec total = dec_from_int(0), weights = dec_from_int(0);
	struct dec *w = xcalloc(f->nlines, sizeof(*w));
	for (size_t i = 0; i < f->nlines; i++) {
		w[i] = f->lines[i].weight;
		if (!dec_add(total, contrib[i], &total) || !dec_add(weights, w[i], &weights)) {
			free(w);
			return;
		}
	}
	char how[512], S[64];
	if (*f->total_weight_text && cmp(f->total_weight, weights) != 0) {
		sum_text(w, f->nlines, false, how, sizeof(how));
		disagree(k, f->total_line, "分值 %s, computed %s (%s)", f->total_weight_text,
			 trim_dec(weights, S, sizeof(S)), how);
	}
	free(w);
	if (!dec_round(total, SCORE_SCALE, &total))
		return;
	if (cmp(f->total_score, total) != 0) {
		sum_text(contrib, f->nlines, true, how, sizeof(how));
		disagree(k, f->total_line, "得分 %s, computed %s (%s)", f->total_score_text,
			 score_text(total, S, sizeof(S)), how);
	}
	if (!f->grade_line)
		return;
	struct grade_bands defaults;
	grade_bands_default(&defaults);
	const struct grade_bands *g = k->rf->ty ? &k->rf->ty->grades : &defaults;
	const char *want = score_grade(total, g), *got = grade_name(f->grade);
	if (strcmp(want, got) == 0)
		return;
	char T[64], lo[64], hi[64];
	score_text(total, T, sizeof(T));
	int i = strcmp(want, "优") == 0	  ? 0
		: strcmp(want, "良") == 0 ? 1
		: strcmp(want, "中") == 0 ? 2
					  : 3;
	if (i == 0)
		snprintf(how, sizeof(how), "%s ≥ %s", T, trim_dec(g->min[0], lo, sizeof(lo)));
	else if (i == 3)
		snprintf(how, sizeof(how), "%s < %s", T, trim_dec(g->min[2], lo, sizeof(lo)));
	else
		snprintf(how, sizeof(how), "%s ≤ %s < %s", trim_dec(g->min[i], lo, sizeof(lo)), T,
			 trim_dec(g->min[i - 1], hi, sizeof(hi)));
	disagree(k, f->grade_line, "自评等级 %s, computed %s (%s)",
		 *f->grade ? f->grade : "(empty)", want, how);
}

void form_verify(const struct form *f, const struct report_figures *rf, struct config_errors *out,
		 struct form_summary *sum)
{
	*sum = (struct form_summary){.lines = f->nlines};
	struct check k = {
	    .f = f, .rf = rf, .out = out, .sum = sum, .rule = rf->ty ? rf->ty->lower : LOWER_RATIO};
	struct dec *contrib = xcalloc(f->nlines, sizeof(*contrib));
	for (size_t i = 0; i < f->nlines; i++) {
		const struct form_line *l = &f->lines[i];
		const struct report_figure *rl = report_line(rf, l->name);
		check_score(&k, l, rl, &contrib[i]);
		check_actual(&k, l, rl);
	}
	check_totals(&k, contrib);
	free(contrib);
}
