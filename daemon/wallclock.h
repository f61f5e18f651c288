/* wallclock — the daemon's notion of now: the real time, or the instant
 * --now fixed (SPEC §4) for replays and tests. Owned by main; modules that
 * need the time (the report, alerts, /metrics, the status page) are handed
 * a borrowed pointer, so a unit test can give them any instant. */
#ifndef GGZY_WALLCLOCK_H
#define GGZY_WALLCLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct wallclock {
	bool fixed; /* --now given */
	time_t at;  /* the --now instant */
};

/* The current time, or the fixed instant. */
time_t wallclock_now(const struct wallclock *c);

/* The calendar day of T in the process time zone (TZ is the configured
 * zone, main.c) as "YYYY-MM-DD" (buf of 11 bytes at least), and its year. */
int wallclock_day(time_t t, char *buf);

/* T as ISO 8601 in the process time zone with its offset
 * ("2022-12-31T12:00:00+08:00"), as the report and the status page write
 * times; buf of 32 bytes at least. */
void wallclock_format_local(time_t t, char *buf, size_t len);
/* T as ISO 8601 in UTC ("2022-12-31T04:00:00Z"), as Alertmanager takes it. */
void wallclock_format_utc(time_t t, char *buf, size_t len);

#endif
