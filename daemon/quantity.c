#include "quantity.h"

#include <string.h>

static const struct {
	const char *text, *unit; /* as written; canonical */
	enum quantity_kind kind;
	int pow10; /* 1 of the unit is 10^pow10 of the base unit (% is −2) */
} units[] = {
    /* Longest first where one is the end of another (人次, 次). */
    {"%", "%", QUANTITY_PERCENT, -2},	 {"％", "%", QUANTITY_PERCENT, -2},
    {"万元", "万元", QUANTITY_MONEY, 4}, {"亿元", "亿元", QUANTITY_MONEY, 8},
    {"元", "元", QUANTITY_MONEY, 0},	 {"人次", "人次", QUANTITY_COUNT, 0},
    {"宗", "宗", QUANTITY_COUNT, 0},	 {"次", "次", QUANTITY_COUNT, 0},
    {"笔", "笔", QUANTITY_COUNT, 0},	 {"单", "单", QUANTITY_COUNT, 0},
    {"项", "项", QUANTITY_COUNT, 0},	 {"个", "个", QUANTITY_COUNT, 0},
    {"名", "名", QUANTITY_COUNT, 0},
};
#define NUNITS (sizeof(units) / sizeof(units[0]))

static const struct {
	const char *text;
	enum quantity_sign sign;
} signs[] = {
    {"≥", QUANTITY_GE}, {"≧", QUANTITY_GE},  {">=", QUANTITY_GE}, {"≤", QUANTITY_LE},
    {"≦", QUANTITY_LE}, {"<=", QUANTITY_LE}, {">", QUANTITY_GT},  {"＞", QUANTITY_GT},
    {"<", QUANTITY_LT}, {"＜", QUANTITY_LT},
};

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The number at *pp ("-3,902.5"): copied without its separators into buf,
 * *pp moved past it. Groups of a thousands separator are 1–3 digits, then
 * exactly three each. */
static bool scan_number(const char **pp, char *buf, size_t len)
{
	const char *p = *pp;
	size_t n = 0;
	if (*p == '-' || *p == '+')
		buf[n++] = *p++;
	int group = 0;
	bool grouped = false;
	while (is_digit(*p) || (*p == ',' && is_digit(p[1]))) {
		if (*p == ',') {
			if ((grouped && group != 3) || (!grouped && (group < 1 || group > 3)))
				return false;
			grouped = true;
			group = 0;
			p++;
			continue;
		}
		if (n + 2 >= len)
			return false;
		buf[n++] = *p++;
		group++;
	}
	if (group == 0 || (grouped && group != 3))
		return false;
	if (*p == '.' && is_digit(p[1])) {
		buf[n++] = *p++;
		while (is_digit(*p)) {
			if (n + 2 >= len)
				return false;
			buf[n++] = *p++;
		}
	}
	buf[n] = '\0';
	*pp = p;
	return true;
}

static bool pow10_dec(int n, struct dec *out)
{
	*out = dec_from_int(1);
	for (int i = 0; i < n; i++)
		if (!dec_mul(*out, dec_from_int(10), out))
			return false;
	return true;
}

static int unit_pow10(const char *unit)
{
	for (size_t i = 0; i < NUNITS; i++)
		if (strcmp(units[i].unit, unit) == 0)
			return units[i].pow10;
	return 0;
}

bool quantity_parse(const char *text, struct quantity *out)
{
	struct quantity q = {.sign = QUANTITY_NO_SIGN, .unit = "", .kind = QUANTITY_NUMBER};
	const char *p = skip_spaces(text);
	for (size_t i = 0; i < sizeof(signs) / sizeof(signs[0]); i++) {
		size_t n = strlen(signs[i].text);
		if (strncmp(p, signs[i].text, n) == 0) {
			q.sign = signs[i].sign;
			p = skip_spaces(p + n);
			break;
		}
	}
	char num[64];
	if (!scan_number(&p, num, sizeof(num)) || !dec_parse(num, &q.number))
		return false;
	p = skip_spaces(p);
	int pow10 = 0;
	for (size_t i = 0; i < NUNITS; i++) {
		size_t n = strlen(units[i].text);
		if (strncmp(p, units[i].text, n) == 0) {
			q.unit = units[i].unit;
			q.kind = units[i].kind;
			pow10 = units[i].pow10;
			p = skip_spaces(p + n);
			break;
		}
	}
	if (*p)
		return false;
	q.value = q.number;
	if (pow10 < 0) {
		/* 82% is 0.82: the same digits two places further right. */
		if (q.value.scale - pow10 > DEC_MAX_SCALE)
			return false;
		q.value.scale -= pow10;
	} else if (pow10 > 0) {
		struct dec f;
		if (!pow10_dec(pow10, &f) || !dec_mul(q.number, f, &q.value))
			return false;
	}
	*out = q;
	return true;
}

bool quantity_comparable(const struct quantity *a, const struct quantity *b)
{
	return a->kind == b->kind;
}

enum direction quantity_direction(const struct quantity *target)
{
	return target->sign == QUANTITY_LE || target->sign == QUANTITY_LT ? DIRECTION_LOWER
									  : DIRECTION_HIGHER;
}

bool quantity_has_sign(const struct quantity *q) { return q->sign != QUANTITY_NO_SIGN; }

const char *quantity_kind_text(enum quantity_kind kind)
{
	switch (kind) {
	case QUANTITY_PERCENT: return "a percentage";
	case QUANTITY_MONEY: return "an amount of money";
	case QUANTITY_COUNT: return "a count";
	default: return "a plain number";
	}
}

bool quantity_fits_metric(const struct quantity *q, enum metric_kind kind)
{
	switch (kind) {
	case METRIC_AMOUNT: return q->kind == QUANTITY_MONEY;
	case METRIC_RATE: return q->kind == QUANTITY_PERCENT;
	default: return q->kind == QUANTITY_COUNT || q->kind == QUANTITY_NUMBER;
	}
}

bool quantity_common(const struct quantity *a, const struct quantity *b, struct dec *an,
		     struct dec *bn, const char **unit)
{
	*an = a->number;
	*bn = b->number;
	*unit = *a->unit ? a->unit : b->unit;
	if (a->kind != QUANTITY_MONEY || b->kind != QUANTITY_MONEY)
		return true;
	int pa = unit_pow10(a->unit), pb = unit_pow10(b->unit);
	struct dec f;
	if (pa > pb) {
		*unit = b->unit;
		return pow10_dec(pa - pb, &f) && dec_mul(a->number, f, an);
	}
	if (pb > pa)
		return pow10_dec(pb - pa, &f) && dec_mul(b->number, f, bn);
	return true;
}

bool quantity_in_unit_of(struct frac v, const struct quantity *q, int scale, struct dec *out)
{
	int p = unit_pow10(q->unit);
	struct dec f;
	if (!pow10_dec(p < 0 ? -p : p, &f))
		return false;
	return p < 0 ? dec_muldiv(v.num, f, v.den, dec_from_int(1), scale, out)
		     : dec_muldiv(v.num, dec_from_int(1), v.den, f, scale, out);
}
