/* GET /api/v1/status: what the built-in page needs besides the figures —
 * the daemon's notion of now (so the page defaults to the year --now makes
 * current), the years that hold figures, the centre hierarchy, the health of
 * the store and of every source, and as_of (as the report computes it).
 * Always 200 while the process serves: a store that is down is a fact to
 * show, not an error. Error texts are cut to their first line and never
 * carry a conninfo, so no password can leak through them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../collectors/collector.h"
#include "app.h"
#include "catalog.h"
#include "config.h"
#include "feeds.h"
#include "http.h"
#include "log.h"
#include "scheduler.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

#define ERROR_SUMMARY_MAX 200

struct status_job {
	struct evhttp_request *req;
	struct app *app;
};

/* ISO 8601 in the configured zone, e.g. 2022-12-31T12:00:00+08:00, as the
 * report writes as_of. */
static json_t *time_json(time_t t)
{
	if (t <= 0)
		return json_null();
	char buf[40];
	wallclock_format_local(t, buf, sizeof(buf));
	return json_string(buf);
}

/* The first line of an error, shortened, with any password=... masked (a
 * libpq message does not quote the conninfo, but a summary shown on a wall
 * screen must not depend on that). */
static json_t *error_summary(const char *error)
{
	if (!error || !*error)
		return json_null();
	char buf[ERROR_SUMMARY_MAX + 4];
	size_t n = strcspn(error, "\r\n");
	if (n > ERROR_SUMMARY_MAX) {
		n = ERROR_SUMMARY_MAX;
		while (n > 0 && ((unsigned char)error[n] & 0xC0) == 0x80)
			n--; /* never cut a UTF-8 sequence */
	}
	memcpy(buf, error, n);
	buf[n] = '\0';
	for (char *p = strstr(buf, "password="); p; p = strstr(p, "password=")) {
		p += strlen("password=");
		while (*p && *p != ' ')
			*p++ = '*';
	}
	json_t *s = json_string(buf);
	return s ? s : json_string("(not valid UTF-8)");
}

/* Per stream: whether it is loaded, a load's rows loaded and expected (the
 * page's progress bar), and its reconciliations. */
static json_t *streams_json(const struct source_status *st)
{
	json_t *list = json_array();
	for (size_t k = 0; k < st->nstreams; k++) {
		const struct stream_progress *p = &st->streams[k];
		const char *state = *p->state ? p->state : "unknown";
		json_t *o = json_pack(
		    "{s:s, s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:I}", "name", p->def->name, "state",
		    state, "rows_loaded", (json_int_t)p->rows_loaded, "rows_expected",
		    (json_int_t)p->rows_expected, "last_reconcile", time_json(p->last_reconcile),
		    "last_reconcile_all", time_json(p->last_reconcile_all), "repaired_last",
		    (json_int_t)p->repaired_last, "repaired_total", (json_int_t)p->repaired_total,
		    "changed_total", (json_int_t)p->changed_total);
		json_array_append_new(list, o);
	}
	return list;
}

static json_t *sources_json(const struct app *app)
{
	json_t *list = json_array();
	for (size_t i = 0; app->sched && i < scheduler_nsources(app->sched); i++) {
		struct source_status st;
		scheduler_status(app->sched, i, &st);
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(st.name));
		const struct collector *col = collector_find(st.name);
		json_object_set_new(o, "title_zh", json_string(col ? col->title_zh : st.name));
		json_object_set_new(o, "title_en", json_string(col ? col->title_en : st.name));
		json_object_set_new(o, "up", json_boolean(st.up));
		json_object_set_new(o, "first_poll_done", json_boolean(st.first_poll_done));
		json_object_set_new(o, "running", json_boolean(st.running));
		/* false: another instance of the store polls it (leases) */
		json_object_set_new(o, "leased",
				    st.lease_known ? json_boolean(st.leased) : json_null());
		json_object_set_new(o, "last_success", time_json(st.last_success));
		json_object_set_new(o, "last_reconcile", time_json(st.last_reconcile));
		json_object_set_new(o, "last_error", error_summary(st.last_error));
		json_object_set_new(o, "rows_total", json_integer((json_int_t)st.rows_total));
		json_object_set_new(
		    o, "poll_duration_seconds",
		    json_real((double)(long long)(st.poll_duration * 1000 + 0.5) / 1000));
		json_object_set_new(o, "streams", streams_json(&st));
		json_array_append_new(list, o);
	}
	return list;
}

/* The years a report can be asked for that hold figures: from the first day
 * with figures to the last, capped at the current year, which is always
 * listed (its report exists from January 1). */
static json_t *years_json(const char *first_day, const char *last_day, int current)
{
	int first = first_day ? atoi(first_day) : current;
	int last = last_day ? atoi(last_day) : current;
	if (last > current)
		last = current;
	if (first > current)
		first = current;
	json_t *list = json_array();
	for (int y = first; y <= last; y++)
		json_array_append_new(list, json_integer(y));
	if (last < current)
		json_array_append_new(list, json_integer(current));
	return list;
}

/* The metrics whose figures cannot be known here, and why. */
static json_t *unavailable_json(struct app *app)
{
	json_t *list = json_array();
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		char why[256];
		if (app_unavailable(&catalog_metrics[i], why, sizeof(why), app))
			json_array_append_new(list,
					      json_pack("{s:s, s:s}", "metric",
							catalog_metrics[i].name, "reason", why));
	}
	return list;
}

static void reply(struct status_job *j, PGresult *res, const char *error)
{
	struct app *app = j->app;
	time_t now = wallclock_now(&app->clock);
	char today[11];
	int current = wallclock_day(now, today);
	bool have = res && PQntuples(res) == 1;

	json_t *o = json_object();
	json_object_set_new(o, "now", time_json(now));
	json_object_set_new(o, "now_fixed", json_boolean(app->clock.fixed));
	json_object_set_new(o, "today", json_string(today));
	json_object_set_new(o, "current_year", json_integer(current));
	json_object_set_new(o, "timezone", json_string(app->cfg->timezone));
	json_object_set_new(o, "as_of",
			    have && !PQgetisnull(res, 0, 0)
				? time_json((time_t)atoll(PQgetvalue(res, 0, 0)))
				: json_null());
	json_object_set_new(o, "store_up", json_boolean(have && store_is_up(app->store)));
	json_object_set_new(o, "store_error",
			    have ? json_null()
				 : error_summary(error ? error : store_last_error(app->store)));
	json_object_set_new(o, "sources", sources_json(app));
	json_object_set_new(o, "unavailable", unavailable_json(app));
	json_t *feeds = json_array();
	for (size_t i = 0; i < feeds_count(app->feeds); i++) {
		struct feed_status st;
		feeds_status(app->feeds, i, &st);
		json_array_append_new(feeds, api_feed_json(&st));
	}
	json_object_set_new(o, "feeds", feeds);
	const char *first = have && !PQgetisnull(res, 0, 1) ? PQgetvalue(res, 0, 1) : NULL;
	const char *last = have && !PQgetisnull(res, 0, 2) ? PQgetvalue(res, 0, 2) : NULL;
	json_object_set_new(o, "years", years_json(first, last, current));
	json_object_set_new(o, "first_day", first ? json_string(first) : json_null());
	json_object_set_new(o, "last_day", last ? json_string(last) : json_null());
	json_t *centers = have ? json_loads(PQgetvalue(res, 0, 3), 0, NULL) : NULL;
	json_object_set_new(o, "centers", centers ? centers : json_array());
	json_object_set_new(o, "instance",
			    app->cfg->instance ? json_string(app->cfg->instance) : json_null());
	json_t *leases = have ? json_loads(PQgetvalue(res, 0, 4), 0, NULL) : NULL;
	json_object_set_new(o, "leases", leases ? leases : json_array());
	json_t *conflicts = have ? json_loads(PQgetvalue(res, 0, 5), 0, NULL) : NULL;
	json_object_set_new(o, "center_conflicts", conflicts ? conflicts : json_array());
	http_reply_json(j->req, 200, o);
	free(j);
}

static void on_status(PGresult *res, const char *error, void *arg)
{
	struct status_job *j = arg;
	if (error)
		log_warn("/api/v1/status: store query failed: %s", error);
	reply(j, error ? NULL : res, error);
}

void api_status(struct evhttp_request *req, struct app *app)
{
	static const char *const allowed[] = {NULL};
	struct evkeyvalq q;
	if (!http_parse_query(req, allowed, &q))
		return;
	evhttp_clear_headers(&q);
	struct status_job *j = xcalloc(1, sizeof(*j));
	j->req = req;
	j->app = app;
	if (!store_is_ready(app->store)) {
		reply(j, NULL, NULL);
		return;
	}
	const char *params[1] = {app->sources};
	store_query(app->store, sql_text("queries/status.sql"), 1, params, on_status, j);
}
