/* /healthz and /readyz. /healthz: the process serves HTTP. /readyz: 200 only
 * when the store is up and every source had its first poll and is up; else
 * 503 with one reason per missing part ("store: ...", "source NAME: ..."). */
#include <jansson.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "scheduler.h"
#include "store.h"

void api_healthz(struct evhttp_request *req, struct app *app)
{
	(void)app;
	http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

void api_readyz(struct evhttp_request *req, struct app *app)
{
	json_t *reasons = json_array();
	if (!store_is_ready(app->store) || !store_is_up(app->store))
		json_array_append_new(reasons,
				      json_sprintf("store: %s", store_last_error(app->store)));
	for (size_t i = 0; i < scheduler_nsources(app->sched); i++) {
		struct source_status st;
		scheduler_status(app->sched, i, &st);
		const struct stream_progress *loading = NULL;
		for (size_t k = 0; k < st.nstreams && !loading; k++)
			if (strcmp(st.streams[k].state, "loading") == 0)
				loading = &st.streams[k];
		if (!st.first_poll_done && loading)
			/* Say what is loading, and how far it has come. */
			json_array_append_new(
			    reasons,
			    json_sprintf(
				"source %s: loading the row images of %s: %lld of %lld rows",
				st.name, loading->def->name, loading->rows_loaded,
				loading->rows_expected));
		else if (!st.first_poll_done)
			json_array_append_new(
			    reasons, json_sprintf("source %s: first poll not finished (%s)",
						  st.name, st.last_error));
		else if (!st.up)
			/* Figures are served from the store, but they are going
			 * stale: not ready, and say which source and why. */
			json_array_append_new(
			    reasons, json_sprintf("source %s: down (%s)", st.name, st.last_error));
	}
	if (json_array_size(reasons) == 0) {
		json_decref(reasons);
		http_reply_json(req, 200, json_pack("{s:s}", "status", "ready"));
		return;
	}
	http_reply_json(req, 503,
			json_pack("{s:s, s:o}", "status", "not ready", "reasons", reasons));
}
