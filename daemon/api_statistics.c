/* GET /api/v1/statistics: the periodic statistics table of SPEC §10 (see
 * statistics.h) as JSON, CSV, Markdown or XLSX. Parameters are checked
 * here; the period becomes dates in C and the centre reaches SQL only as a
 * bound parameter. */
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "statistics.h"

static void on_statistics(const struct document *d, void *arg) { http_reply_document(arg, d); }

void api_statistics(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {"period", "center", "format", NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	const char *period = evhttp_find_header(&q, "period");
	const char *center = evhttp_find_header(&q, "center");
	const char *format = evhttp_find_header(&q, "format");
	enum document_format fmt = DOC_JSON;
	if (!period)
		http_reply_error(req, 400, "missing_parameter", "parameter 'period' is required");
	else if (format && !document_format_parse(format, &fmt))
		http_reply_error(req, 400, "bad_parameter",
				 "'format' must be json, csv, md or xlsx");
	else if (center && (!*center || strlen(center) > 64))
		http_reply_error(req, 400, "bad_parameter", "'center' must be a centre code");
	else
		statistics_build(&(struct statistics_context){.store = app->store,
							      .clock = &app->clock,
							      .sources = app->sources},
				 period, center, fmt, on_statistics, req);
	evhttp_clear_headers(&q);
}
