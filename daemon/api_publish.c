/* POST /api/v1/report/publish and GET /api/v1/report/changes (SPEC §11):
 * publishing a closed year's report as an immutable version, and the source
 * rows that changed after one (publish.h). Parameters are validated here;
 * the centre reaches SQL only as a bound parameter. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "publish.h"

bool api_parse_year(const char *text, int *year)
{
	if (strlen(text) != 4 || strspn(text, "0123456789") != 4)
		return false;
	*year = atoi(text);
	return true;
}

bool api_parse_version(const char *text, int *version)
{
	size_t n = strlen(text);
	if (n == 0 || n > 6 || strspn(text, "0123456789") != n || text[0] == '0')
		return false;
	*version = atoi(text);
	return true;
}

/* The year and centre of a publish or changes request; replies 400 itself
 * and returns false when they are not right. */
static bool year_and_center(struct evhttp_request *req, const struct evkeyvalq *q, int *year,
			    const char **center)
{
	const char *year_s = evhttp_find_header(q, "year");
	*center = evhttp_find_header(q, "center");
	if (!year_s) {
		http_reply_error(req, 400, "missing_parameter", "parameter 'year' is required");
		return false;
	}
	if (!api_parse_year(year_s, year)) {
		http_reply_error(req, 400, "bad_parameter", "'year' must be a year such as 2021");
		return false;
	}
	if (*center && (!**center || strlen(*center) > 64)) {
		http_reply_error(req, 400, "bad_parameter", "'center' must be a centre code");
		return false;
	}
	return true;
}

static void on_published(const struct publish_result *r, void *arg)
{
	struct evhttp_request *req = arg;
	if (r->status != 200) {
		http_reply_error(req, r->status, r->code, "%s", r->message);
		return;
	}
	http_reply_json(req, 200,
			json_pack("{s:i, s:s, s:s}", "version", r->version, "published_at",
				  r->published_at, "sha256", r->sha256));
}

void api_publish(struct evhttp_request *req, struct app *app)
{
	if (!api_authorised(req, app)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer");
		http_reply_error(req, 401, "unauthorized", "a valid bearer token is required");
		return;
	}
	static const char *const allowed[] = {"year", "center", NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	int year;
	const char *center;
	if (year_and_center(req, &q, &year, &center)) {
		struct report_context ctx = app_report_context(app);
		publish_report(&ctx, year, center, on_published, req);
	}
	evhttp_clear_headers(&q);
}

static void on_changes(int status, const char *code, const char *message, json_t *body, void *arg)
{
	struct evhttp_request *req = arg;
	if (status != 200)
		http_reply_error(req, status, code, "%s", message);
	else
		http_reply_json(req, 200, json_incref(body));
}

void api_report_changes(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {"year", "center", "version", NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	int year, version = 0;
	const char *center;
	const char *version_s = evhttp_find_header(&q, "version");
	if (!year_and_center(req, &q, &year, &center))
		;
	else if (version_s && !api_parse_version(version_s, &version))
		http_reply_error(req, 400, "bad_parameter",
				 "'version' must be a version number such as 1");
	else
		publish_changes(app->store, year, center, version, on_changes, req);
	evhttp_clear_headers(&q);
}
