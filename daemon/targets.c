#include "targets.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_lines.h"
#include "xmalloc.h"

/* A targets file is a few kilobytes; anything this large is a mistake. */
#define TARGETS_MAX_BYTES (4 * 1024 * 1024)
#define PATH_MAX_LEN JSON_LINES_PATH_MAX
#define NAME_MAX_LEN 200

/* ---- validation ---- */

struct loader {
	const char *path;
	struct jmap map;
	struct config_errors *errs;
	int nerrs;
};

static void fail(struct loader *ld, const char *jpath, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fail(struct loader *ld, const char *jpath, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	config_errors_add(ld->errs, ld->path, jmap_line(&ld->map, jpath), "%s", msg);
	ld->nerrs++;
}

static bool only_keys(struct loader *ld, const char *jpath, json_t *obj, const char *what,
		      const char *const *allowed)
{
	const char *key;
	json_t *v;
	bool ok = true;
	json_object_foreach(obj, key, v)
	{
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known |= strcmp(*a, key) == 0;
		if (!known) {
			char p[PATH_MAX_LEN];
			snprintf(p, sizeof(p), "%s/%s", jpath, key);
			fail(ld, p, "%s: unknown key '%.64s'", what, key);
			ok = false;
		}
	}
	return ok;
}

/* A number written as a JSON number or a string, parsed exactly. */
static bool get_decimal(struct loader *ld, const char *jpath, json_t *v, const char *what,
			const char *example, struct dec *out)
{
	const char *text = NULL;
	if (json_is_string(v)) {
		text = json_string_value(v);
	} else if (json_is_number(v)) {
		const struct jpos *p = jmap_find(&ld->map, jpath);
		text = p ? p->literal : NULL;
	}
	if (!text || !dec_parse(text, out)) {
		fail(ld, jpath, "%s must be a decimal number, e.g. %s", what, example);
		return false;
	}
	return true;
}

static char *get_text(struct loader *ld, const char *jpath, json_t *v, const char *what,
		      bool required)
{
	if (!v) {
		if (required)
			fail(ld, jpath, "%s is required", what);
		return required ? NULL : xstrdup("");
	}
	const char *s = json_string_value(v);
	if (!s || (required && !*s) || strlen(s) > NAME_MAX_LEN) {
		fail(ld, jpath, "%s must be a%s text of at most %d bytes", what,
		     required ? " non-empty" : "", NAME_MAX_LEN);
		return NULL;
	}
	return xstrdup(s);
}

static void indicator_free(struct indicator *ind)
{
	free(ind->name);
	free(ind->level1);
	free(ind->level2);
	for (int l = 0; l < LABEL_COUNT; l++)
		free(ind->filter[l]);
	free(ind->manual_target);
	free(ind->manual_actual);
}

static int compare_texts(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A filter's value: one string, or a list of them (their union), each a
 * value the label can take; the list canonical (sorted, unique, joined by
 * commas) so that two indicators over the same union compare equal. NULL
 * after a failure. */
static char *filter_values(struct loader *ld, const char *vp, const char *key, unsigned bit,
			   json_t *v)
{
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	if (json_is_array(v) && n == 0) {
		fail(ld, vp, "filter: %s lists no value", key);
		return NULL;
	}
	const char **values = xcalloc(n, sizeof(*values));
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_is_array(v) ? json_array_get(v, i) : v;
		char ep[PATH_MAX_LEN];
		if (json_is_array(v))
			snprintf(ep, sizeof(ep), "%s/%zu", vp, i);
		else
			snprintf(ep, sizeof(ep), "%s", vp);
		const char *value = json_string_value(e);
		if (!value || !catalog_label_value_known(bit, value)) {
			fail(ld, ep, "filter: %s has no value %s%.64s%s", key, value ? "'" : "",
			     value ? value : "of that type", value ? "'" : "");
			ok = false;
			continue;
		}
		values[i] = value;
	}
	char *out = NULL;
	if (ok) {
		qsort(values, n, sizeof(*values), compare_texts);
		size_t len = 0;
		for (size_t i = 0; i < n; i++)
			len += strlen(values[i]) + 1;
		out = xmalloc(len + 1);
		out[0] = '\0';
		for (size_t i = 0; i < n; i++)
			if (i == 0 || strcmp(values[i], values[i - 1]) != 0) {
				if (out[0])
					strcat(out, ",");
				strcat(out, values[i]);
			}
	}
	free(values);
	return out;
}

/* "MM-DD" as MMDD, a day that some year has (02-29 included); 0 when not. */
static int month_day_of(const char *text)
{
	static const int most[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (!text || strlen(text) != 5 || text[2] != '-')
		return 0;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (text[i] < '0' || text[i] > '9'))
			return 0;
	int m = (text[0] - '0') * 10 + (text[1] - '0'), d = (text[3] - '0') * 10 + (text[4] - '0');
	if (m < 1 || m > 12 || d < 1 || d > most[m - 1])
		return 0;
	return m * 100 + d;
}

static void load_period(struct loader *ld, const char *ip, json_t *period, struct indicator *ind)
{
	static const char *const allowed[] = {"from", "to", NULL};
	char pp[PATH_MAX_LEN];
	snprintf(pp, sizeof(pp), "%s/period", ip);
	if (!json_is_object(period)) {
		fail(ld, pp,
		     "period must be an object like {\"from\": \"09-01\", \"to\": \"12-31\"}");
		return;
	}
	if (!only_keys(ld, pp, period, "period", allowed))
		return;
	const char *names[2] = {"from", "to"};
	int *out[2] = {&ind->period_from, &ind->period_to};
	for (int k = 0; k < 2; k++) {
		json_t *v = json_object_get(period, names[k]);
		if (!v)
			continue;
		char vp[PATH_MAX_LEN];
		snprintf(vp, sizeof(vp), "%s/%s", pp, names[k]);
		*out[k] = month_day_of(json_string_value(v));
		if (!*out[k])
			fail(ld, vp, "period %s must be a month-day \"MM-DD\", e.g. \"09-01\"",
			     names[k]);
	}
	if (ind->period_from && ind->period_to && ind->period_from > ind->period_to)
		fail(ld, pp, "period: from is after to (a period lies within its year)");
}

static void load_filter(struct loader *ld, const char *ip, json_t *filter, struct indicator *ind)
{
	char fp[PATH_MAX_LEN];
	snprintf(fp, sizeof(fp), "%s/filter", ip);
	if (!json_is_object(filter)) {
		fail(ld, fp, "filter must be an object like {\"category\": \"engineering\"}");
		return;
	}
	const char *key;
	json_t *v;
	json_object_foreach(filter, key, v)
	{
		char vp[PATH_MAX_LEN];
		snprintf(vp, sizeof(vp), "%s/%s", fp, key);
		unsigned bit = catalog_label_bit(key);
		if (!bit || bit == LABEL_CENTER) {
			fail(ld, vp,
			     "filter: unknown label '%.64s' (category, kind, scope or role; the "
			     "centre is the year's \"center\")",
			     key);
			continue;
		}
		if (ind->metric && !(ind->metric->labels & bit)) {
			fail(ld, vp, "filter: metric %s has no label '%s'", ind->metric->name, key);
			continue;
		}
		ind->filter[catalog_label_index(bit)] = filter_values(ld, vp, key, bit, v);
	}
}

/* A manual line without "score": its target and actual must be quantities
 * of one kind of unit (SPEC §5), scored then like a computed indicator, the
 * target's sign giving the direction. TP and AP are their JSON paths. */
static void load_manual_quantity(struct loader *ld, const char *tp, const char *ap,
				 struct indicator *ind)
{
	static const char hint[] = "a quantity such as ≥85%, 1.5亿元 or 200宗 (or give "
				   "\"score\" for a line scored by hand)";
	ind->manual = MANUAL_QUANTITY;
	bool t_ok = ind->manual_target && quantity_parse(ind->manual_target, &ind->manual_tq);
	bool a_ok = ind->manual_actual && quantity_parse(ind->manual_actual, &ind->manual_aq);
	if (ind->manual_target && !t_ok)
		fail(ld, tp, "manual target '%.64s' is not %s", ind->manual_target, hint);
	if (ind->manual_actual && !a_ok)
		fail(ld, ap, "manual actual '%.64s' is not %s", ind->manual_actual, hint);
	if (!t_ok || !a_ok)
		return;
	if (!quantity_comparable(&ind->manual_tq, &ind->manual_aq))
		fail(ld, ap,
		     "manual actual '%.64s' is %s but the target '%.64s' is %s: give both in the "
		     "same kind of unit",
		     ind->manual_actual, quantity_kind_text(ind->manual_aq.kind),
		     ind->manual_target, quantity_kind_text(ind->manual_tq.kind));
	ind->direction = quantity_direction(&ind->manual_tq);
}

static void load_manual(struct loader *ld, const char *ip, json_t *manual, struct indicator *ind)
{
	static const char *const allowed[] = {"target", "actual",   "score",
					      "budget", "executed", NULL};
	char mp[PATH_MAX_LEN], p[PATH_MAX_LEN];
	snprintf(mp, sizeof(mp), "%s/manual", ip);
	if (!json_is_object(manual)) {
		fail(ld, mp,
		     "manual must be an object: {\"target\", \"actual\"} with or without "
		     "\"score\", or {\"budget\", \"executed\"}");
		return;
	}
	if (!only_keys(ld, mp, manual, "manual", allowed))
		return;
	bool budget = json_object_get(manual, "budget") || json_object_get(manual, "executed");
	bool scored = json_object_get(manual, "target") || json_object_get(manual, "actual") ||
		      json_object_get(manual, "score");
	if (budget && scored) {
		fail(ld, mp,
		     "manual: either {\"target\", \"actual\", \"score\"} or "
		     "{\"budget\", \"executed\"}, not both");
		return;
	}
	if (budget) {
		ind->manual = MANUAL_BUDGET;
		json_t *b = json_object_get(manual, "budget"),
		       *e = json_object_get(manual, "executed");
		snprintf(p, sizeof(p), "%s/budget", mp);
		if (!b)
			fail(ld, mp, "manual: budget is required with executed");
		else if (get_decimal(ld, p, b, "manual budget", "\"budget\": \"21\"",
				     &ind->budget) &&
			 (dec_is_negative(ind->budget) || dec_is_zero(ind->budget)))
			fail(ld, p, "manual budget must be above 0");
		snprintf(p, sizeof(p), "%s/executed", mp);
		if (!e)
			fail(ld, mp, "manual: executed is required with budget");
		else if (get_decimal(ld, p, e, "manual executed", "\"executed\": \"20.3\"",
				     &ind->executed) &&
			 dec_is_negative(ind->executed))
			fail(ld, p, "manual executed must not be negative");
		return;
	}
	ind->manual = MANUAL_SCORED;
	char tp[PATH_MAX_LEN], ap[PATH_MAX_LEN];
	snprintf(tp, sizeof(tp), "%s/target", mp);
	ind->manual_target =
	    get_text(ld, tp, json_object_get(manual, "target"), "manual target", true);
	snprintf(ap, sizeof(ap), "%s/actual", mp);
	ind->manual_actual =
	    get_text(ld, ap, json_object_get(manual, "actual"), "manual actual", true);
	snprintf(p, sizeof(p), "%s/score", mp);
	json_t *score = json_object_get(manual, "score");
	int c;
	if (!score) {
		load_manual_quantity(ld, tp, ap, ind);
		return;
	}
	if (get_decimal(ld, p, score, "manual score", "\"score\": 9.5", &ind->manual_score) &&
	    (dec_is_negative(ind->manual_score) ||
	     (dec_cmp(ind->manual_score, ind->weight, &c) && c > 0)))
		fail(ld, p, "manual score must be between 0 and the weight");
}

static void load_indicator(struct loader *ld, const char *ip, json_t *obj, struct indicator *ind)
{
	static const char *const allowed[] = {"metric", "name",	  "level1",	  "level2",
					      "filter", "period", "target",	  "direction",
					      "weight", "manual", "display_unit", NULL};
	char p[PATH_MAX_LEN];
	ind->line = jmap_line(&ld->map, ip);
	if (!json_is_object(obj)) {
		fail(ld, ip, "an indicator must be an object");
		return;
	}
	only_keys(ld, ip, obj, "indicator", allowed);
	snprintf(p, sizeof(p), "%s/name", ip);
	ind->name = get_text(ld, p, json_object_get(obj, "name"), "indicator name", true);
	snprintf(p, sizeof(p), "%s/level1", ip);
	ind->level1 = get_text(ld, p, json_object_get(obj, "level1"), "level1", false);
	snprintf(p, sizeof(p), "%s/level2", ip);
	ind->level2 = get_text(ld, p, json_object_get(obj, "level2"), "level2", false);

	snprintf(p, sizeof(p), "%s/weight", ip);
	json_t *w = json_object_get(obj, "weight");
	int c;
	if (!w)
		fail(ld, ip, "indicator %s: weight is required", ind->name ? ind->name : "");
	else if (get_decimal(ld, p, w, "weight", "\"weight\": 20 (the line's 分值)",
			     &ind->weight) &&
		 (dec_is_negative(ind->weight) || dec_is_zero(ind->weight) ||
		  (dec_cmp(ind->weight, dec_from_int(100), &c) && c > 0)))
		fail(ld, p,
		     "weight must be above 0 and at most 100, e.g. \"weight\": 20 (the line's "
		     "分值)");

	json_t *metric = json_object_get(obj, "metric"), *manual = json_object_get(obj, "manual");
	if (!metric && !manual) {
		fail(ld, ip, "indicator %s: give \"metric\" (computed) or \"manual\" (entered)",
		     ind->name ? ind->name : "");
		return;
	}
	if (metric && manual) {
		fail(ld, ip, "indicator %s: \"metric\" and \"manual\" exclude each other",
		     ind->name ? ind->name : "");
		return;
	}
	if (manual) {
		static const char *const computed_only[] = {"filter",	 "period",	 "target",
							    "direction", "display_unit", NULL};
		for (const char *const *k = computed_only; *k; k++)
			if (json_object_get(obj, *k)) {
				snprintf(p, sizeof(p), "%s/%s", ip, *k);
				fail(ld, p, "%s belongs to computed indicators, not manual ones",
				     *k);
			}
		load_manual(ld, ip, manual, ind);
		return;
	}
	snprintf(p, sizeof(p), "%s/metric", ip);
	const char *mname = json_string_value(metric);
	ind->metric = mname ? catalog_find(mname) : NULL;
	if (!ind->metric) {
		fail(ld, p, "unknown metric '%.64s' (see /api/v1/metrics)", mname ? mname : "");
		return;
	}
	json_t *filter = json_object_get(obj, "filter");
	if (filter)
		load_filter(ld, ip, filter, ind);
	json_t *period = json_object_get(obj, "period");
	if (period)
		load_period(ld, ip, period, ind);
	snprintf(p, sizeof(p), "%s/target", ip);
	json_t *target = json_object_get(obj, "target");
	if (!target)
		fail(ld, ip, "indicator %s: target is required", ind->name ? ind->name : "");
	else if (get_decimal(ld, p, target, "target",
			     "\"target\": \"12000000000.00\" (an amount in 元) or 0.95 (a rate)",
			     &ind->target) &&
		 dec_is_negative(ind->target) && ind->metric->kind != METRIC_AMOUNT)
		fail(ld, p, "target must not be negative");
	snprintf(p, sizeof(p), "%s/direction", ip);
	json_t *dir = json_object_get(obj, "direction");
	const char *d = dir ? json_string_value(dir) : "higher";
	if (d && strcmp(d, "higher") == 0)
		ind->direction = DIRECTION_HIGHER;
	else if (d && strcmp(d, "lower") == 0)
		ind->direction = DIRECTION_LOWER;
	else
		fail(ld, p, "direction must be \"higher\" or \"lower\"");
	snprintf(p, sizeof(p), "%s/display_unit", ip);
	json_t *du = json_object_get(obj, "display_unit");
	ind->display_unit = display_unit_default(ind->metric);
	if (du) {
		const char *u = json_string_value(du);
		ind->display_unit = u ? display_unit_lookup(u, ind->metric->kind) : NULL;
		char units[128];
		if (!ind->display_unit)
			fail(ld, p, "display_unit %s%.32s%s does not fit metric %s (one of: %s)",
			     u ? "'" : "", u ? u : "of that type", u ? "'" : "", ind->metric->name,
			     display_units_of(ind->metric->kind, units, sizeof(units)));
	}
}

static bool same_filter(const struct indicator *a, const struct indicator *b)
{
	for (int l = 0; l < LABEL_COUNT; l++) {
		if (!a->filter[l] != !b->filter[l])
			return false;
		if (a->filter[l] && strcmp(a->filter[l], b->filter[l]) != 0)
			return false;
	}
	return true;
}

static void load_scoring(struct loader *ld, const char *yp, json_t *scoring, struct target_year *ty)
{
	static const char *const allowed[] = {"lower", "grades", NULL};
	static const char *const grade_names[] = {"优", "良", "中", NULL};
	char sp[PATH_MAX_LEN], p[PATH_MAX_LEN];
	snprintf(sp, sizeof(sp), "%s/scoring", yp);
	if (!json_is_object(scoring)) {
		fail(ld, sp, "scoring must be an object: {\"lower\": ..., \"grades\": {...}}");
		return;
	}
	only_keys(ld, sp, scoring, "scoring", allowed);
	json_t *lower = json_object_get(scoring, "lower");
	if (lower) {
		const char *l = json_string_value(lower);
		snprintf(p, sizeof(p), "%s/lower", sp);
		if (l && strcmp(l, "ratio") == 0)
			ty->lower = LOWER_RATIO;
		else if (l && strcmp(l, "linear") == 0)
			ty->lower = LOWER_LINEAR;
		else
			fail(ld, p, "scoring lower must be \"ratio\" or \"linear\"");
	}
	json_t *grades = json_object_get(scoring, "grades");
	if (!grades)
		return;
	snprintf(p, sizeof(p), "%s/grades", sp);
	if (!json_is_object(grades)) {
		fail(ld, p,
		     "scoring grades must be an object like {\"优\": 90, \"良\": 80, \"中\": 60}");
		return;
	}
	if (!only_keys(ld, p, grades, "grades", grade_names))
		return;
	for (int i = 0; i < 3; i++) {
		char gp[PATH_MAX_LEN];
		snprintf(gp, sizeof(gp), "%s/%s", p, grade_names[i]);
		json_t *g = json_object_get(grades, grade_names[i]);
		int c;
		if (!g) {
			fail(ld, p, "scoring grades: %s is missing (give 优, 良 and 中)",
			     grade_names[i]);
			return;
		}
		if (!get_decimal(ld, gp, g, "a grade band", "\"优\": 90", &ty->grades.min[i]))
			return;
		if (dec_is_negative(ty->grades.min[i]) ||
		    (dec_cmp(ty->grades.min[i], dec_from_int(100), &c) && c > 0)) {
			fail(ld, gp, "grade band %s must be between 0 and 100", grade_names[i]);
			return;
		}
		if (i > 0 && dec_cmp(ty->grades.min[i], ty->grades.min[i - 1], &c) && c >= 0) {
			fail(ld, gp, "grade band %s must be below %s", grade_names[i],
			     grade_names[i - 1]);
			return;
		}
	}
}

static void load_year(struct loader *ld, const char *yp, json_t *obj, struct target_year *ty)
{
	static const char *const allowed[] = {"year", "center", "scoring", "indicators", NULL};
	char p[PATH_MAX_LEN];
	ty->line = jmap_line(&ld->map, yp);
	ty->lower = LOWER_RATIO;
	grade_bands_default(&ty->grades);
	if (!json_is_object(obj)) {
		fail(ld, yp, "each entry of \"years\" must be an object");
		return;
	}
	only_keys(ld, yp, obj, "year entry", allowed);
	snprintf(p, sizeof(p), "%s/year", yp);
	json_t *year = json_object_get(obj, "year");
	if (!json_is_integer(year) || json_integer_value(year) < 1901 ||
	    json_integer_value(year) > 2199)
		fail(ld, year ? p : yp, "year must be a whole year such as 2021");
	else
		ty->year = (int)json_integer_value(year);
	json_t *center = json_object_get(obj, "center");
	if (center) {
		snprintf(p, sizeof(p), "%s/center", yp);
		const char *c = json_string_value(center);
		if (!c || !*c || strlen(c) > 64)
			fail(ld, p, "center must be a centre code such as \"433100\"");
		else
			ty->center = xstrdup(c);
	}
	json_t *scoring = json_object_get(obj, "scoring");
	if (scoring)
		load_scoring(ld, yp, scoring, ty);
	json_t *inds = json_object_get(obj, "indicators");
	snprintf(p, sizeof(p), "%s/indicators", yp);
	if (!json_is_array(inds) || json_array_size(inds) == 0) {
		fail(ld, inds ? p : yp, "indicators must be a non-empty array");
		return;
	}
	ty->nindicators = json_array_size(inds);
	ty->indicators = xcalloc(ty->nindicators, sizeof(*ty->indicators));
	struct dec total = dec_from_int(0);
	for (size_t i = 0; i < ty->nindicators; i++) {
		char ip[PATH_MAX_LEN];
		snprintf(ip, sizeof(ip), "%s/%zu", p, i);
		struct indicator *ind = &ty->indicators[i];
		load_indicator(ld, ip, json_array_get(inds, i), ind);
		if (!dec_add(total, ind->weight, &total))
			total = dec_from_int(1000);
		for (size_t j = 0; j < i; j++) {
			const struct indicator *o = &ty->indicators[j];
			if (ind->name && o->name && strcmp(ind->name, o->name) == 0) {
				fail(ld, ip, "duplicate indicator '%s' (also at line %d)",
				     ind->name, o->line);
				break;
			}
			if (ind->metric && ind->metric == o->metric && same_filter(ind, o) &&
			    ind->period_from == o->period_from && ind->period_to == o->period_to) {
				fail(ld, ip,
				     "duplicate indicator: %s with the same filter and period is "
				     "already '%s' at line %d",
				     ind->metric->name, o->name ? o->name : "", o->line);
				break;
			}
		}
	}
	int c;
	if (dec_cmp(total, dec_from_int(100), &c) && c > 0) {
		char buf[64];
		dec_format_trim(total, buf, sizeof(buf));
		fail(ld, p, "weights of year %d%s%s add up to %s, more than 100", ty->year,
		     ty->center ? " centre " : "", ty->center ? ty->center : "", buf);
	}
}

static void year_free(struct target_year *ty)
{
	for (size_t i = 0; i < ty->nindicators; i++)
		indicator_free(&ty->indicators[i]);
	free(ty->indicators);
	free(ty->center);
}

struct targets *targets_retain(struct targets *t)
{
	if (t)
		t->refs++;
	return t;
}

void targets_free(struct targets *t)
{
	if (!t || --t->refs > 0)
		return;
	for (size_t i = 0; i < t->nyears; i++)
		year_free(&t->years[i]);
	free(t->years);
	free(t->path);
	free(t);
}

struct targets *targets_parse(const char *path, const char *text, size_t len,
			      struct config_errors *errs)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		config_errors_add(errs, path, jerr.line > 0 ? jerr.line : 1, "invalid JSON: %s",
				  jerr.text);
		return NULL;
	}
	struct loader ld = {.path = path, .errs = errs};
	jmap_scan(&ld.map, text, len);

	struct targets *t = xcalloc(1, sizeof(*t));
	t->refs = 1;
	t->path = xstrdup(path);
	static const char *const allowed[] = {"years", NULL};
	json_t *years = json_object_get(root, "years");
	if (!json_is_object(root)) {
		fail(&ld, "", "the targets file must be an object {\"years\": [...]}");
	} else if (only_keys(&ld, "", root, "targets", allowed) && !json_is_array(years)) {
		fail(&ld, years ? "/years" : "", "\"years\" must be an array of year entries");
	} else if (json_is_array(years)) {
		t->nyears = json_array_size(years);
		t->years = xcalloc(t->nyears ? t->nyears : 1, sizeof(*t->years));
		for (size_t i = 0; i < t->nyears; i++) {
			char yp[PATH_MAX_LEN];
			snprintf(yp, sizeof(yp), "/years/%zu", i);
			load_year(&ld, yp, json_array_get(years, i), &t->years[i]);
			for (size_t j = 0; j < i; j++) {
				const struct target_year *a = &t->years[i], *b = &t->years[j];
				if (a->year && a->year == b->year && !a->center == !b->center &&
				    (!a->center || strcmp(a->center, b->center) == 0))
					fail(&ld, yp, "year %d%s%s is already given at line %d",
					     a->year, a->center ? " centre " : "",
					     a->center ? a->center : "", b->line);
			}
		}
	}
	json_decref(root);
	jmap_free(&ld.map);
	if (ld.nerrs) {
		targets_free(t);
		return NULL;
	}
	return t;
}

struct targets *targets_load(const char *path, struct config_errors *errs)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		config_errors_add(errs, path, 0, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = xmalloc(TARGETS_MAX_BYTES + 1);
	size_t len = fread(text, 1, TARGETS_MAX_BYTES + 1, f);
	bool failed = ferror(f);
	fclose(f);
	struct targets *t = NULL;
	if (failed)
		config_errors_add(errs, path, 0, "cannot read %s: %s", path, strerror(errno));
	else if (len > TARGETS_MAX_BYTES)
		config_errors_add(errs, path, 0,
				  "%s is larger than %d bytes; is this a targets file?", path,
				  TARGETS_MAX_BYTES);
	else
		t = targets_parse(path, text, len, errs);
	free(text);
	return t;
}

const struct target_year *targets_find(const struct targets *t, int year, const char *center)
{
	if (!t)
		return NULL;
	for (size_t i = 0; i < t->nyears; i++) {
		const struct target_year *ty = &t->years[i];
		if (ty->year == year && !ty->center == !center &&
		    (!center || strcmp(ty->center, center) == 0))
			return ty;
	}
	return NULL;
}
