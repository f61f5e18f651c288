/* pacing — where an annual target should stand by now (SPEC §8), on exact
 * fractions, and the alert state machine. Pure functions, no I/O.
 *
 * The share of the year elapsed counts days in the centre's zone, today
 * included: day_of_year / days_in_year (`linear`), or last year's figure up
 * to the same day over last year's total (`last_year`, linear when last year
 * has nothing). A sum is expected at T × share and projects to A / share; a
 * rate does not accumulate, so it is expected at T and projects to A. */
#ifndef GGZY_PACING_H
#define GGZY_PACING_H

#include <stdbool.h>

#include "score.h"

enum pacing_mode { PACING_LINEAR, PACING_LAST_YEAR };

/* "linear" | "last_year". */
bool pacing_mode_parse(const char *text, enum pacing_mode *out);

/* The share of the year elapsed. last_ytd and last_total are last year's
 * figure to the same day and for the whole year (den 1). *from_last_year
 * tells which rule applied. */
struct frac pacing_share(enum pacing_mode mode, int day_of_year, int days_in_year,
			 struct frac last_ytd, struct frac last_total, bool *from_last_year);

struct pace {
	struct frac expected;  /* expected by now */
	bool has_ratio;	       /* false when nothing is expected yet */
	struct dec ratio;      /* A / expected, RATIO_SCALE decimals */
	bool has_projection;   /* false when no share of the year has elapsed */
	struct frac projected; /* year-end value at this pace */
	bool behind;	       /* higher: A < threshold × expected;
				* lower: threshold × A > expected */
};

/* False only on arithmetic overflow. */
bool pacing_evaluate(enum direction dir, bool is_rate, struct dec target, struct frac actual,
		     struct frac share, struct dec threshold, struct pace *out)
    __attribute__((warn_unused_result));

/* Whether a closed year's actual missed its target. */
bool pacing_missed(enum direction dir, struct dec target, struct frac actual, bool *missed)
    __attribute__((warn_unused_result));

enum alert_state { ALERT_OK, ALERT_PENDING, ALERT_FIRING, ALERT_RESOLVED };

const char *alert_state_name(enum alert_state s);
bool alert_state_parse(const char *text, enum alert_state *out);
/* One evaluation: behind twice in a row fires; firing then on pace resolves;
 * behind again starts over at pending. */
enum alert_state alert_state_next(enum alert_state s, bool behind);

#endif
