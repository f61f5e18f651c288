/* GET /api/v1/feeds: every configured feed with its deliveries (feeds.h). */
#include "app.h"
#include "http.h"

void api_feeds(struct evhttp_request *req, struct app *app)
{
	(void)app;
	http_reply_error(req, 503, "not_ready", "feeds are not implemented yet");
}
