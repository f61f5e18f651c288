/* GET /api/v1/report: the year-end report (see report.h), as JSON, CSV,
 * Markdown or XLSX. Parameters are validated here; the centre reaches SQL only as a
 * bound parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "report.h"

static void on_report(const struct document *r, void *arg) { http_reply_document(arg, r); }

/* A year is four digits; anything else is not a year. */
static bool parse_year(const char *text, int *year)
{
	if (strlen(text) != 4 || strspn(text, "0123456789") != 4)
		return false;
	*year = atoi(text);
	return true;
}

void api_report(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {"year", "center", "format", NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	const char *year_s = evhttp_find_header(&q, "year");
	const char *center = evhttp_find_header(&q, "center");
	const char *format = evhttp_find_header(&q, "format");
	enum document_format fmt = DOC_JSON;
	int year;
	if (!year_s)
		http_reply_error(req, 400, "missing_parameter", "parameter 'year' is required");
	else if (!parse_year(year_s, &year))
		http_reply_error(req, 400, "bad_parameter", "'year' must be a year such as 2021");
	else if (format && !document_format_parse(format, &fmt))
		http_reply_error(req, 400, "bad_parameter",
				 "'format' must be json, csv, md or xlsx");
	else if (center && (!*center || strlen(center) > 64))
		http_reply_error(req, 400, "bad_parameter", "'center' must be a centre code");
	else {
		struct report_context ctx = app_report_context(app);
		report_build(&ctx, year, center, fmt, on_report, req);
	}
	evhttp_clear_headers(&q);
}
