/* schedule — when a feed runs (SPEC §10): "monthly D HH:MM", "quarterly D
 * HH:MM", "halfyearly D HH:MM" or "yearly MM-DD HH:MM", in the centre's
 * time zone, and which period each run sends: the last complete one (the
 * monthly run on 2021-10-05 sends 2021-09, the yearly one last year).
 *
 * Pure: local days (days.h day numbers) and minutes of the day go in and
 * out; the caller converts to and from instants in the configured zone.
 * A day past the end of a month is that month's last day ("monthly 31"
 * runs on 30 April and 28 or 29 February; "yearly 02-29" on the 28th of a
 * common year), so every period has exactly one run, inside the period
 * after it. */
#ifndef GGZY_SCHEDULE_H
#define GGZY_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>

#include "period.h"

struct schedule {
	enum period_kind sends; /* the kind of period a run sends */
	int month;		/* yearly: 1..12; otherwise 0 */
	int day;		/* 1..31 */
	int minute;		/* of the day, 0..1439 */
};

/* Parses TEXT; false with the reason in err otherwise. */
bool schedule_parse(const char *text, struct schedule *out, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* The local day and minute of the run that sends period P (of the kind the
 * schedule sends). */
void schedule_run_of(const struct schedule *s, struct period_id p, long *day, int *minute);
/* The latest period whose run is at or before local DAY and MINUTE. */
struct period_id schedule_latest_due(const struct schedule *s, long day, int minute);

#endif
