/* score — the self-evaluation form's arithmetic (SPEC §6) and the way the
 * published reports write figures, on exact decimals only.
 *
 * A figure is a fraction num/den (den > 0): a sum has den 1, a rate is the
 * exact ratio of two sums, so that w × A / T for a rate is computed as
 * w × num / (den × T) with a single rounding, half-up to 2 decimals. */
#ifndef GGZY_SCORE_H
#define GGZY_SCORE_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "money.h"

enum direction { DIRECTION_HIGHER, DIRECTION_LOWER };
/* How a `lower` indicator over its ceiling scores: w × T / A, or
 * w × (1 − (A − T) / T), 0 from A ≥ 2T. */
enum lower_rule { LOWER_RATIO, LOWER_LINEAR };

#define SCORE_SCALE 2
/* Decimals of ratios reported as JSON numbers (completion, yoy, rates). */
#define RATIO_SCALE 6

struct frac {
	struct dec num, den;
};

struct frac frac_of(struct dec value);

/* The score of a computed indicator, rounded half-up to 2 decimals and kept
 * within [0, w]. False only on arithmetic overflow. */
bool score_computed(enum direction dir, enum lower_rule rule, struct dec weight, struct dec target,
		    struct frac actual, struct dec *score) __attribute__((warn_unused_result));
/* 预算执行率: w × executed / budget, capped at w (budget > 0). */
bool score_budget(struct dec weight, struct dec budget, struct dec executed, struct dec *score)
    __attribute__((warn_unused_result));
/* a / b rounded half-up to scale decimals; false when b is 0 or on overflow. */
bool frac_ratio(struct frac a, struct frac b, int scale, struct dec *out)
    __attribute__((warn_unused_result));
/* The value itself rounded to scale decimals. */
bool frac_value(struct frac a, int scale, struct dec *out) __attribute__((warn_unused_result));

/* Grade bands: the lowest totals of 优, 良 and 中 (defaults 90, 80, 60). */
struct grade_bands {
	struct dec min[3];
};
void grade_bands_default(struct grade_bands *g);
/* "优", "良", "中" or "差". */
const char *score_grade(struct dec total, const struct grade_bands *g);

/* The display unit UNIT as a static string when it fits metrics of KIND
 * (元 万元 亿元 for amounts, 宗 次 人次 笔 for counts, % for rates), else
 * NULL. */
const char *display_unit_lookup(const char *unit, enum metric_kind kind);
/* The display unit of amounts without one given: 亿元 for a figure of one 亿
 * or more, 万元 below, decided per figure. */
#define DISPLAY_UNIT_AUTO "亿元|万元"
/* UNIT, or for DISPLAY_UNIT_AUTO the unit V is written in. */
const char *display_unit_resolve(struct frac v, const char *unit);
/* The display units of KIND, space-separated, for messages. */
const char *display_units_of(enum metric_kind kind, char *buf, size_t len);
/* The display unit of a metric with none given: 万元 for amounts, % for
 * rates, a count's own unit. */
const char *display_unit_default(const struct metric_def *m);
/* Writes the value as the reports write it: scaled to the unit, rounded
 * half-up to 2 decimals, trailing zeros dropped, unit appended
 * ("200.55亿元", "3281万元", "87.5%"). False on overflow or den 0. */
bool display_format(struct frac v, const char *unit, char *buf, size_t len)
    __attribute__((warn_unused_result));
/* The number display_format writes: V scaled to UNIT (resolved into
 * *resolved, a static string) and rounded half-up to 2 decimals, exactly. */
bool display_scaled(struct frac v, const char *unit, struct dec *shown, const char **resolved)
    __attribute__((warn_unused_result));
/* A decimal without trailing zeros ("12.50" -> "12.5", "3.00" -> "3"). */
void dec_format_trim(struct dec d, char *buf, size_t len);

#endif
