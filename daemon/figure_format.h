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
/* 同比 of a sum, (A − P) / P, exactly; false when P is 0 or on overflow. */
bool figure_yoy(struct frac a, struct frac p, struct frac *out) __attribute__((warn_unused_result));
/* 同比 of a rate in percentage points, (A − P) × 100 rounded half-up to 2
 * decimals (SPEC §6). */
bool figure_yoy_points(struct frac a, struct frac p, struct dec *out)
    __attribute__((warn_unused_result));
/* 同比 as the reports write it: "+12.5%", "-3%" for sums; for a rate its
 * change in percentage points, "提高0.26个百分点" (降低, 持平); "—" when
 * undefined (a figure missing, or nothing a year earlier). */
void figure_yoy_text(enum metric_kind kind, struct frac a, bool a_ok, struct frac p, bool p_ok,
		     char *buf, size_t len);
/* Display text in UNIT, or "—" when undefined or out of range. */
void figure_display(struct frac v, bool defined, const char *unit, char *buf, size_t len);

#endif
