/* stream_job — one stream of one source brought up to date in the row
 * store, the scheduler's unit of work:
 *   - a load reads the whole relation in one pass through a cursor (a
 *     first start, an upgrade from a store of version 8, or a load resumed
 *     after a kill, which compares months and fetches only what differs),
 *     writes the images batch by batch, and makes their totals visible at
 *     the end (ggzy.finish_load);
 *   - a poll reads the rows changed since the later of the watermark and
 *     the source's clock at the previous poll, minus the overlap (in one
 *     statement when they fit in a batch, else through a cursor), and
 *     applies each changed row's delta (ggzy.apply_images), the last batch
 *     with the new watermark; an idle poll only records its clock;
 *   - a reconciliation compares per month the rows and fingerprints of the
 *     source with the store's (the current and previous year, or every
 *     year), and for a month that differs compares keys and fingerprints
 *     row by row (ggzy.diff_keys), fetches only the rows that differ and
 *     retracts those the source no longer has.
 * Source reads and store writes overlap (a batch is applied while the next
 * is read); each batch is one store transaction, so a kill at any moment
 * costs at most a batch, and everything is idempotent.
 *
 * Identities (a stream's person column) are turned into their keyed hash
 * here, before anything reaches the store (identity.h). */
#ifndef GGZY_STREAM_JOB_H
#define GGZY_STREAM_JOB_H

#include <stdbool.h>
#include <time.h>

#include "../collectors/collector.h"
#include "../collectors/stream_sql.h"

struct pg_conn;
struct store;

/* What a stream of a source shows between jobs (/api/v1/status, /metrics). */
struct stream_progress {
	const struct stream_def *def;
	struct stream_sql sql;
	char state[16];	       /* "", "legacy", "loading", "loaded" */
	long long rows_loaded; /* a load's progress */
	long long rows_expected;
	time_t last_reconcile; /* 0: none by this process */
	time_t last_reconcile_all;
	/* The job in hand loaded it, comparing every row (the scheduler
	 * clears it as each job starts). */
	bool loaded_by_job;
	long long repaired_last; /* rows repaired by the last reconciliation */
	long long repaired_total;
	long long changed_total; /* rows changed by polls */
};

enum stream_job_kind { STREAM_POLL, STREAM_RECONCILE };

/* Whose failure ended a job: a source's marks the source down; the store's
 * says nothing about the source (it is reported by the store itself). */
enum fault { FAULT_SOURCE, FAULT_STORE };

struct stream_job_env {
	struct store *store;
	struct pg_conn *source;
	const char *source_name; /* for log lines */
	int source_id;		 /* ggzy.source's */
	const char *timezone;
	long overlap;		      /* seconds */
	bool reconcile_all;	      /* every year, not only the current and the previous */
	time_t now;		      /* the daemon's (--now): which years are recent */
	bool (*abandoned)(void *arg); /* the daemon is stopping: return at once */
};

/* done(ok, fault, error, rows_read, arg): exactly once. */
typedef void (*stream_job_cb)(bool ok, enum fault fault, const char *error,
			      unsigned long long rows_read, void *arg);

/* Runs KIND on stream P (a load first if it is not loaded). ENV and P are
 * borrowed until done; one job per source connection at a time. */
void stream_job_run(struct stream_progress *p, const struct stream_job_env *env,
		    enum stream_job_kind kind, stream_job_cb done, void *arg);

#endif
