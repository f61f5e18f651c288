/* figure_format — a figure written the ways the product writes it: in JSON
 * as SPEC §7 fixes (amounts as strings with two decimals, counts as
 * integers, rates and ratios as numbers) and as display text the published
 * reports use ("200.55亿元", "—" when undefined). Shared by the report and
 * the alerts so that both write a figure the same way. */
#ifndef GGZY_FIGURE_FORMAT_H
#define GGZY_FIGURE_FORMAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "score.h"

/* d rounded half-up to scale decimals, as a JSON number (ratios, scores). */
json_t *figure_json_number(struct dec d, int scale);
/* d rounded half-up to scale decimals, as a JSON string (money, as written). */
json_t *figure_json_text(struct dec d, int scale);
/* A value of metric M; null when undefined. */
json_t *figure_json(const struct metric_def *m, struct frac v, bool defined);
/* A target of metric M: like figure_json, but a fractional count target
 * stays as written. */
json_t *figure_json_target(const struct metric_def *m, struct dec t);
/* Display text in UNIT, or "—" when undefined or out of range. */
void figure_display(struct frac v, bool defined, const char *unit, char *buf, size_t len);

#endif
