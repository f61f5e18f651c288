/* indicators — exact figures of targets-file indicators (a metric, a label
 * filter, and two periods of its own: this year's and the same days a year
 * earlier) for one centre with its descendants, read from the store in one
 * query. The year-end report and the alert evaluator both
 * read their figures here, so they can never disagree.
 *
 * Figures are kept per request (the same indicators, centre and periods)
 * while the store's figures version (store_version) is unchanged, and equal
 * requests in flight share one query. */
#ifndef GGZY_INDICATORS_H
#define GGZY_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "score.h"

struct store;

struct indicator_query {
	const struct metric_def *metric;
	/* by label bit position (catalog.h): one value or a comma-separated
	 * list (their union); NULL entries and a NULL array: any value */
	char *const *filter;
	/* inclusive "YYYY-MM-DD" pairs {from1, to1, from2, to2}, borrowed for
	 * the call; a stock's figure is on each period's last day */
	const char *period[4];
};

struct indicator_figure {
	struct frac value[2]; /* per period; a sum has den 1 */
	bool defined[2];      /* false: a rate over nothing */
};

enum indicators_status { INDICATORS_OK, INDICATORS_STORE_FAILED, INDICATORS_OUT_OF_RANGE };

/* figs holds n figures (valid during the call) when status is OK. */
typedef void (*indicators_cb)(enum indicators_status status, const struct indicator_figure *figs,
			      size_t n, void *arg);

/* CENTER NULL: all centres. Calls cb exactly once, at once when n is 0. */
void indicators_fetch(struct store *st, const char *center, const struct indicator_query *q,
		      size_t n, indicators_cb cb, void *arg);

/* Frees the kept figures (at exit, for leak checkers). */
void indicators_cache_free(void);

#endif
