/* alerts — SPEC §8: every computed target of the current year is evaluated
 * every evaluate_interval against where it should stand by now (pacing.h);
 * a target behind pace twice in a row fires, and at year end a target that
 * was missed fires once. The state of every alert lives in the store
 * (ggzy.alert), written in one statement per evaluation, so kill -9 and
 * restarts lose neither a pending evaluation nor a notification.
 *
 * Notifications go to [alerts] webhook in Alertmanager v2 format: after each
 * evaluation one POST carries every firing alert (the periodic re-send
 * Alertmanager needs) and every resolution not yet acknowledged; a receiver
 * that is down or slow gets the same, retried with backoff, and never blocks
 * the loop. Without an [alerts] section targets are still evaluated (for
 * /metrics and /api/v1/alerts) with the defaults, and nothing is sent. */
#ifndef GGZY_ALERTS_H
#define GGZY_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

struct app;
struct alerts;
struct evbuffer;

struct alerts *alerts_new(struct app *app);
void alerts_free(struct alerts *a);
/* The store is ready: evaluate now and then on the timer. */
void alerts_start(struct alerts *a);
/* app->cfg or app->targets changed. */
void alerts_reload(struct alerts *a);

/* --once: one evaluation and one delivery attempt, then done(ok). */
typedef void (*alerts_done_cb)(bool ok, void *arg);
void alerts_run_once(struct alerts *a, alerts_done_cb done, void *arg);

/* The target series of /metrics: ggzy_target_value,
 * ggzy_target_completion_ratio, ggzy_target_pace_ratio and
 * ggzy_alerts_firing, from the last evaluation. */
void alerts_write_metrics(const struct alerts *a, struct evbuffer *out);

#endif
