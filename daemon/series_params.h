/* series_params — the parameters of GET /api/v1/series (SPEC §7) parsed and
 * validated from the raw query string. Pure: no request, no store, so that
 * it is unit-tested and fuzzed (tests/fuzz/fuzz_query.c). Whatever it
 * accepts reaches SQL only as bound parameters (api_series.c). */
#ifndef GGZY_SERIES_PARAMS_H
#define GGZY_SERIES_PARAMS_H

#include <stdbool.h>

#include "catalog.h"
#include "query.h"

struct series_limits {
	long max_points; /* [daemon] max_series_points */
};

struct series_params {
	const struct metric_def *metric; /* borrowed from the catalogue */
	char from[11], to[11];		 /* YYYY-MM-DD, from <= to */
	long from_day, to_day;		 /* days since 1970-01-01 */
	char step[8];			 /* day | week | month | quarter | year */
	long points;			 /* periods between from and to */
	bool cumulative;
	/* Label filters in catalog_label_names order, each a value or a
	 * comma-separated list of them (their union) as codes of SPEC §2;
	 * NULL when not given. */
	const char *labels[LABEL_COUNT];
	/* No value of some list can occur (SPEC §2): the answer is empty. */
	bool empty;
	/* Codes may be longer than the names they replace (国有产权 ->
	 * state_property). */
	char label_buf[LABEL_COUNT][2 * QUERY_MAX_VALUE + 1];
};

/* Parses QUERY (may be NULL) into out. Returns false with err filled (a 400
 * and its code: missing_parameter, unknown_metric, bad_parameter,
 * unknown_label, too_many_points, unknown_parameter, bad_query). */
bool series_params_parse(const char *query, const struct series_limits *limits,
			 struct series_params *out, struct http_error *err)
    __attribute__((warn_unused_result));

/* The same from the pairs of a query string already parsed with
 * query_parse (the caller's own allowed names, and it clears q): the
 * metric, from, to, step (absent: day), cumulative and the label filters.
 * The rows API (api_rows.c) shares the series API's validation so. */
bool series_params_from_pairs(struct evkeyvalq *q, const struct series_limits *limits,
			      struct series_params *out, struct http_error *err)
    __attribute__((warn_unused_result));

/* Number of STEP periods that FROM..TO (day numbers, inclusive) touches. */
long series_count_periods(long from, long to, const char *step);

#endif
