/* Notifications: after each evaluation, one POST in Alertmanager v2 format
 * (a JSON array of {labels, annotations, startsAt, endsAt, generatorURL})
 * of what the store says is due; a receiver that is down or slow is retried
 * with backoff (1 s doubling to a minute, or the evaluation interval) and
 * never blocks the loop. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts_internal.h"
#include "config.h"
#include "log.h"
#include "store.h"
#include "wallclock.h"
#include "webhook.h"
#include "xmalloc.h"

#define WEBHOOK_TIMEOUT 10
#define RETRY_MAX 60

void alerts_deliver_configure(struct alerts *a)
{
	const struct alerts_config *c = &a->cfg->alerts;
	const char *url = c->present ? c->webhook : NULL;
	if (a->webhook_url && url && strcmp(a->webhook_url, url) == 0)
		return;
	if (a->delivering)
		return; /* swapped after the delivery in flight */
	webhook_free(a->webhook);
	a->webhook = NULL;
	free(a->webhook_url);
	a->webhook_url = xstrdup_or_null(url);
	if (url) {
		char err[256];
		a->webhook = webhook_new(a->base, url, WEBHOOK_TIMEOUT, err, sizeof(err));
		if (!a->webhook)
			log_error("alerts: %s", err);
	}
}

static void schedule_retry(struct alerts *a)
{
	long interval = alerts_settings_of(a).interval;
	a->retry_delay = a->retry_delay ? a->retry_delay * 2 : 1;
	long cap = interval < RETRY_MAX ? interval : RETRY_MAX;
	if (a->retry_delay > cap)
		a->retry_delay = (int)cap;
	struct timeval tv = {.tv_sec = a->retry_delay, .tv_usec = 0};
	evtimer_add(a->retry, &tv);
}

static void delivery_end(struct alerts *a, bool ok)
{
	alerts_done_cb done = a->deliver_done;
	void *arg = a->deliver_arg;
	a->deliver_done = NULL;
	a->delivering = false;
	json_decref(a->sent_keys);
	a->sent_keys = NULL;
	if (ok)
		a->retry_delay = 0;
	else if (!a->once)
		schedule_retry(a);
	alerts_deliver_configure(a); /* a reload during the delivery */
	if (done)
		done(ok, arg);
}

static void on_acked(bool ok, void *arg) { delivery_end(arg, ok); }

static void on_posted(bool ok, const char *detail, void *arg)
{
	struct alerts *a = arg;
	if (!ok) {
		log_warn("alerts: webhook %s: %s; retrying", a->webhook_url, detail);
		delivery_end(a, false);
		return;
	}
	log_info("alerts: delivered %zu alert(s) to %s", json_array_size(a->sent_keys),
		 a->webhook_url);
	char *keys = json_dumps(a->sent_keys, JSON_COMPACT);
	alerts_store_ack(a, keys, on_acked);
	free(keys);
}

static void generator_url(const struct alerts *a, const char *year, const char *center, char *buf,
			  size_t len)
{
	/* centre codes are digits in practice; anything else is left out */
	bool plain = *center && strspn(center, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
					       "abcdefghijklmnopqrstuvwxyz-_") == strlen(center);
	snprintf(buf, len, "http://%s/api/v1/report?year=%s%s%s", a->cfg->listen, year,
		 plain ? "&center=" : "", plain ? center : "");
}

static void on_outbox(PGresult *res, const char *error, void *arg)
{
	struct alerts *a = arg;
	if (error) {
		log_warn("alerts: cannot read the alerts to send: %s", error);
		delivery_end(a, false);
		return;
	}
	int n = PQntuples(res);
	if (n == 0) {
		delivery_end(a, true);
		return;
	}
	time_t now = wallclock_now(a->clock);
	long interval = alerts_settings_of(a).interval;
	json_t *body = json_array();
	a->sent_keys = json_array();
	for (int i = 0; i < n; i++) {
		const char *year = PQgetvalue(res, i, 0), *center = PQgetvalue(res, i, 1);
		const char *alertname = PQgetvalue(res, i, 3), *state = PQgetvalue(res, i, 4);
		json_t *labels = json_loads(PQgetvalue(res, i, 5), 0, NULL);
		json_t *annotations = json_loads(PQgetvalue(res, i, 6), 0, NULL);
		time_t starts = (time_t)atoll(PQgetvalue(res, i, 7));
		time_t ends = PQgetisnull(res, i, 8) ? 0 : (time_t)atoll(PQgetvalue(res, i, 8));
		if (strcmp(state, "firing") == 0 && strcmp(alertname, PACE_ALERT) == 0)
			/* Alertmanager keeps it until then unless re-sent, as
			 * Prometheus does: four evaluation intervals. */
			ends = now + 4 * interval;
		char url[512];
		generator_url(a, year, center, url, sizeof(url));
		json_array_append_new(body,
				      json_pack("{s:o, s:o, s:o, s:o, s:s}", "labels",
						labels ? labels : json_object(), "annotations",
						annotations ? annotations : json_object(),
						"startsAt", alerts_json_time(starts), "endsAt",
						alerts_json_time(ends), "generatorURL", url));
		json_array_append_new(a->sent_keys,
				      json_pack("{s:i, s:s, s:s, s:s, s:I}", "year", atoi(year),
						"center", center, "indicator",
						PQgetvalue(res, i, 2), "alertname", alertname,
						"seq", (json_int_t)atoll(PQgetvalue(res, i, 9))));
	}
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	webhook_post(a->webhook, text, strlen(text), on_posted, a);
	free(text);
}

void alerts_deliver(struct alerts *a, alerts_done_cb done, void *arg)
{
	if (!a->webhook || a->delivering || !store_is_ready(a->store)) {
		if (done)
			done(!a->webhook, arg);
		return;
	}
	evtimer_del(a->retry);
	a->delivering = true;
	a->deliver_done = done;
	a->deliver_arg = arg;
	alerts_store_outbox(a, on_outbox);
}
