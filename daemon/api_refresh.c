/* POST /api/v1/refresh: poll every source now, answer when done. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app.h"
#include "http.h"
#include "scheduler.h"

/* Compares without an early exit, so the time taken does not tell how much
 * of a guessed token was right. */
static bool token_matches(const char *given, const char *expected)
{
	size_t gl = strlen(given), el = strlen(expected);
	unsigned char diff = (unsigned char)(gl != el);
	for (size_t i = 0; i < el; i++)
		diff |= (unsigned char)(expected[i] ^ (i < gl ? given[i] : 0));
	return diff == 0;
}

bool api_authorised(struct evhttp_request *req, const struct app *app)
{
	if (!app->api_token)
		return true;
	const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
	/* The scheme is case-insensitive (RFC 7235 §2.1); the token is not. */
	return h && strncasecmp(h, "Bearer ", 7) == 0 && token_matches(h + 7, app->api_token);
}

static void on_refreshed(const char *summary_json, bool all_ok, void *arg)
{
	struct evhttp_request *req = arg;
	json_t *summary = json_loads(summary_json, 0, NULL);
	http_reply_json(req, all_ok ? 200 : 502,
			json_pack("{s:b, s:o}", "ok", all_ok, "sources", summary));
}

void api_refresh(struct evhttp_request *req, struct app *app)
{
	if (!api_authorised(req, app)) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
				  "Bearer");
		http_reply_error(req, 401, "unauthorized", "a valid bearer token is required");
		return;
	}
	scheduler_refresh(app->sched, on_refreshed, req);
}
