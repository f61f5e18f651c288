#include "money.h"

#include <stdio.h>
#include <string.h>

typedef __int128 i128;

static const i128 I128_MAX = (i128)(((unsigned __int128)1 << 127) - 1);

static bool pow10_i128(int n, i128 *out)
{
	i128 p = 1;
	for (int i = 0; i < n; i++)
		if (__builtin_mul_overflow(p, 10, &p))
			return false;
	*out = p;
	return true;
}

bool dec_parse(const char *s, struct dec *out)
{
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return false;
	i128 m = 0;
	int scale = 0, digits = 0;
	bool point = false;
	for (; *p; p++) {
		if (*p == '.') {
			if (point || p[1] < '0' || p[1] > '9')
				return false;
			point = true;
			continue;
		}
		if (*p < '0' || *p > '9')
			return false;
		if (m || *p != '0')
			digits++;
		if (digits > 36)
			return false;
		if (point && ++scale > DEC_MAX_SCALE)
			return false;
		m = m * 10 + (*p - '0');
	}
	out->m = neg ? -m : m;
	out->scale = scale;
	return true;
}

void dec_format(struct dec d, char *buf, size_t len)
{
	char digits[64];
	int n = 0;
	unsigned __int128 u =
	    d.m < 0 ? (unsigned __int128)(-(d.m + 1)) + 1 : (unsigned __int128)d.m;
	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (n <= d.scale)
		digits[n++] = '0';
	size_t o = 0;
	char tmp[80];
	if (d.m < 0)
		tmp[o++] = '-';
	for (int i = n - 1; i >= 0; i--) {
		tmp[o++] = digits[i];
		if (i == d.scale && d.scale > 0)
			tmp[o++] = '.';
	}
	tmp[o] = '\0';
	snprintf(buf, len, "%s", tmp);
}

/* q = n / d rounded half away from zero. */
static i128 div_half_up(i128 n, i128 d)
{
	i128 q = n / d, r = n % d;
	i128 ar = r < 0 ? -r : r, ad = d < 0 ? -d : d;
	if (ar >= ad - ar) /* 2|r| >= |d| without overflow */
		q += ((n < 0) != (d < 0)) ? -1 : 1;
	return q;
}

bool dec_round(struct dec d, int scale, struct dec *out)
{
	if (scale < 0 || scale > DEC_MAX_SCALE)
		return false;
	i128 p;
	if (scale >= d.scale) {
		if (!pow10_i128(scale - d.scale, &p) || __builtin_mul_overflow(d.m, p, &out->m))
			return false;
	} else {
		if (!pow10_i128(d.scale - scale, &p))
			return false;
		out->m = div_half_up(d.m, p);
	}
	out->scale = scale;
	return true;
}

static bool align(struct dec *a, struct dec *b)
{
	int s = a->scale > b->scale ? a->scale : b->scale;
	return dec_round(*a, s, a) && dec_round(*b, s, b);
}

bool dec_cmp(struct dec a, struct dec b, int *out)
{
	if (!align(&a, &b))
		return false;
	*out = (a.m > b.m) - (a.m < b.m);
	return true;
}

bool dec_add(struct dec a, struct dec b, struct dec *out)
{
	if (!align(&a, &b) || __builtin_add_overflow(a.m, b.m, &out->m))
		return false;
	out->scale = a.scale;
	return true;
}

bool dec_sub(struct dec a, struct dec b, struct dec *out)
{
	if (!align(&a, &b) || __builtin_sub_overflow(a.m, b.m, &out->m))
		return false;
	out->scale = a.scale;
	return true;
}

bool dec_mul(struct dec a, struct dec b, struct dec *out)
{
	i128 m;
	if (__builtin_mul_overflow(a.m, b.m, &m))
		return false;
	int scale = a.scale + b.scale;
	struct dec r = {m, 0};
	/* Keep within DEC_MAX_SCALE by rounding the excess digits away. */
	if (scale > DEC_MAX_SCALE) {
		i128 p;
		if (!pow10_i128(scale - DEC_MAX_SCALE, &p))
			return false;
		r.m = div_half_up(m, p);
		scale = DEC_MAX_SCALE;
	}
	r.scale = scale;
	*out = r;
	return true;
}

bool dec_muldiv(struct dec a, struct dec b, struct dec c, struct dec d, int scale, struct dec *out)
{
	i128 num, den, p;
	/* Like dec_round: a scale outside 0..DEC_MAX_SCALE would make a
	 * struct dec that dec_format and the other operations do not expect. */
	if (scale < 0 || scale > DEC_MAX_SCALE)
		return false;
	if (__builtin_mul_overflow(a.m, b.m, &num) || __builtin_mul_overflow(c.m, d.m, &den) ||
	    den == 0)
		return false;
	/* value = num/10^(as+bs) / (den/10^(cs+ds)); result mantissa at
	 * `scale` = num × 10^(scale + cs + ds − as − bs) / den. */
	int shift = scale + c.scale + d.scale - a.scale - b.scale;
	if (shift >= 0) {
		if (!pow10_i128(shift, &p) || __builtin_mul_overflow(num, p, &num))
			return false;
	} else {
		if (!pow10_i128(-shift, &p) || __builtin_mul_overflow(den, p, &den))
			return false;
	}
	out->m = div_half_up(num, den);
	out->scale = scale;
	(void)I128_MAX;
	return true;
}

struct dec dec_from_int(long long v) { return (struct dec){(i128)v, 0}; }
bool dec_is_zero(struct dec d) { return d.m == 0; }
bool dec_is_negative(struct dec d) { return d.m < 0; }

double dec_to_double(struct dec d)
{
	char buf[80];
	dec_format(d, buf, sizeof(buf));
	double v;
	return sscanf(buf, "%lf", &v) == 1 ? v : 0.0;
}
