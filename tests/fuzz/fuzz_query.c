/* fuzz_query — the query-string parsers of the HTTP API (daemon/query.c and
 * daemon/series_params.c), which see every byte a client sends after '?'.
 *
 * The input is a raw query string (cut at its first NUL, as evhttp hands
 * it over). Invariants:
 *  - query_parse accepts only allowed, unrepeated names whose values are
 *    valid UTF-8 of at most QUERY_MAX_VALUE bytes;
 *  - series_params_parse either refuses with a 400, a known code and a
 *    message that jansson accepts (valid UTF-8: a refusal must never turn
 *    into a failed json_pack and a NULL reply), or accepts a known metric,
 *    real dates from <= to in canonical form, a known step, at most
 *    max_points periods, and only labels the metric has;
 *  - rows_cursor_decode (the rows API's `after`) either refuses or gives a
 *    sort key that encodes to a cursor decoding to the same key. */
#include <event2/http.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "days.h"
#include "fuzz.h"
#include "query.h"
#include "rows_cursor.h"
#include "series_params.h"
#include "utf8.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_query: invariant failed: %s (line %d)\n", #cond,     \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static const char *const codes[] = {
    "missing_parameter", "unknown_metric",    "bad_parameter", "unknown_label",
    "too_many_points",	 "unknown_parameter", "bad_query",     NULL};

static void check_error(const struct http_error *err)
{
	CHECK(err->status == 400);
	bool known = false;
	for (const char *const *c = codes; *c; c++)
		known |= strcmp(*c, err->code) == 0;
	CHECK(known);
	CHECK(strlen(err->message) > 5);
	CHECK(utf8_valid(err->message));
	json_t *body =
	    json_pack("{s:{s:s, s:s}}", "error", "code", err->code, "message", err->message);
	CHECK(body != NULL);
	json_decref(body);
}

static void check_series(const char *query, long max_points)
{
	const struct series_limits limits = {.max_points = max_points};
	struct series_params p;
	struct http_error err;
	if (!series_params_parse(query, &limits, &p, &err)) {
		check_error(&err);
		return;
	}
	CHECK(p.metric && catalog_find(p.metric->name) == p.metric);
	long f, t;
	CHECK(days_parse(p.from, &f) && f == p.from_day);
	CHECK(days_parse(p.to, &t) && t == p.to_day);
	CHECK(f <= t);
	CHECK(p.points >= 1 && p.points <= max_points);
	CHECK(p.points == series_count_periods(f, t, p.step));
	static const char *const steps[] = {"day", "week", "month", "quarter", "year"};
	bool step_ok = false;
	for (size_t i = 0; i < 5; i++)
		step_ok |= strcmp(steps[i], p.step) == 0;
	CHECK(step_ok);
	for (int l = 0; l < LABEL_COUNT; l++) {
		if (!p.labels[l])
			continue;
		CHECK(p.metric->labels & (1u << l));
		CHECK(strlen(p.labels[l]) <= QUERY_MAX_VALUE);
		CHECK(utf8_valid(p.labels[l]));
	}
}

static void check_query(const char *query)
{
	static const char *const allowed[] = {"year", "center", "format", NULL};
	struct evkeyvalq q;
	struct http_error err;
	if (!query_parse(query, allowed, &q, &err)) {
		check_error(&err);
		CHECK(q.tqh_first == NULL);
		return;
	}
	for (struct evkeyval *kv = q.tqh_first; kv; kv = kv->next.tqe_next) {
		bool known = false;
		for (const char *const *a = allowed; *a; a++)
			known |= strcmp(*a, kv->key) == 0;
		CHECK(known);
		CHECK(strlen(kv->value) <= QUERY_MAX_VALUE && utf8_valid(kv->value));
		for (struct evkeyval *o = kv->next.tqe_next; o; o = o->next.tqe_next)
			CHECK(strcmp(o->key, kv->key) != 0);
	}
	evhttp_clear_headers(&q);
}

static void check_cursor(const char *text)
{
	struct rows_cursor c, again;
	if (!rows_cursor_decode(text, &c))
		return;
	CHECK(c.stream >= 1 && c.stream <= 32767);
	char *back = rows_cursor_encode(c.source, c.stream, c.key);
	CHECK(rows_cursor_decode(back, &again));
	CHECK(strcmp(c.source, again.source) == 0 && c.stream == again.stream &&
	      strcmp(c.key, again.key) == 0);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *query = malloc(size + 1);
	memcpy(query, data, size);
	query[size] = '\0';
	check_series(query, 10000);
	check_series(query, 1 + (long)(size % 400)); /* small limits too */
	check_query(query);
	check_cursor(query);
	char scrubbed[512];
	snprintf(scrubbed, sizeof(scrubbed), "%s", query);
	utf8_scrub(scrubbed);
	CHECK(utf8_valid(scrubbed));
	free(query);
	return 0;
}
