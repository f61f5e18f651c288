/* GET /api/v1/report: the year-end report (see report.h), as JSON, CSV,
 * Markdown or XLSX; with version=N the published version's bytes as stored
 * (publish.h), and without it the current JSON carries what moved since
 * the latest version. Parameters are validated here; the centre reaches SQL
 * only as a bound parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "publish.h"
#include "report.h"
#include "xmalloc.h"

static void on_report(const struct document *r, void *arg) { http_reply_document(arg, r); }

/* The current JSON report goes through publish_annotate. */
struct annotating {
	struct evhttp_request *req;
	struct store *store;
	int year;
	char center[65];
	bool all;
};

static void on_report_json(const struct document *r, void *arg)
{
	struct annotating *a = arg;
	publish_annotate(a->store, a->year, a->all ? NULL : a->center, r, on_report, a->req);
	free(a);
}

void api_report(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {"year", "center", "format", "version", NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	const char *year_s = evhttp_find_header(&q, "year");
	const char *center = evhttp_find_header(&q, "center");
	const char *format = evhttp_find_header(&q, "format");
	const char *version_s = evhttp_find_header(&q, "version");
	enum document_format fmt = DOC_JSON;
	int year, version = 0;
	if (!year_s)
		http_reply_error(req, 400, "missing_parameter", "parameter 'year' is required");
	else if (!api_parse_year(year_s, &year))
		http_reply_error(req, 400, "bad_parameter", "'year' must be a year such as 2021");
	else if (format && !document_format_parse(format, &fmt))
		http_reply_error(req, 400, "bad_parameter",
				 "'format' must be json, csv, md or xlsx");
	else if (center && (!*center || strlen(center) > 64))
		http_reply_error(req, 400, "bad_parameter", "'center' must be a centre code");
	else if (version_s && !api_parse_version(version_s, &version))
		http_reply_error(req, 400, "bad_parameter",
				 "'version' must be a version number such as 1");
	else if (version)
		publish_document(app->store, year, center, version, fmt, on_report, req);
	else if (fmt == DOC_JSON) {
		struct annotating *a = xcalloc(1, sizeof(*a));
		a->req = req;
		a->store = app->store;
		a->year = year;
		a->all = !center;
		snprintf(a->center, sizeof(a->center), "%s", center ? center : "");
		struct report_context ctx = app_report_context(app);
		report_build(&ctx, year, center, fmt, on_report_json, a);
	} else {
		struct report_context ctx = app_report_context(app);
		report_build(&ctx, year, center, fmt, on_report, req);
	}
	evhttp_clear_headers(&q);
}
