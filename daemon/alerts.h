/* alerts — SPEC §8: every computed target of the current year is evaluated
 * every evaluate_interval against where it should stand by now (pacing.h);
 * a target behind pace twice in a row fires, and once its year has closed a
 * target whose figure missed it fires (re-decided at every evaluation, so a
 * late correction that meets it resolves the alert). A target is evaluated
 * only once every source its metric needs has finished its first poll: an
 * empty store is not a missed target. The state of every alert lives in
 * the store (ggzy.alert), written in one statement per evaluation, so kill
 * -9 and restarts lose neither a pending evaluation nor a notification.
 *
 * Notifications go to [alerts] webhook in Alertmanager v2 format: after each
 * evaluation one POST carries every firing alert (the periodic re-send
 * Alertmanager needs) and every change not yet acknowledged; a receiver that
 * is down or slow gets the same, retried with backoff, and never blocks the
 * loop. Without an [alerts] section targets are still evaluated (for
 * /metrics and /api/v1/alerts) with the defaults, and nothing is sent. */
#ifndef GGZY_ALERTS_H
#define GGZY_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

struct alerts;
struct config;
struct event_base;
struct evbuffer;
struct metric_def;
struct store;
struct targets;
struct wallclock;

/* Whether metric M's figures are known (its sources through their first
 * poll, the metric available): only then are its targets judged. */
typedef bool (*alerts_metric_ready_fn)(const struct metric_def *m, void *arg);

/* Returns a new notifier. Every pointer is borrowed and must outlive it;
 * cfg and targets are replaced by alerts_reload. metric_ready may be NULL
 * (every metric's figures are known). */
struct alerts *alerts_new(struct event_base *base, struct store *store,
			  const struct wallclock *clock, const struct config *cfg,
			  struct targets *targets, alerts_metric_ready_fn metric_ready,
			  void *metric_ready_arg);
void alerts_free(struct alerts *a);
/* The store is ready: evaluate now and then on the timer. */
void alerts_start(struct alerts *a);
/* A new configuration or targets file (borrowed, as for alerts_new). */
void alerts_reload(struct alerts *a, const struct config *cfg, struct targets *targets);

/* Figures became known (a source finished its first poll): evaluate at the
 * next loop turn rather than at the next interval, once started. */
void alerts_poke(struct alerts *a);

/* --once: one evaluation and one delivery attempt, then done(ok). */
typedef void (*alerts_done_cb)(bool ok, void *arg);
void alerts_run_once(struct alerts *a, alerts_done_cb done, void *arg);

/* The target series of /metrics: ggzy_target_value,
 * ggzy_target_completion_ratio, ggzy_target_pace_ratio and
 * ggzy_alerts_firing, from the last evaluation. */
void alerts_write_metrics(const struct alerts *a, struct evbuffer *out);

#endif
