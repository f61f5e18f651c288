/* fuzz_money — the exact decimals of daemon/money.c against a slow reference.
 *
 * The input is up to five lines: four decimals a, b, c, d and a scale s
 * (-2..20, to also try the out-of-range ones). Every operation's result is
 * compared with schoolbook arithmetic on decimal digit strings (no __int128,
 * no floating point), including *when* it must refuse: a result or an
 * intermediate beyond the 128-bit mantissa must be reported, never wrapped.
 *
 * Invariants: parse accepts exactly [+-]D+(.D+)? with at most 36 significant
 * digits and 18 decimals, with the value of the text; format writes the
 * canonical text and parse(format(x)) == x; add, sub, cmp, mul, round and
 * muldiv equal the reference (rounding half away from zero). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "money.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_money: invariant failed: %s (line %d)\n", #cond,     \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* ---- the reference: sign and magnitude, little-endian decimal digits ---- */

#define BIG_DIGITS 320

struct big {
	bool neg;
	int n; /* digits in use; 0 is zero */
	unsigned char d[BIG_DIGITS];
};

static void big_trim(struct big *a)
{
	while (a->n && a->d[a->n - 1] == 0)
		a->n--;
	if (!a->n)
		a->neg = false;
}

static struct big big_from_i128(__int128 v)
{
	struct big a = {.neg = v < 0};
	unsigned __int128 u = v < 0 ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;
	while (u) {
		a.d[a.n++] = (unsigned char)(u % 10);
		u /= 10;
	}
	return a;
}

static int cmp_mag(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n - 1; i >= 0; i--)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

static int big_cmp(const struct big *a, const struct big *b)
{
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;
	int c = cmp_mag(a, b);
	return a->neg ? -c : c;
}

static struct big add_mag(const struct big *a, const struct big *b)
{
	struct big r = {0};
	int carry = 0, n = a->n > b->n ? a->n : b->n;
	for (int i = 0; i < n || carry; i++) {
		CHECK(i < BIG_DIGITS);
		int s = carry + (i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
		r.d[i] = (unsigned char)(s % 10);
		carry = s / 10;
		r.n = i + 1;
	}
	big_trim(&r);
	return r;
}

/* |a| - |b| with |a| >= |b|. */
static struct big sub_mag(const struct big *a, const struct big *b)
{
	struct big r = {0};
	int borrow = 0;
	for (int i = 0; i < a->n; i++) {
		int s = a->d[i] - borrow - (i < b->n ? b->d[i] : 0);
		borrow = s < 0;
		r.d[i] = (unsigned char)(s + (borrow ? 10 : 0));
	}
	r.n = a->n;
	big_trim(&r);
	return r;
}

static struct big big_add(const struct big *a, const struct big *b)
{
	struct big r;
	if (a->neg == b->neg) {
		r = add_mag(a, b);
		r.neg = a->neg;
	} else if (cmp_mag(a, b) >= 0) {
		r = sub_mag(a, b);
		r.neg = a->neg;
	} else {
		r = sub_mag(b, a);
		r.neg = b->neg;
	}
	big_trim(&r);
	return r;
}

static struct big big_neg(struct big a)
{
	a.neg = !a.neg;
	big_trim(&a);
	return a;
}

static struct big big_mul(const struct big *a, const struct big *b)
{
	struct big r = {0};
	if (!a->n || !b->n)
		return r;
	CHECK(a->n + b->n <= BIG_DIGITS);
	int acc[BIG_DIGITS] = {0};
	for (int i = 0; i < a->n; i++)
		for (int j = 0; j < b->n; j++)
			acc[i + j] += a->d[i] * b->d[j];
	int carry = 0;
	for (int i = 0; i < a->n + b->n; i++) {
		int s = acc[i] + carry;
		r.d[i] = (unsigned char)(s % 10);
		carry = s / 10;
	}
	r.n = a->n + b->n;
	r.neg = a->neg != b->neg;
	big_trim(&r);
	return r;
}

/* a × 10^k */
static struct big big_shift(struct big a, int k)
{
	if (!a.n)
		return a;
	CHECK(a.n + k <= BIG_DIGITS);
	memmove(a.d + k, a.d, (size_t)a.n);
	memset(a.d, 0, (size_t)k);
	a.n += k;
	return a;
}

/* a / 10^k rounded half away from zero. */
static struct big big_drop(struct big a, int k)
{
	if (k <= 0)
		return a;
	if (k > a.n) {
		struct big z = {0};
		return z;
	}
	bool up = a.d[k - 1] >= 5, neg = a.neg;
	memmove(a.d, a.d + k, (size_t)(a.n - k));
	a.n -= k;
	if (up) {
		struct big one = {.n = 1, .d = {1}};
		a = add_mag(&a, &one);
	}
	a.neg = neg;
	big_trim(&a);
	return a;
}

/* Whether a fits a signed 128-bit integer. */
static bool big_fits(const struct big *a)
{
	static struct big max;
	if (!max.n)
		max = big_from_i128((__int128)(((unsigned __int128)1 << 127) - 1));
	struct big one = {.n = 1, .d = {1}};
	struct big lim = a->neg ? add_mag(&max, &one) : max;
	return cmp_mag(a, &lim) <= 0;
}

static bool big_eq_dec(const struct big *a, int scale, struct dec d)
{
	struct big m = big_from_i128(d.m);
	return d.scale == scale && big_cmp(&m, a) == 0;
}

/* ---- parse and format against the grammar ---- */

struct ref {
	bool ok;
	struct big m;
	int scale;
};

static struct ref ref_parse(const char *s)
{
	struct ref r = {0};
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	const char *int_start = p;
	while (*p >= '0' && *p <= '9')
		p++;
	size_t int_len = (size_t)(p - int_start);
	const char *frac_start = p;
	size_t frac_len = 0;
	if (*p == '.') {
		frac_start = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		frac_len = (size_t)(p - frac_start);
		if (!frac_len)
			return r;
	}
	if (*p || !int_len || frac_len > DEC_MAX_SCALE)
		return r;
	/* All digits, most significant first, without leading zeros. */
	char digits[512];
	size_t n = 0;
	for (const char *q = int_start; q < int_start + int_len; q++)
		if (n || *q != '0') {
			if (n >= sizeof(digits))
				return r;
			digits[n++] = *q;
		}
	for (const char *q = frac_start; q < frac_start + frac_len; q++)
		if (n || *q != '0') {
			if (n >= sizeof(digits))
				return r;
			digits[n++] = *q;
		}
	if (n > 36)
		return r;
	r.ok = true;
	r.scale = (int)frac_len;
	for (size_t i = 0; i < n; i++)
		r.m.d[i] = (unsigned char)(digits[n - 1 - i] - '0');
	r.m.n = (int)n;
	r.m.neg = neg;
	big_trim(&r.m);
	return r;
}

static void ref_format(const struct big *m, int scale, char *out)
{
	size_t o = 0;
	if (m->neg)
		out[o++] = '-';
	int n = m->n > scale ? m->n : scale + 1;
	for (int i = n - 1; i >= 0; i--) {
		out[o++] = (char)('0' + (i < m->n ? m->d[i] : 0));
		if (i == scale && scale > 0)
			out[o++] = '.';
	}
	out[o] = '\0';
}

static void check_parse_format(const char *text, struct dec *d, bool *ok)
{
	struct ref r = ref_parse(text);
	*ok = dec_parse(text, d);
	CHECK(*ok == r.ok);
	if (!*ok)
		return;
	CHECK(big_eq_dec(&r.m, r.scale, *d));
	char got[128], want[128];
	dec_format(*d, got, sizeof(got));
	ref_format(&r.m, r.scale, want);
	CHECK(strcmp(got, want) == 0);
	struct dec back;
	CHECK(dec_parse(got, &back));
	CHECK(back.m == d->m && back.scale == d->scale);
	CHECK(dec_is_zero(*d) == (r.m.n == 0));
	CHECK(dec_is_negative(*d) == r.m.neg);
}

/* ---- operations ---- */

static void check_add_sub_cmp(struct dec a, struct dec b)
{
	int s = a.scale > b.scale ? a.scale : b.scale;
	struct big A = big_shift(big_from_i128(a.m), s - a.scale);
	struct big B = big_shift(big_from_i128(b.m), s - b.scale);
	bool aligned = big_fits(&A) && big_fits(&B);

	struct dec r;
	struct big sum = big_add(&A, &B);
	bool ok = dec_add(a, b, &r);
	CHECK(ok == (aligned && big_fits(&sum)));
	if (ok)
		CHECK(big_eq_dec(&sum, s, r));

	struct big nb = big_neg(B);
	struct big diff = big_add(&A, &nb);
	ok = dec_sub(a, b, &r);
	CHECK(ok == (aligned && big_fits(&diff)));
	if (ok)
		CHECK(big_eq_dec(&diff, s, r));

	int c;
	ok = dec_cmp(a, b, &c);
	CHECK(ok == aligned);
	if (ok)
		CHECK(c == big_cmp(&A, &B));
}

static void check_mul(struct dec a, struct dec b)
{
	struct big A = big_from_i128(a.m), B = big_from_i128(b.m);
	struct big P = big_mul(&A, &B);
	struct dec r;
	bool ok = dec_mul(a, b, &r);
	CHECK(ok == big_fits(&P));
	if (!ok)
		return;
	int scale = a.scale + b.scale;
	if (scale > DEC_MAX_SCALE) {
		P = big_drop(P, scale - DEC_MAX_SCALE);
		scale = DEC_MAX_SCALE;
	}
	CHECK(big_eq_dec(&P, scale, r));
}

static void check_round(struct dec a, int s)
{
	struct dec r;
	bool ok = dec_round(a, s, &r);
	if (s < 0 || s > DEC_MAX_SCALE) {
		CHECK(!ok);
		return;
	}
	struct big A = big_from_i128(a.m);
	if (s >= a.scale) {
		struct big W = big_shift(A, s - a.scale);
		CHECK(ok == big_fits(&W));
		if (ok)
			CHECK(big_eq_dec(&W, s, r));
		return;
	}
	CHECK(ok);
	struct big W = big_drop(A, a.scale - s);
	CHECK(big_eq_dec(&W, s, r));
}

/* (a × b) / (c × d) at scale s, half away from zero. */
static void check_muldiv(struct dec a, struct dec b, struct dec c, struct dec d, int s)
{
	struct dec r;
	bool ok = dec_muldiv(a, b, c, d, s, &r);
	if (s < 0 || s > DEC_MAX_SCALE) {
		CHECK(!ok);
		return;
	}
	struct big A = big_from_i128(a.m), B = big_from_i128(b.m), C = big_from_i128(c.m),
		   D = big_from_i128(d.m);
	struct big num = big_mul(&A, &B), den = big_mul(&C, &D);
	bool expect = big_fits(&num) && big_fits(&den) && den.n != 0;
	int shift = s + c.scale + d.scale - a.scale - b.scale;
	if (expect) {
		int k = shift >= 0 ? shift : -shift;
		expect = k <= 38; /* 10^k itself fits */
		if (shift >= 0)
			num = big_shift(num, k);
		else
			den = big_shift(den, k);
		expect = expect && big_fits(&num) && big_fits(&den);
	}
	CHECK(ok == expect);
	if (!ok)
		return;
	CHECK(r.scale == s);
	/* q is right when |num − q·den| ≤ |den|/2, a tie going away from zero. */
	struct big q = big_from_i128(r.m);
	struct big qd = big_mul(&q, &den);
	struct big nqd = big_neg(qd);
	struct big rest = big_add(&num, &nqd);
	struct big twice = add_mag(&rest, &rest);
	int c2 = cmp_mag(&twice, &den);
	CHECK(c2 <= 0);
	if (c2 == 0)
		CHECK(cmp_mag(&qd, &num) > 0);
	if (num.n && q.n) /* a nonzero quotient has the sign of num/den */
		CHECK(q.neg == (num.neg != den.neg));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Up to five NUL-terminated fields split at newlines. */
	char *copy = malloc(size + 1);
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *field[5] = {0};
	int nf = 0;
	for (char *p = copy; nf < 5;) {
		field[nf++] = p;
		char *nl = memchr(p, '\n', (size_t)(copy + size - p));
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	struct dec v[4];
	bool ok[4] = {0};
	for (int i = 0; i < 4 && i < nf; i++)
		check_parse_format(field[i], &v[i], &ok[i]);
	int s = nf == 5 ? (int)(strtoul(field[4], NULL, 10) % 23) - 2 : 2;
	for (int i = 0; i < 4; i++) {
		if (!ok[i])
			continue;
		check_round(v[i], s);
		for (int j = 0; j < 4; j++)
			if (ok[j]) {
				check_add_sub_cmp(v[i], v[j]);
				check_mul(v[i], v[j]);
			}
	}
	if (ok[0] && ok[1] && ok[2] && ok[3]) {
		check_muldiv(v[0], v[1], v[2], v[3], s);
		check_muldiv(v[2], v[3], v[0], v[1], s);
	} else if (ok[0] && ok[1]) {
		check_muldiv(v[0], dec_from_int(1), v[1], dec_from_int(1), s);
	}
	free(copy);
	return 0;
}
