/* availability — whether a metric's figures can be known here (SPEC §2,
 * §3): every source it is made of is configured (remote_evaluated_* need
 * the trading and the expert source), and the relations it reads exist (a
 * source without the optional relation experts has no expert pool). A
 * metric that is not available is reported so — in /api/v1/status,
 * /api/v1/metrics, the series API, the report — never as 0.
 *
 * A configuration without any [source] serves a store that others fill (a
 * consolidated store, a reader): everything it holds is available. */
#ifndef GGZY_AVAILABILITY_H
#define GGZY_AVAILABILITY_H

#include <stddef.h>

#include "catalog.h"

struct config;
struct scheduler;

/* NULL when M is available; else why not, in BUF ("needs the expert
 * source, which is not configured"). SCHED may be NULL (the report
 * command: relations are then not known to be missing). */
const char *availability_why(const struct config *cfg, const struct scheduler *sched,
			     const struct metric_def *m, char *buf, size_t len);

#endif
