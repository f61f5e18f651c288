#include "score.h"

#include <stdio.h>
#include <string.h>

struct frac frac_of(struct dec value) { return (struct frac){value, dec_from_int(1)}; }

static bool clamp(struct dec s, struct dec weight, struct dec *out)
{
	int c;
	if (dec_is_negative(s))
		s = dec_from_int(0);
	if (!dec_cmp(s, weight, &c))
		return false;
	return dec_round(c > 0 ? weight : s, SCORE_SCALE, out);
}

bool score_computed(enum direction dir, enum lower_rule rule, struct dec weight, struct dec target,
		    struct frac a, struct dec *score)
{
	/* A ≥ T ⇔ num ≥ T × den, since den > 0. */
	struct dec t_den, s;
	int c;
	if (!dec_mul(target, a.den, &t_den) || !dec_cmp(a.num, t_den, &c))
		return false;
	if (dir == DIRECTION_HIGHER) {
		if (c >= 0)
			return clamp(weight, weight, score);
		if (dec_is_zero(target)) /* A below a target of 0: nothing earned */
			return clamp(dec_from_int(0), weight, score);
		/* w × (num/den) / T */
		if (!dec_muldiv(weight, a.num, a.den, target, SCORE_SCALE, &s))
			return false;
		return clamp(s, weight, score);
	}
	if (c <= 0)
		return clamp(weight, weight, score);
	if (rule == LOWER_RATIO) {
		/* w × T / (num/den) = w × T × den / num; num > T × den ≥ 0 here
		 * unless T < 0, where nothing sensible exists: 0. */
		if (!dec_is_negative(a.num) && !dec_is_zero(a.num) && !dec_is_negative(target)) {
			if (!dec_muldiv(weight, t_den, a.num, dec_from_int(1), SCORE_SCALE, &s))
				return false;
			return clamp(s, weight, score);
		}
		return clamp(dec_from_int(0), weight, score);
	}
	/* linear: w × (1 − (A − T)/T) = w × (2T×den − num) / (T×den); 0 from
	 * A ≥ 2T and when T is 0 (any excess is infinitely over). */
	if (dec_is_zero(target) || dec_is_negative(target))
		return clamp(dec_from_int(0), weight, score);
	struct dec two_t, rest;
	if (!dec_add(t_den, t_den, &two_t) || !dec_sub(two_t, a.num, &rest))
		return false;
	if (dec_is_negative(rest) || dec_is_zero(rest))
		return clamp(dec_from_int(0), weight, score);
	if (!dec_muldiv(weight, rest, t_den, dec_from_int(1), SCORE_SCALE, &s))
		return false;
	return clamp(s, weight, score);
}

bool score_budget(struct dec weight, struct dec budget, struct dec executed, struct dec *score)
{
	struct dec s;
	if (!dec_muldiv(weight, executed, budget, dec_from_int(1), SCORE_SCALE, &s))
		return false;
	return clamp(s, weight, score);
}

bool frac_ratio(struct frac a, struct frac b, int scale, struct dec *out)
{
	/* (an/ad) / (bn/bd) = an × bd / (ad × bn) */
	return dec_muldiv(a.num, b.den, a.den, b.num, scale, out);
}

bool frac_value(struct frac a, int scale, struct dec *out)
{
	return dec_muldiv(a.num, dec_from_int(1), a.den, dec_from_int(1), scale, out);
}

void grade_bands_default(struct grade_bands *g)
{
	g->min[0] = dec_from_int(90);
	g->min[1] = dec_from_int(80);
	g->min[2] = dec_from_int(60);
}

const char *score_grade(struct dec total, const struct grade_bands *g)
{
	static const char *const names[] = {"优", "良", "中"};
	for (int i = 0; i < 3; i++) {
		int c;
		if (dec_cmp(total, g->min[i], &c) && c >= 0)
			return names[i];
	}
	return "差";
}

static const struct {
	const char *unit;
	enum metric_kind kind;
	int pow10; /* the value is divided by 10^pow10 (negative: multiplied) */
} display_units[] = {
    {DISPLAY_UNIT_AUTO, METRIC_AMOUNT, 8}, /* resolved per figure: 亿元 or 万元 */
    {"元", METRIC_AMOUNT, 0},
    {"万元", METRIC_AMOUNT, 4},
    {"亿元", METRIC_AMOUNT, 8},
    {"宗", METRIC_COUNT, 0},
    {"次", METRIC_COUNT, 0},
    {"人次", METRIC_COUNT, 0},
    {"笔", METRIC_COUNT, 0},
    {"单", METRIC_COUNT, 0},
    {"项", METRIC_COUNT, 0},
    {"个", METRIC_COUNT, 0},
    {"名", METRIC_COUNT, 0},
    {"%", METRIC_RATE, -2},
};

const char *display_units_of(enum metric_kind kind, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(display_units) / sizeof(display_units[0]); i++)
		if (display_units[i].kind == kind &&
		    strcmp(display_units[i].unit, DISPLAY_UNIT_AUTO))
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s",
						 used ? " " : "", display_units[i].unit);
	return buf;
}

const char *display_unit_resolve(struct frac v, const char *unit)
{
	if (strcmp(unit, DISPLAY_UNIT_AUTO) != 0)
		return unit;
	/* 亿元 from one 亿 up (either sign), as the published reports write. */
	struct dec yi = dec_from_int(100000000), whole;
	struct frac abs = v;
	if (dec_is_negative(abs.num))
		abs.num.m = -abs.num.m;
	int c;
	if (!dec_muldiv(abs.num, dec_from_int(1), abs.den, dec_from_int(1), 0, &whole) ||
	    !dec_cmp(whole, yi, &c))
		return "亿元";
	/* Rounded to whole yuan first, so that 99999999.995 stays 万元 only
	 * when it shows as such. */
	return c >= 0 ? "亿元" : "万元";
}

static int unit_index(const char *unit)
{
	for (size_t i = 0; i < sizeof(display_units) / sizeof(display_units[0]); i++)
		if (strcmp(display_units[i].unit, unit) == 0)
			return (int)i;
	return -1;
}

const char *display_unit_lookup(const char *unit, enum metric_kind kind)
{
	if (strcmp(unit, DISPLAY_UNIT_AUTO) == 0)
		return NULL; /* the default, not a unit one can write */
	int i = unit_index(unit);
	return i >= 0 && display_units[i].kind == kind ? display_units[i].unit : NULL;
}

const char *display_unit_default(const struct metric_def *m)
{
	/* Money as the published reports write it, 亿元 from one 亿 up and
	 * 万元 below; counts keep their own unit (宗, 次, 人次, 笔). */
	switch (m->kind) {
	case METRIC_RATE: return "%";
	case METRIC_AMOUNT: return DISPLAY_UNIT_AUTO;
	default: return m->unit;
	}
}

void dec_format_trim(struct dec d, char *buf, size_t len)
{
	dec_format(d, buf, len);
	if (!strchr(buf, '.'))
		return;
	size_t n = strlen(buf);
	while (n && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n && buf[n - 1] == '.')
		buf[--n] = '\0';
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

bool display_scaled(struct frac v, const char *unit, struct dec *shown, const char **resolved)
{
	unit = display_unit_resolve(v, unit);
	int i = unit_index(unit);
	if (i < 0)
		return false;
	struct dec scale = dec_from_int(1);
	for (int k = 0;
	     k < (display_units[i].pow10 < 0 ? -display_units[i].pow10 : display_units[i].pow10);
	     k++)
		if (!dec_mul(scale, dec_from_int(10), &scale))
			return false;
	*resolved = display_units[i].unit;
	return display_units[i].pow10 < 0
		   ? dec_muldiv(v.num, scale, v.den, dec_from_int(1), SCORE_SCALE, shown)
		   : dec_muldiv(v.num, dec_from_int(1), v.den, scale, SCORE_SCALE, shown);
}

bool display_format(struct frac v, const char *unit, char *buf, size_t len)
{
	struct dec shown;
	if (!display_scaled(v, unit, &shown, &unit))
		return false;
	char num[80];
	dec_format_trim(shown, num, sizeof(num));
	snprintf(buf, len, "%s%s", num, unit);
	return true;
}
