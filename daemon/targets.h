/* targets — the targets file of SPEC §5 (JSON): per year and centre, the
 * indicators of the self-evaluation form, computed from a metric or entered
 * by hand, with an optional scoring profile (SPEC §6).
 *
 * Loading validates everything a report needs and reports every problem as
 * "FILE:LINE: message", the line being where the offending value is written
 * (jansson gives no positions, so a small scanner maps each value's JSON path
 * to its line and its literal text; numbers are parsed from that text, so
 * "target": 0.95 stays exact). A struct targets is immutable; a reload builds
 * a new one. */
#ifndef GGZY_TARGETS_H
#define GGZY_TARGETS_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "config.h"
#include "money.h"
#include "quantity.h"
#include "score.h"

enum manual_kind {
	MANUAL_NONE,	 /* computed from a metric */
	MANUAL_SCORED,	 /* {"target", "actual", "score"} as entered */
	MANUAL_BUDGET,	 /* {"budget", "executed"}: 预算执行率 */
	MANUAL_QUANTITY, /* {"target", "actual"}, both quantities: scored by SPEC §6 */
};

struct indicator {
	int line;
	char *name, *level1, *level2;
	struct dec weight;
	/* computed */
	const struct metric_def *metric;
	/* By label bit position: the value, or the values of a list joined
	 * by commas, sorted and unique ("engineering,gov_procurement"); NULL:
	 * any. */
	char *filter[LABEL_COUNT];
	/* "period": the month-days (MMDD, e.g. 901) the figure covers of its
	 * year; 0: the year's start or end. */
	int period_from, period_to;
	struct dec target;
	enum direction direction; /* also of a MANUAL_QUANTITY line, by its target's sign */
	const char *display_unit; /* static */
	/* manual */
	enum manual_kind manual;
	char *manual_target, *manual_actual; /* texts as entered */
	struct dec manual_score;
	struct quantity manual_tq, manual_aq; /* MANUAL_QUANTITY: the two texts read */
	struct dec budget, executed;
};

struct target_year {
	int line;
	int year;
	char *center; /* NULL: all centres */
	enum lower_rule lower;
	struct grade_bands grades;
	struct indicator *indicators;
	size_t nindicators;
};

struct targets {
	int refs;
	char *path;
	struct target_year *years;
	size_t nyears;
};

/* Loads and validates PATH; NULL when invalid, every problem in errs. */
struct targets *targets_load(const char *path, struct config_errors *errs)
    __attribute__((warn_unused_result));
/* Validates TEXT as if read from PATH (for tests and the fuzzer). */
struct targets *targets_parse(const char *path, const char *text, size_t len,
			      struct config_errors *errs) __attribute__((warn_unused_result));
/* Reference counting: a report in flight keeps the targets it started with
 * while a reload swaps in new ones. targets_free drops one reference. */
struct targets *targets_retain(struct targets *t);
void targets_free(struct targets *t);

/* The entry for YEAR and CENTER (NULL: the all-centres entry), or NULL. */
const struct target_year *targets_find(const struct targets *t, int year, const char *center);

#endif
