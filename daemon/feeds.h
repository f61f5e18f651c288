/* feeds — the [feed NAME] sections of SPEC §10: a statistics table or the
 * year-end report made and sent on a schedule in the centre's zone.
 *
 * Each run sends the last complete period (the monthly run on 2021-10-05
 * sends 2021-09; a yearly report feed last year's). The deliveries live in
 * the store (feeds_store.h): a run makes a period due; the document is made
 * once, from the store's figures, when every configured source has finished
 * its first poll, and kept, so that every retry sends the same bytes; each
 * attempt is counted before it is made; an acknowledgement (a 2xx, a file
 * renamed into place) is recorded, and an acknowledged period is never sent
 * again. A receiver that is down is retried with backoff (1 s doubling up
 * to the feed's retry_max), oldest period first, never blocking the loop;
 * a daemon that was down on the scheduled days catches up on each of them
 * when it starts (a feed new to the store starts with the latest period).
 * After kill -9 or a restart nothing acknowledged is sent again and
 * nothing due is lost; a send that was acknowledged but not recorded is
 * sent again, the same bytes with the same Idempotency-Key.
 *
 * Time: the schedule follows the daemon's clock (--now fixed, for replays:
 * then only the start and --once plan); backoff follows real time. */
#ifndef GGZY_FEEDS_H
#define GGZY_FEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct config;
struct event_base;
struct evbuffer;
struct feeds;
struct store;
struct targets;
struct wallclock;

/* Whether every configured source has finished its first poll. */
typedef bool (*feeds_ready_fn)(void *arg);

/* Returns the feeds of cfg. Every pointer is borrowed and must outlive the
 * object (cfg and targets until feeds_reload replaces them); SOURCES is the
 * configured sources' text[] literal (the documents' as_of). */
struct feeds *feeds_new(struct event_base *base, struct store *store, const struct wallclock *clock,
			const struct config *cfg, struct targets *targets, const char *sources,
			feeds_ready_fn ready, void *ready_arg);
/* From now on no new store statement is started (the store is about to
 * fail every query in flight). */
void feeds_stop(struct feeds *f);
void feeds_free(struct feeds *f);
/* The store is ready: plan and deliver now, then on the schedules. */
void feeds_start(struct feeds *f);
/* A new configuration or targets file. A feed whose section is gone stops
 * after the step in flight; a changed one takes its new settings then; its
 * deliveries stay in the store under its name. */
void feeds_reload(struct feeds *f, const struct config *cfg, struct targets *targets);
/* Sources finished their first poll: a feed waiting to make a document
 * goes on at once. */
void feeds_poke(struct feeds *f);

/* --once: every feed plans its due periods and tries each pending one once
 * (stopping at its first failure), then done(ok: nothing failed). */
typedef void (*feeds_done_cb)(bool ok, void *arg);
void feeds_run_once(struct feeds *f, feeds_done_cb done, void *arg);

/* What /metrics, /api/v1/status and /api/v1/feeds say of a feed. */
struct feed_status {
	const char *name, *what, *schedule, *center, *format, *destination;
	bool up;		 /* the last attempt succeeded (or none failed) */
	long long pending;	 /* deliveries not yet acknowledged (-1: not read yet) */
	time_t last_success;	 /* 0: never */
	const char *last_period; /* "" when none */
	const char *last_error;	 /* NULL when none */
	time_t next_run;	 /* the next scheduled run */
	const char *next_period; /* the period it will send */
};
size_t feeds_count(const struct feeds *f);
/* Borrowed until the next turn of the loop. */
void feeds_status(const struct feeds *f, size_t i, struct feed_status *out);
/* ggzy_feed_up, ggzy_feed_last_success_timestamp_seconds,
 * ggzy_feed_pending_deliveries, per feed. */
void feeds_write_metrics(const struct feeds *f, struct evbuffer *out);
/* The configured feeds' names as a text[] literal (caller frees). */
char *feeds_names(const struct feeds *f);

#endif
