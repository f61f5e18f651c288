/* quantity — a quantity as people write one on the self-evaluation form and
 * in the targets file's manual lines (SPEC §5): an optional sign (≥ ≤ > <),
 * a decimal number and an optional unit: %, 元 万元 亿元, or a count unit
 * (宗 次 人次 笔 单 项 个 名). "≥85%", "82%", "1.5亿元", "12000万元",
 * "3902宗", "≤1400万元", "100".
 *
 * Parsing is exact (money.c decimals, never a double) and strict: anything
 * else in the text ("约90%", "95%以上", "良好") is not a quantity, so a
 * qualitative line is never scored by accident. Accepted as well, because
 * spreadsheets write them: ASCII spaces around the parts, >= and <=,
 * full-width ％ ＞ ＜ and ≧ ≦, and thousands separators in groups of three
 * ("3,902宗"). Two quantities compare only within one kind of unit; money
 * converts exactly between 元, 万元 and 亿元. */
#ifndef GGZY_QUANTITY_H
#define GGZY_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"
#include "money.h"
#include "score.h"

enum quantity_kind {
	QUANTITY_NUMBER,  /* no unit */
	QUANTITY_PERCENT, /* % */
	QUANTITY_MONEY,	  /* 元 万元 亿元 */
	QUANTITY_COUNT,	  /* 宗 次 人次 笔 单 项 个 名 */
};

enum quantity_sign { QUANTITY_NO_SIGN, QUANTITY_GE, QUANTITY_GT, QUANTITY_LE, QUANTITY_LT };

struct quantity {
	enum quantity_sign sign;
	struct dec number; /* as written, in its unit: 1.5 of "1.5亿元" */
	const char *unit;  /* static, canonical ("%" for ％); "" without a unit */
	enum quantity_kind kind;
	/* In the kind's base unit: 元 for money, a ratio for % (0.82), the
	 * number itself otherwise. */
	struct dec value;
};

/* Parses TEXT (UTF-8, NUL-terminated); false when it is not a quantity. */
bool quantity_parse(const char *text, struct quantity *out) __attribute__((warn_unused_result));
/* True when a and b are in the same kind of unit. */
bool quantity_comparable(const struct quantity *a, const struct quantity *b);
/* The direction a target's sign says: ≥, > or none: higher; ≤, <: lower. */
enum direction quantity_direction(const struct quantity *target);
/* True for a written sign ≥ ≤ > <. */
bool quantity_has_sign(const struct quantity *q);
/* "a percentage", "an amount of money", "a count", "a plain number". */
const char *quantity_kind_text(enum quantity_kind kind);
/* True when a quantity of this kind can be a figure of a metric of KIND:
 * money for amounts, % for rates, a count or a plain number for counts. */
bool quantity_fits_metric(const struct quantity *q, enum metric_kind kind);

/* a and b (comparable) as numbers of one unit, the finer of their two
 * (12000万元 and 1.5亿元: 12000 and 15000, in 万元), for showing the
 * arithmetic as the form would write it. False on overflow. */
bool quantity_common(const struct quantity *a, const struct quantity *b, struct dec *an,
		     struct dec *bn, const char **unit) __attribute__((warn_unused_result));
/* V, a value in the base unit of Q's kind (元, a ratio, a count), written in
 * Q's unit and rounded half-up to scale decimals: 20054800000 in 亿元 to 2
 * decimals is 200.55. False on overflow or a zero denominator. */
bool quantity_in_unit_of(struct frac v, const struct quantity *q, int scale, struct dec *out)
    __attribute__((warn_unused_result));

#endif
