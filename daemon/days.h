/* days — calendar dates as day numbers (days since 1970-01-01), without any
 * time zone: the time zone is applied by PostgreSQL (AT TIME ZONE), the
 * daemon only walks and formats calendar days. Proleptic Gregorian. */
#ifndef GGZY_DAYS_H
#define GGZY_DAYS_H

#include <stdbool.h>

#define DAYS_MIN_YEAR 1900
#define DAYS_MAX_YEAR 2200

long days_from_civil(int y, int m, int d);
void days_to_civil(long days, int *y, int *m, int *d);
/* Parses exactly "YYYY-MM-DD" (a real date, years DAYS_MIN_YEAR..DAYS_MAX_YEAR). */
bool days_parse(const char *text, long *days) __attribute__((warn_unused_result));
/* Writes "YYYY-MM-DD" into buf (at least 11 bytes). */
void days_format(long days, char *buf);
/* First day of the month holding DAYS, and of the month after it. */
long days_month_start(long days);
long days_next_month(long days);
int days_in_month(int y, int m);


#include <time.h>
/* Parses an ISO 8601 instant: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS]" with an
 * optional "Z" or "+HH[:MM]"/"-HH[:MM]" offset. Without an offset the time is
 * local to the process time zone (TZ, set from the configuration). */
bool days_parse_instant(const char *text, time_t *out) __attribute__((warn_unused_result));
#endif
