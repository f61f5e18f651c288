/* money: parsing, formatting, half-up rounding, overflow refusal, and the
 * w × A / T arithmetic that scoring rests on. */
#include <stdlib.h>

#include "money.h"
#include "unit.h"

static struct dec D(const char *s) {
	struct dec d;
	if (!dec_parse(s, &d)) {
		fprintf(stderr, "bad literal %s\n", s);
		exit(2);
	}
	return d;
}

static const char *
F(struct dec d)
{
	static char buf[4][80];
	static int i;
	char *b = buf[i++ % 4];
	dec_format(d, b, 80);
	return b;
}

int main(void)
{
	static const struct {
		const char *in;
		bool ok;
		const char *out;
	} parse[] = {
	    {"0", true, "0"},
	    {"12.30", true, "12.30"},
	    {"-0.5", true, "-0.5"},
	    {"+7", true, "7"},
	    {"20055000000.00", true, "20055000000.00"},
	    {"999999999999999999999999999999999999", true, "999999999999999999999999999999999999"},
	    {"9999999999999999999999999999999999999", false, NULL}, /* 37 digits */
	    {"0.000000000000000001", true, "0.000000000000000001"},
	    {"0.0000000000000000001", false, NULL}, /* 19 decimals */
	    {"", false, NULL},
	    {"-", false, NULL},
	    {".5", false, NULL},
	    {"5.", false, NULL},
	    {"1.2.3", false, NULL},
	    {"1e5", false, NULL},
	    {" 1", false, NULL},
	    {"1 ", false, NULL},
	    {"0x10", false, NULL},
	    {"1;DROP TABLE", false, NULL},
	};
	for (size_t i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		struct dec d;
		bool ok = dec_parse(parse[i].in, &d);
		CHECK(ok == parse[i].ok, "parse '%s'", parse[i].in);
		if (ok && parse[i].ok)
			CHECK(strcmp(F(d), parse[i].out) == 0, "'%s' -> %s", parse[i].in, F(d));
	}

	static const struct {
		const char *in;
		int scale;
		const char *out;
	} round[] = {
	    {"10.875", 2, "10.88"}, {"10.874", 2, "10.87"}, {"-10.875", 2, "-10.88"},
	    {"0.005", 2, "0.01"},   {"0.0049", 2, "0.00"},  {"2.5", 0, "3"},
	    {"-2.5", 0, "-3"},	    {"7", 2, "7.00"},	    {"3281.499", 0, "3281"},
	};
	for (size_t i = 0; i < sizeof(round) / sizeof(round[0]); i++) {
		struct dec r;
		CHECK(dec_round(D(round[i].in), round[i].scale, &r) &&
			  strcmp(F(r), round[i].out) == 0,
		      "round %s to %d: %s", round[i].in, round[i].scale, F(r));
	}

	/* The forms' own cases: 15 × 145 / 200 = 10.875 → 10.88;
	 * 10 × 7.3 / 21 = 3.476… → 3.48; 20 × 0.93 / 1 (a rate) = 18.6. */
	static const struct {
		const char *a, *b, *c, *d;
		int scale;
		const char *out;
	} md[] = {
	    {"15", "145", "200", "1", 2, "10.88"},
	    {"10", "7.3", "21", "1", 2, "3.48"},
	    {"20", "93", "100", "1", 2, "18.60"},
	    {"10", "1", "3", "1", 2, "3.33"},
	    {"10", "2", "3", "1", 2, "6.67"},
	    {"1", "-1", "8", "1", 2, "-0.13"},
	    {"100", "20055000000.00", "100000000", "1", 2, "20055.00"},
	    {"1", "20055000000.00", "100000000", "1", 2, "200.55"},
	    {"1", "32814999.99", "10000", "1", 0, "3281"},
	    {"1", "32815000.00", "10000", "1", 0, "3282"},
	    {"1", "7", "8", "1", 6, "0.875000"},
	    {"100", "7", "8", "1", 1, "87.5"},
	    {"12", "5", "3", "4", 2, "5.00"},
	};
	for (size_t i = 0; i < sizeof(md) / sizeof(md[0]); i++) {
		struct dec r;
		bool ok =
		    dec_muldiv(D(md[i].a), D(md[i].b), D(md[i].c), D(md[i].d), md[i].scale, &r);
		CHECK(ok && strcmp(F(r), md[i].out) == 0, "%s×%s/(%s×%s) = %s", md[i].a, md[i].b,
		      md[i].c, md[i].d, ok ? F(r) : "(failed)");
	}
	struct dec r;
	CHECK(!dec_muldiv(D("1"), D("1"), D("0"), D("1"), 2, &r), "division by zero refused");
	CHECK(!dec_muldiv(D("999999999999999999999999999999999999"),
			  D("999999999999999999999999999999999999"), D("1"), D("1"), 2, &r),
	      "overflow refused");
	CHECK(!dec_mul(D("99999999999999999999"), D("99999999999999999999"), &r),
	      "mul overflow refused");
	CHECK(!dec_add(D("999999999999999999999999999999999999"), D("0.000000000000000001"), &r),
	      "aligning beyond 128 bits refused");

	int c;
	CHECK(dec_cmp(D("1.0"), D("1"), &c) && c == 0, "1.0 = 1");
	CHECK(dec_cmp(D("0.95"), D("1"), &c) && c < 0, "0.95 < 1");
	CHECK(dec_cmp(D("-3"), D("-2.5"), &c) && c < 0, "-3 < -2.5");
	CHECK(dec_add(D("0.1"), D("0.2"), &r) && strcmp(F(r), "0.3") == 0, "0.1+0.2 = %s", F(r));
	CHECK(dec_sub(D("12.00"), D("12.005"), &r) && strcmp(F(r), "-0.005") == 0, "sub %s", F(r));
	CHECK(dec_mul(D("1.5"), D("-2.25"), &r) && strcmp(F(r), "-3.375") == 0, "mul %s", F(r));
	CHECK(dec_is_zero(D("0.00")) && !dec_is_zero(D("0.01")), "zero");
	CHECK(dec_is_negative(D("-0.01")) && !dec_is_negative(D("0")), "negative");
	CHECK(strcmp(F(dec_from_int(-42)), "-42") == 0, "from int");
	CHECK(dec_to_double(D("0.875")) == 0.875, "to double");
	return UNIT_DONE();
}
