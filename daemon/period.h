/* period — the calendar periods figures are asked for (days in the
 * centre's zone, inclusive), and the same days one year earlier that 同比
 * compares them with. Pure: no clock here, TODAY is given.
 *
 * A period not over yet runs to TODAY (the report of the current year is
 * January 1 to today); the year before is the same month-days one year
 * earlier, 29 February becoming the 28th. */
#ifndef GGZY_PERIOD_H
#define GGZY_PERIOD_H

#include <stdbool.h>

struct period {
	long from, to;		 /* day numbers (days.h), inclusive */
	long prev_from, prev_to; /* the same days a year earlier */
	bool closed;		 /* the whole period is before TODAY */
	char from_text[11], to_text[11], prev_from_text[11], prev_to_text[11];
};

/* The part of YEAR from month-day FROM_MD to TO_MD (MMDD as integers, 101
 * to 1231; 0: the year's start or end), cut at TODAY when it has not ended.
 * False when nothing of it has begun by TODAY or the bounds are not days. */
bool period_of_year(int year, int from_md, int to_md, long today, struct period *p)
    __attribute__((warn_unused_result));
/* The day one year before DAY (29 February -> 28 February). */
long period_year_before(long day);

#endif
