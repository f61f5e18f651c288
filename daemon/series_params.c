#include "series_params.h"

#include <event2/http.h>
#include <stdio.h>
#include <string.h>

#include "days.h"

static const char *const steps[] = {"day", "week", "month", "quarter", "year", NULL};

long series_count_periods(long from, long to, const char *step)
{
	int y1, m1, d1, y2, m2, d2;
	days_to_civil(from, &y1, &m1, &d1);
	days_to_civil(to, &y2, &m2, &d2);
	if (strcmp(step, "day") == 0)
		return to - from + 1;
	if (strcmp(step, "week") == 0) {
		long monday = from - ((from + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday */
		return (to - monday) / 7 + 1;
	}
	if (strcmp(step, "month") == 0)
		return (y2 * 12L + m2) - (y1 * 12L + m1) + 1;
	if (strcmp(step, "quarter") == 0)
		return (y2 * 4L + (m2 - 1) / 3) - (y1 * 4L + (m1 - 1) / 3) + 1;
	return y2 - y1 + 1;
}

/* Everything but the labels; q holds the validated pairs. */
static bool parse_core(struct evkeyvalq *q, const struct series_limits *limits,
		       struct series_params *out, struct http_error *err)
{
	const char *metric = evhttp_find_header(q, "metric");
	const char *from_s = evhttp_find_header(q, "from");
	const char *to_s = evhttp_find_header(q, "to");
	const char *step = evhttp_find_header(q, "step");
	const char *cumulative = evhttp_find_header(q, "cumulative");
	if (!step)
		step = "day";
	bool valid_step = false;
	for (const char *const *s = steps; *s; s++)
		valid_step |= strcmp(*s, step) == 0;

	if (!metric) {
		http_error_set(err, 400, "missing_parameter", "parameter 'metric' is required");
		return false;
	}
	out->metric = catalog_find(metric);
	if (!out->metric) {
		http_error_set(err, 400, "unknown_metric",
			       "unknown metric '%.64s' (see /api/v1/metrics)", metric);
		return false;
	}
	if (!from_s || !to_s) {
		http_error_set(err, 400, "missing_parameter",
			       "parameters 'from' and 'to' (YYYY-MM-DD) are required");
		return false;
	}
	if (!days_parse(from_s, &out->from_day)) {
		http_error_set(err, 400, "bad_parameter",
			       "'from' must be a date YYYY-MM-DD between %d and %d", DAYS_MIN_YEAR,
			       DAYS_MAX_YEAR);
		return false;
	}
	if (!days_parse(to_s, &out->to_day)) {
		http_error_set(err, 400, "bad_parameter",
			       "'to' must be a date YYYY-MM-DD between %d and %d", DAYS_MIN_YEAR,
			       DAYS_MAX_YEAR);
		return false;
	}
	if (out->from_day > out->to_day) {
		http_error_set(err, 400, "bad_parameter", "'from' is after 'to'");
		return false;
	}
	if (!valid_step) {
		http_error_set(err, 400, "bad_parameter",
			       "'step' must be day, week, month, quarter or year");
		return false;
	}
	if (cumulative && strcmp(cumulative, "0") != 0 && strcmp(cumulative, "1") != 0 &&
	    strcmp(cumulative, "true") != 0 && strcmp(cumulative, "false") != 0) {
		http_error_set(err, 400, "bad_parameter", "'cumulative' must be 0 or 1");
		return false;
	}
	out->points = series_count_periods(out->from_day, out->to_day, step);
	if (out->points > limits->max_points) {
		http_error_set(err, 400, "too_many_points",
			       "%ld points asked for; at most %ld per request (use a larger step)",
			       out->points, limits->max_points);
		return false;
	}
	/* Canonical text: days_parse accepted exactly these 10 characters. */
	days_format(out->from_day, out->from);
	days_format(out->to_day, out->to);
	snprintf(out->step, sizeof(out->step), "%s", step);
	out->cumulative =
	    cumulative && (strcmp(cumulative, "1") == 0 || strcmp(cumulative, "true") == 0);
	if (out->cumulative && out->metric->total == TOTAL_STOCK) {
		http_error_set(err, 400, "bad_parameter",
			       "%s is a stock (its value on each point's last day): "
			       "cumulative=1 does not apply",
			       out->metric->name);
		return false;
	}
	return true;
}

/* TEXT's comma-separated values as codes, joined by commas into BUF, the
 * values that cannot occur left out (BUF "" when none can). False for an
 * empty value in the list ("a,,b") or a BUF too small. */
static bool label_list(unsigned label, const char *text, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (const char *p = text;;) {
		size_t n = strcspn(p, ",");
		char value[QUERY_MAX_VALUE + 1];
		if (n == 0 || n > QUERY_MAX_VALUE)
			return false;
		memcpy(value, p, n);
		value[n] = '\0';
		const char *code = catalog_label_value_code(label, value);
		if (code) {
			int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", code);
			if (w < 0 || (size_t)w >= len - used)
				return false;
			used += (size_t)w;
		}
		if (!p[n])
			return true;
		p += n + 1;
	}
}

bool series_params_from_pairs(struct evkeyvalq *q, const struct series_limits *limits,
			      struct series_params *out, struct http_error *err)
{
	memset(out, 0, sizeof(*out));
	if (!parse_core(q, limits, out, err))
		return false;
	for (int l = 0; l < LABEL_COUNT; l++) {
		const char *v = evhttp_find_header(q, catalog_label_names[l]);
		if (!v)
			continue;
		if (!(out->metric->labels & (1u << l))) {
			http_error_set(err, 400, "unknown_label", "metric %s has no label '%s'",
				       out->metric->name, catalog_label_names[l]);
			return false;
		}
		/* The codes of SPEC §2, or the names the page shows (工程建设),
		 * one or a list; a value that cannot occur matches nothing. */
		if (!label_list(1u << l, v, out->label_buf[l], sizeof(out->label_buf[l]))) {
			http_error_set(err, 400, "bad_parameter",
				       "'%s' must be a value or a comma-separated list of values",
				       catalog_label_names[l]);
			return false;
		}
		out->empty |= !out->label_buf[l][0];
		out->labels[l] = out->label_buf[l];
	}
	return true;
}

bool series_params_parse(const char *query, const struct series_limits *limits,
			 struct series_params *out, struct http_error *err)
{
	static const char *const allowed[] = {"metric", "from",	      "to",   "step",
					      "center", "category",   "kind", "scope",
					      "role",	"cumulative", NULL};
	memset(out, 0, sizeof(*out));
	struct evkeyvalq q;
	if (!query_parse(query, allowed, &q, err))
		return false;
	bool ok = series_params_from_pairs(&q, limits, out, err);
	evhttp_clear_headers(&q);
	return ok;
}
