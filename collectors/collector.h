/* collector — what a source contributes: its streams (one relation and one
 * event time each, declared by one SQL file), and optionally the centre
 * hierarchy. A collector is data, not code: the scheduler runs every
 * collector the same way (daemon/scheduler.h), so a new source is a new
 * entry in collector_table[], its own file and its SQL.
 *
 * A stream's SQL (sql/collectors/<source>/<stream>.sql) is a SELECT of one
 * image per source row, with $1 the time zone and $2 the fingerprints'
 * salt, and these columns:
 *   key          the row's primary key (text)
 *   day          its event day in the zone; NULL when the row counts for
 *                nothing in this stream (its image, if any, is retracted)
 *   event_at     the event time (filters of reconciliation; not stored)
 *   updated_at   the row's last change (the poll's filter; not stored)
 *   center, category, kind, scope, role   the labels the stream carries
 *   person       optional: an expert's or bidder's identity, of which the
 *                store keeps only the keyed hash (daemon/identity.h)
 *   ref          optional: a key in another stream (an evaluation's deal)
 *   <metric>...  one column per catalogue metric of the stream, its value
 *   fingerprint  a hash of the image (salted), bigint
 * The generic queries that read a stream (every row, the changed ones, by
 * key, per month) wrap that SELECT (sql/collectors/stream_*.sql, composed
 * by stream_sql.h), so the image and its fingerprint are written once. */
#ifndef GGZY_COLLECTOR_H
#define GGZY_COLLECTOR_H

#include <stddef.h>

struct stream_def {
	const char *name; /* unique across collectors: ggzy.stream's name */
	short id;	  /* ggzy.stream's id (sql/store/009_row_store.sql, 010) */
	const char *sql;  /* its declaration, a path under sql/ */
	/* An optional relation of the contract (SPEC §2) the stream reads: a
	 * source without it is valid, and the stream is then "unavailable"
	 * (its metrics are reported so, never as 0). NULL: required. */
	const char *optional_relation;
};

struct collector {
	const char *name;		 /* the [source NAME] of the configuration */
	const char *title_zh, *title_en; /* "交易系统", "trading system" */
	const struct stream_def *streams;
	size_t nstreams;
	/* Optional: SQL whose rows (center_code, name, parent_code, level)
	 * replace the store's centre hierarchy on every poll. */
	const char *centers_sql;
};

extern const struct collector *const collector_table[];
extern const size_t collector_count;

/* The collector of a [source] name ("trading", or "trading.NAME" for one of
 * several of a kind); borrowed, or NULL when no collector has that kind. */
const struct collector *collector_find(const char *name);

#endif
