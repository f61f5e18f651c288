/* scheduler — runs every configured collector on its own timer: incremental
 * polls every `interval`, a reconciliation of the current and previous
 * year every `reconcile_interval` and of every year every
 * `reconcile_old_interval` (and at the first reconciliation of a run), one
 * job at a time per source, failures retried with backoff. Sources are
 * independent: each has its own connection, watermarks and health.
 *
 * A job is its source's streams one after the other, each a stream_job
 * (stream_job.h): a load when the stream is not loaded, else a poll or a
 * reconciliation, every batch one store transaction. */
#ifndef GGZY_SCHEDULER_H
#define GGZY_SCHEDULER_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "stream_job.h"

struct event_base;
struct config;
struct store;
struct scheduler;
struct wallclock;

struct source_status {
	const char *name;
	bool up;
	bool first_poll_done;
	bool running;
	time_t last_success;   /* 0: never */
	time_t last_reconcile; /* end of the last successful reconciliation */
	double poll_duration;  /* seconds, last finished poll */
	unsigned long long rows_total;
	const char *last_error; /* "" when the last job succeeded */
	/* Per stream: its state, a load's progress, its reconciliations. */
	const struct stream_progress *streams;
	size_t nstreams;
	/* Several daemons on one store: whether this one holds the source's
	 * lease (always, without an instance name), once that is known. */
	bool leased, lease_known;
};

/* Returns a new scheduler for the sources of cfg that have a collector; the
 * config is copied. With once set, each source runs one poll and one
 * reconciliation, then on_once_done(all_ok, arg) is called. */
struct scheduler *scheduler_new(struct event_base *base, const struct config *cfg,
				struct store *store, const struct wallclock *clock, bool once,
				void (*on_once_done)(bool all_ok, void *arg), void *arg);
/* Calls loaded(source, arg) whenever a source finishes its first poll (its
 * figures are now in the store: alerts evaluate them). */
void scheduler_on_loaded(struct scheduler *s, void (*loaded)(const char *source, void *arg),
			 void *arg);
/* Marks every job abandoned: callbacks still due (from store_free, say)
 * return at once. Call before freeing the store, then scheduler_free. */
void scheduler_stop(struct scheduler *s);
void scheduler_free(struct scheduler *s);
/* Starts the timers (call once the store is ready). */
void scheduler_start(struct scheduler *s);
/* Applies the reloadable settings of a new configuration. */
void scheduler_reload(struct scheduler *s, const struct config *cfg);

size_t scheduler_nsources(const struct scheduler *s);
/* Whether the store holds SOURCE's figures as far as this daemon knows
 * (SOURCE a [source] name, or a kind: all of its sources): false only while
 * this daemon polls SOURCE and its first poll has not finished, or before
 * the first lease round says who polls what (a source polled by another
 * instance, or a serve-only daemon, reads what the store holds). */
bool scheduler_loaded(const struct scheduler *s, const char *source);
/* The optional relation (SPEC §2) that STREAM reads and that every source
 * polling it lacks (its state "unavailable"), or NULL. */
const char *scheduler_stream_missing(const struct scheduler *s, const char *stream);
/* Status of source i; the strings are borrowed until the next loop turn. */
void scheduler_status(const struct scheduler *s, size_t i, struct source_status *out);

/* Runs a poll of every source now (after the job in flight, if any) and
 * calls done with one summary line per source once all have finished.
 * summary is a borrowed JSON array text. */
typedef void (*scheduler_refresh_cb)(const char *summary_json, bool all_ok, void *arg);
void scheduler_refresh(struct scheduler *s, scheduler_refresh_cb done, void *arg);

#endif
