/* collector — what a source contributes: its streams (one relation and one
 * event time each), the SQL that reads them, and the catalogue metrics they
 * fill. A collector is data, not code: the scheduler runs every collector
 * the same way (see daemon/scheduler.h), so a new source is a new entry in
 * collector_table[], its own file and its SQL.
 *
 * The SQL contract of a stream (files under sql/collectors/<source>/):
 *   changed_days: $1 watermark, $2 overlap interval, $3 time zone
 *                 -> (day date, watermark timestamptz), the watermark
 *                    being the newest updated_at of all those rows
 *   months:       $1 time zone
 *                 -> (month date, rows bigint, fingerprint numeric,
 *                     watermark timestamptz), watermark as above
 *   recompute:    $1 time zone, $2 days date[]
 *                 -> (day, label columns..., rows, fingerprint,
 *                     one column per catalogue metric of the stream)
 * The label columns are any of center, category, kind, scope, role; rows and
 * fingerprint of recompute summed per day must equal those of months. */
#ifndef GGZY_COLLECTOR_H
#define GGZY_COLLECTOR_H

#include <stddef.h>

struct stream_def {
	const char *name; /* unique across collectors, e.g. "deals" */
	const char *changed_days_sql;
	const char *months_sql;
	const char *recompute_sql;
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

/* Borrowed, or NULL when no collector has that name. */
const struct collector *collector_find(const char *name);

#endif
