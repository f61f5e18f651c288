/* money — exact decimals for scoring and display: a 128-bit integer mantissa
 * and a decimal scale (value = m / 10^scale). Every operation checks for
 * overflow and reports it instead of wrapping; rounding is half-up (half
 * away from zero), as the self-evaluation forms round. No binary floating
 * point anywhere in here. */
#ifndef GGZY_MONEY_H
#define GGZY_MONEY_H

#include <stdbool.h>
#include <stddef.h>

#define DEC_MAX_SCALE 18

struct dec {
	__int128 m;
	int scale; /* 0..DEC_MAX_SCALE */
};

/* Parses "-12.345", "+7", "0.5", ".5"? no: a digit must precede the point.
 * At most 36 significant digits and DEC_MAX_SCALE decimals; no exponent, no
 * spaces. */
bool dec_parse(const char *text, struct dec *out) __attribute__((warn_unused_result));
/* Writes the value with exactly its scale's decimals ("12.30"). */
void dec_format(struct dec d, char *buf, size_t len);
/* d rounded half-up (or padded) to scale decimals. */
bool dec_round(struct dec d, int scale, struct dec *out) __attribute__((warn_unused_result));
/* -1, 0 or 1; false on overflow while aligning scales. */
bool dec_cmp(struct dec a, struct dec b, int *out) __attribute__((warn_unused_result));
bool dec_add(struct dec a, struct dec b, struct dec *out) __attribute__((warn_unused_result));
bool dec_sub(struct dec a, struct dec b, struct dec *out) __attribute__((warn_unused_result));
bool dec_mul(struct dec a, struct dec b, struct dec *out) __attribute__((warn_unused_result));
/* (a × b) / (c × d) rounded half-up to scale decimals; false on overflow, a
 * zero divisor or a scale outside 0..DEC_MAX_SCALE. The workhorse of scoring: w × A / T with A itself a ratio. */
bool dec_muldiv(struct dec a, struct dec b, struct dec c, struct dec d, int scale, struct dec *out)
    __attribute__((warn_unused_result));
struct dec dec_from_int(long long v);
bool dec_is_zero(struct dec d);
bool dec_is_negative(struct dec d);
/* An approximation for JSON numbers (rates, ratios): never for amounts. */
double dec_to_double(struct dec d);

#endif
