/* /healthz and /readyz. /healthz: the process serves HTTP. /readyz: 200 only
 * when the store is up, every source this instance polls had its first poll
 * and is up, and no centre is claimed by two sources of a kind; else 503
 * with one reason per missing part ("store: ...", "source NAME: ..."). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "scheduler.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

void api_healthz(struct evhttp_request *req, struct app *app)
{
	(void)app;
	http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

struct readyz {
	struct evhttp_request *req;
	json_t *reasons;
};

static void reply(struct readyz *rz)
{
	if (json_array_size(rz->reasons) == 0) {
		json_decref(rz->reasons);
		http_reply_json(rz->req, 200, json_pack("{s:s}", "status", "ready"));
	} else {
		http_reply_json(
		    rz->req, 503,
		    json_pack("{s:s, s:o}", "status", "not ready", "reasons", rz->reasons));
	}
	free(rz);
}

/* A centre two sources of a kind report is a configuration to fix: the
 * second source's rows of it are refused (never summed twice). */
static void on_conflicts(PGresult *res, const char *error, void *arg)
{
	struct readyz *rz = arg;
	if (error)
		json_array_append_new(rz->reasons, json_sprintf("store: %s", error));
	for (int i = 0; !error && i < PQntuples(res); i++)
		json_array_append_new(
		    rz->reasons,
		    json_sprintf("source %s: centre %s is claimed by source %s; its rows from %s "
				 "are refused (%s rows at the last read)",
				 PQgetvalue(res, i, 0), PQgetvalue(res, i, 2),
				 PQgetvalue(res, i, 3), PQgetvalue(res, i, 0),
				 PQgetvalue(res, i, 4)));
	reply(rz);
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
		if (!st.lease_known) {
			json_array_append_new(
			    reasons,
			    json_sprintf("source %s: its lease is not known yet", st.name));
			continue;
		}
		if (!st.leased)
			continue; /* another instance polls it: the store holds its figures */
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
	struct readyz *rz = xcalloc(1, sizeof(*rz));
	rz->req = req;
	rz->reasons = reasons;
	if (!store_is_ready(app->store) || !store_is_up(app->store)) {
		reply(rz); /* said above */
		return;
	}
	store_query(app->store, sql_text("queries/center_conflicts.sql"), 0, NULL, on_conflicts,
		    rz);
}
