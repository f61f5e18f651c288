/* GET /api/v1/rows (SPEC §11): the source rows behind one figure, from the
 * store's row images, a page at a time, as JSON or CSV. The metric, the
 * period and the label filters are validated exactly as the series API
 * validates them (series_params_from_pairs), so that the same query string
 * names the same figure in both; everything reaches SQL only as bound
 * parameters of sql/queries/rows.sql. */
#include <errno.h>
#include <event2/buffer.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "catalog.h"
#include "http.h"
#include "log.h"
#include "rows_cursor.h"
#include "series_params.h"
#include "sql_files.h"
#include "store.h"
#include "textcell.h"
#include "xmalloc.h"

#define NPARAMS 15
#define ROWS_DEFAULT_LIMIT 100
#define ROWS_MAX_LIMIT 10000

/* The columns of queries/rows.sql. */
enum {
	COL_COUNT,
	COL_TOTAL,
	COL_SOURCE,
	COL_SORT_SOURCE,
	COL_STREAM,
	COL_ID,
	COL_DAY,
	COL_LABELS, /* LABEL_COUNT of them, in catalog_label_names order */
	COL_VALUE = COL_LABELS + LABEL_COUNT,
};

struct rows_req {
	struct evhttp_request *req;
	const struct metric_def *metric;
	char from[11], to[11];
	bool csv;
	long limit;
	char *params[NPARAMS]; /* of queries/rows.sql, owned */
};

static void rows_req_free(struct rows_req *rr)
{
	for (int i = 0; i < NPARAMS; i++)
		free(rr->params[i]);
	free(rr);
}

/* ---- the answer ---- */

static json_t *row_value(const struct metric_def *m, const char *v)
{
	if (m->kind == METRIC_AMOUNT)
		return json_string(v);
	errno = 0;
	long long n = strtoll(v, NULL, 10);
	if (errno)
		return json_string(v); /* beyond 2^63: keep it exact as text */
	return json_integer(n);
}

/* The page's rows (those of the result but the one that only says there is
 * a next page), and the cursor of that next page or NULL (new string). */
static int page_rows(const struct rows_req *rr, PGresult *res, char **next)
{
	int n = PQntuples(res);
	if (n == 1 && PQgetisnull(res, 0, COL_SOURCE))
		n = 0; /* no rows: only the totals */
	*next = NULL;
	if (n > rr->limit) {
		n = (int)rr->limit;
		*next = rows_cursor_encode(PQgetvalue(res, n - 1, COL_SORT_SOURCE),
					   strtol(PQgetvalue(res, n - 1, COL_STREAM), NULL, 10),
					   PQgetvalue(res, n - 1, COL_ID));
	}
	return n;
}

static void reply_json(struct rows_req *rr, PGresult *res)
{
	const struct metric_def *m = rr->metric;
	char *next;
	int n = page_rows(rr, res, &next);
	json_t *rows = json_array();
	for (int i = 0; i < n; i++) {
		json_t *row =
		    json_pack("{s:s, s:s, s:s}", "source", PQgetvalue(res, i, COL_SOURCE), "id",
			      PQgetvalue(res, i, COL_ID), "day", PQgetvalue(res, i, COL_DAY));
		for (int l = 0; l < LABEL_COUNT; l++)
			if (m->labels & (1u << l))
				json_object_set_new(
				    row, catalog_label_names[l],
				    json_string(PQgetvalue(res, i, COL_LABELS + l)));
		json_object_set_new(row, "value", row_value(m, PQgetvalue(res, i, COL_VALUE)));
		json_array_append_new(rows, row);
	}
	json_t *body =
	    json_pack("{s:s, s:s, s:s, s:o, s:I, s:o, s:o}", "metric", m->name, "from", rr->from,
		      "to", rr->to, "value", row_value(m, PQgetvalue(res, 0, COL_TOTAL)), "count",
		      (json_int_t)strtoll(PQgetvalue(res, 0, COL_COUNT), NULL, 10), "rows", rows,
		      "next", next ? json_string(next) : json_null());
	free(next);
	http_reply_json(rr->req, 200, body);
}

/* UTF-8 with a BOM (Excel opens it as such), a header, one line per row:
 * the JSON rows' fields in the same order. The figure, the count and the
 * next page are headers of the answer (X-Rows-Value, X-Rows-Count,
 * X-Rows-Next), not lines of the table, so that the value column adds up
 * to the figure. */
static void reply_csv(struct rows_req *rr, PGresult *res)
{
	const struct metric_def *m = rr->metric;
	char *next;
	int n = page_rows(rr, res, &next);
	struct evbuffer *out = evbuffer_new();
	evbuffer_add(out, "\xEF\xBB\xBF", 3);
	textcell_csv(out, "source", false);
	textcell_csv(out, "id", false);
	textcell_csv(out, "day", false);
	for (int l = 0; l < LABEL_COUNT; l++)
		if (m->labels & (1u << l))
			textcell_csv(out, catalog_label_names[l], false);
	textcell_csv(out, "value", true);
	for (int i = 0; i < n; i++) {
		textcell_csv(out, PQgetvalue(res, i, COL_SOURCE), false);
		textcell_csv(out, PQgetvalue(res, i, COL_ID), false);
		textcell_csv(out, PQgetvalue(res, i, COL_DAY), false);
		for (int l = 0; l < LABEL_COUNT; l++)
			if (m->labels & (1u << l))
				textcell_csv(out, PQgetvalue(res, i, COL_LABELS + l), false);
		textcell_csv(out, PQgetvalue(res, i, COL_VALUE), true);
	}
	struct evkeyvalq *h = evhttp_request_get_output_headers(rr->req);
	char disposition[160];
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"rows-%s-%s-%s.csv\"",
		 m->name, rr->from, rr->to);
	evhttp_add_header(h, "Content-Disposition", disposition);
	evhttp_add_header(h, "X-Rows-Value", PQgetvalue(res, 0, COL_TOTAL));
	evhttp_add_header(h, "X-Rows-Count", PQgetvalue(res, 0, COL_COUNT));
	if (next)
		evhttp_add_header(h, "X-Rows-Next", next);
	free(next);
	size_t len = evbuffer_get_length(out);
	http_reply_text(rr->req, 200, "text/csv; charset=utf-8",
			(const char *)evbuffer_pullup(out, -1), len);
	evbuffer_free(out);
}

static void on_rows(PGresult *res, const char *error, void *arg)
{
	struct rows_req *rr = arg;
	if (error || PQntuples(res) < 1) {
		log_warn("rows %s: store query failed: %s", rr->metric->name,
			 error ? error : "no result");
		http_reply_error(rr->req, 503, "store_unavailable", "the store did not answer");
	} else if (rr->csv) {
		reply_csv(rr, res);
	} else {
		reply_json(rr, res);
	}
	rows_req_free(rr);
}

/* ---- the request ---- */

/* The parameters beyond the series API's, into rr; false with err. */
static bool parse_page(struct evkeyvalq *q, struct rows_req *rr, struct http_error *err)
{
	const char *format = evhttp_find_header(q, "format");
	if (format && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0) {
		http_error_set(err, 400, "bad_parameter", "'format' must be json or csv");
		return false;
	}
	rr->csv = format && strcmp(format, "csv") == 0;
	const char *limit = evhttp_find_header(q, "limit");
	rr->limit = ROWS_DEFAULT_LIMIT;
	if (limit) {
		char *end;
		errno = 0;
		long v = strtol(limit, &end, 10);
		if (!*limit || *end || errno || v < 1 || v > ROWS_MAX_LIMIT || limit[0] == '+' ||
		    limit[0] == '-' || limit[0] == ' ') {
			http_error_set(err, 400, "bad_parameter",
				       "'limit' must be a number of rows from 1 to %d",
				       ROWS_MAX_LIMIT);
			return false;
		}
		rr->limit = v;
	}
	const char *after = evhttp_find_header(q, "after");
	if (!after)
		return true;
	struct rows_cursor c;
	if (!rows_cursor_decode(after, &c)) {
		http_error_set(err, 400, "bad_parameter",
			       "'after' must be the 'next' of a previous answer");
		return false;
	}
	char stream[16];
	snprintf(stream, sizeof(stream), "%ld", c.stream);
	rr->params[12] = xstrdup(c.source);
	rr->params[13] = xstrdup(stream);
	rr->params[14] = xstrdup(c.key);
	return true;
}

void api_rows(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {"metric",	  "from",  "to",    "center",
					      "category", "kind",  "scope", "role",
					      "format",	  "limit", "after", NULL};
	const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	/* A period of any length: rows are paged, not points. */
	const struct series_limits limits = {.max_points = LONG_MAX};
	struct series_params p;
	struct http_error err;
	struct evkeyvalq q;
	if (!query_parse(query, allowed, &q, &err)) {
		http_reply_error(req, err.status, err.code, "%s", err.message);
		return;
	}
	struct rows_req *rr = xcalloc(1, sizeof(*rr));
	rr->req = req;
	bool ok = series_params_from_pairs(&q, &limits, &p, &err) && parse_page(&q, rr, &err);
	evhttp_clear_headers(&q);
	if (!ok) {
		http_reply_error(req, err.status, err.code, "%s", err.message);
		rows_req_free(rr);
		return;
	}
	const struct metric_def *m = p.metric;
	if (m->total == TOTAL_RATIO) {
		http_reply_error(req, 400, "bad_parameter",
				 "%s is a ratio (%s / %s), not made of rows: ask for the rows of "
				 "%s and of %s",
				 m->name, m->numerator, m->denominator, m->numerator,
				 m->denominator);
		rows_req_free(rr);
		return;
	}
	char why[256];
	if (app_unavailable(m, why, sizeof(why), app)) {
		http_reply_error(req, 409, "metric_unavailable", "%s", why);
		rows_req_free(rr);
		return;
	}
	rr->metric = m;
	memcpy(rr->from, p.from, sizeof(rr->from));
	memcpy(rr->to, p.to, sizeof(rr->to));
	char limit[16];
	snprintf(limit, sizeof(limit), "%ld", rr->limit);
	const char *params[12] = {
	    catalog_is_derived(m) ? m->numerator
	    : m->distinct_of	  ? m->distinct_of
				  : m->name,
	    m->exclude_kind,
	    p.from,
	    p.to,
	    p.labels[0],
	    p.labels[1],
	    p.labels[2],
	    p.labels[3],
	    p.labels[4],
	    catalog_total_name(m->total),
	    m->kind == METRIC_AMOUNT ? "2" : "0",
	    limit,
	};
	for (int i = 0; i < 12; i++)
		rr->params[i] = xstrdup_or_null(params[i]);
	/* A label value that cannot occur (p.empty) is an empty list "":
	 * string_to_array gives {}, which matches nothing, as the series API
	 * answers an empty series. */
	store_query(app->store, sql_text("queries/rows.sql"), NPARAMS,
		    (const char *const *)rr->params, on_rows, rr);
}
