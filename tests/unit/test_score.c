/* score: the self-evaluation form's rules (SPEC §6) on cases taken from
 * published forms, the scoring profiles, grades, and display rounding. */
#include <stdlib.h>

#include "score.h"
#include "unit.h"

static struct dec D(const char *s) {
	struct dec d;
	if (!dec_parse(s, &d)) {
		fprintf(stderr, "bad literal %s\n", s);
		exit(2);
	}
	return d;
}

static struct frac
R(const char *num, const char *den) {
	return (struct frac){D(num), D(den)};
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
		const char *what;
		enum direction dir;
		enum lower_rule rule;
		const char *w, *t, *num, *den;
		const char *score;
	} cases[] = {
	    /* 15 × 145 / 200 = 10.875 → 10.88 (a count short of its target). */
	    {"higher, unmet", DIRECTION_HIGHER, LOWER_RATIO, "15", "200", "145", "1", "10.88"},
	    {"higher, met exactly", DIRECTION_HIGHER, LOWER_RATIO, "15", "200", "200", "1",
	     "15.00"},
	    {"higher, exceeded: capped at w", DIRECTION_HIGHER, LOWER_RATIO, "15", "200", "260",
	     "1", "15.00"},
	    /* 120亿元 target, 100.55亿元 done: 20 × 100.55 / 120 = 16.758… */
	    {"higher, amount", DIRECTION_HIGHER, LOWER_RATIO, "20", "12000000000.00",
	     "10055000000.00", "1", "16.76"},
	    /* a rate: 93 of 100 deals electronic against a target of 1.0 */
	    {"higher, rate", DIRECTION_HIGHER, LOWER_RATIO, "10", "1.0", "93", "100", "9.30"},
	    {"higher, rate 7/8 vs 0.9", DIRECTION_HIGHER, LOWER_RATIO, "10", "0.9", "7", "8",
	     "9.72"},
	    {"higher, rate met", DIRECTION_HIGHER, LOWER_RATIO, "10", "0.9", "9", "10", "10.00"},
	    {"higher, target 0, actual 0", DIRECTION_HIGHER, LOWER_RATIO, "5", "0", "0", "1",
	     "5.00"},
	    {"higher, target 0, actual 3", DIRECTION_HIGHER, LOWER_RATIO, "5", "0", "3", "1",
	     "5.00"},
	    {"higher, target 0, negative actual", DIRECTION_HIGHER, LOWER_RATIO, "5", "0", "-3",
	     "1", "0.00"},
	    {"higher, negative actual", DIRECTION_HIGHER, LOWER_RATIO, "5", "100", "-3", "1",
	     "0.00"},
	    /* lower (a ceiling): within it, full marks; over it, w × T / A */
	    {"lower, within", DIRECTION_LOWER, LOWER_RATIO, "10", "500000.00", "480000.00", "1",
	     "10.00"},
	    {"lower, over (ratio)", DIRECTION_LOWER, LOWER_RATIO, "10", "500000.00", "600000.00",
	     "1", "8.33"},
	    {"lower, over (linear)", DIRECTION_LOWER, LOWER_LINEAR, "10", "500000.00", "600000.00",
	     "1", "8.00"},
	    {"lower, far over (linear)", DIRECTION_LOWER, LOWER_LINEAR, "10", "500000.00",
	     "999999.99", "1", "0.00"},
	    {"lower, 2T (linear)", DIRECTION_LOWER, LOWER_LINEAR, "10", "500000.00", "1000000.00",
	     "1", "0.00"},
	    {"lower, beyond 2T (linear)", DIRECTION_LOWER, LOWER_LINEAR, "10", "500000.00",
	     "1500000.00", "1", "0.00"},
	    {"lower, 3 of 200 over a 1% ceiling", DIRECTION_LOWER, LOWER_RATIO, "6", "0.01", "3",
	     "200", "4.00"},
	    {"lower, 3 of 200 linear", DIRECTION_LOWER, LOWER_LINEAR, "6", "0.01", "3", "200",
	     "3.00"},
	    {"lower, target 0 met", DIRECTION_LOWER, LOWER_RATIO, "5", "0", "0", "1", "5.00"},
	    {"lower, target 0 exceeded (ratio)", DIRECTION_LOWER, LOWER_RATIO, "5", "0", "2", "1",
	     "0.00"},
	    {"lower, target 0 exceeded (linear)", DIRECTION_LOWER, LOWER_LINEAR, "5", "0", "2", "1",
	     "0.00"},
	    {"fractional weight", DIRECTION_HIGHER, LOWER_RATIO, "7.5", "3", "1", "1", "2.50"},
	    {"half-up at the third decimal", DIRECTION_HIGHER, LOWER_RATIO, "1", "8", "5", "1",
	     "0.63"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct dec s;
		bool ok = score_computed(cases[i].dir, cases[i].rule, D(cases[i].w), D(cases[i].t),
					 R(cases[i].num, cases[i].den), &s);
		CHECK(ok && strcmp(F(s), cases[i].score) == 0, "%s: %s, want %s", cases[i].what,
		      ok ? F(s) : "(failed)", cases[i].score);
	}

	/* 预算执行率: 10 × 7.3 / 21 = 3.476… → 3.48; capped at the weight. */
	struct dec s;
	CHECK(score_budget(D("10"), D("21"), D("7.3"), &s) && strcmp(F(s), "3.48") == 0,
	      "budget 7.3 of 21: %s", F(s));
	CHECK(score_budget(D("10"), D("21"), D("23"), &s) && strcmp(F(s), "10.00") == 0,
	      "budget overspent: %s", F(s));
	CHECK(score_budget(D("10"), D("1650.35"), D("1603.88"), &s) && strcmp(F(s), "9.72") == 0,
	      "budget 1603.88 of 1650.35: %s", F(s));

	struct grade_bands g;
	grade_bands_default(&g);
	CHECK(strcmp(score_grade(D("90.00"), &g), "优") == 0, "90 优");
	CHECK(strcmp(score_grade(D("89.99"), &g), "良") == 0, "89.99 良");
	CHECK(strcmp(score_grade(D("80"), &g), "良") == 0, "80 良");
	CHECK(strcmp(score_grade(D("60"), &g), "中") == 0, "60 中");
	CHECK(strcmp(score_grade(D("59.99"), &g), "差") == 0, "59.99 差");
	struct grade_bands h = {{D("85"), D("75"), D("60")}};
	CHECK(strcmp(score_grade(D("86"), &h), "优") == 0, "custom 86 优");
	CHECK(strcmp(score_grade(D("84.5"), &h), "良") == 0, "custom 84.5 良");

	static const struct {
		const char *num, *den, *unit, *out;
	} shown[] = {
	    {"20055000000.00", "1", "亿元", "200.55亿元"},
	    {"20054500000.00", "1", "亿元", "200.55亿元"}, /* 200.545 half-up */
	    {"20054499999.99", "1", "亿元", "200.54亿元"},
	    {"32810000.00", "1", "万元", "3281万元"},
	    {"32812345.00", "1", "万元", "3281.23万元"},
	    {"12000000000.00", "1", "亿元", "120亿元"},
	    {"1234.50", "1", "元", "1234.5元"},
	    {"-25000.00", "1", "万元", "-2.5万元"},
	    {"7", "8", "%", "87.5%"},
	    {"1", "3", "%", "33.33%"},
	    {"2", "3", "%", "66.67%"},
	    {"1", "1", "%", "100%"},
	    {"1234", "1", "宗", "1234宗"},
	    {"56", "1", "人次", "56人次"},
	    {"0.00", "1", "万元", "0万元"},
	};
	for (size_t i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		char buf[64];
		bool ok =
		    display_format(R(shown[i].num, shown[i].den), shown[i].unit, buf, sizeof(buf));
		CHECK(ok && strcmp(buf, shown[i].out) == 0, "%s/%s in %s: %s, want %s",
		      shown[i].num, shown[i].den, shown[i].unit, ok ? buf : "(failed)",
		      shown[i].out);
	}
	char buf[64];
	CHECK(!display_format(R("1", "0"), "%", buf, sizeof(buf)), "no rate of nothing");
	CHECK(!display_format(R("1", "1"), "公斤", buf, sizeof(buf)), "unknown unit refused");
	CHECK(display_unit_lookup("亿元", METRIC_AMOUNT) != NULL, "亿元 fits amounts");
	CHECK(display_unit_lookup("亿元", METRIC_COUNT) == NULL, "亿元 does not fit counts");
	CHECK(display_unit_lookup("%", METRIC_RATE) != NULL, "%% fits rates");
	CHECK(display_unit_lookup("宗", METRIC_RATE) == NULL, "宗 does not fit rates");

	struct dec r;
	CHECK(frac_ratio(R("145", "1"), R("200", "1"), RATIO_SCALE, &r) &&
		  strcmp(F(r), "0.725000") == 0,
	      "completion %s", F(r));
	CHECK(!frac_ratio(R("145", "1"), R("0", "1"), RATIO_SCALE, &r), "completion with T 0");
	/* yoy of a rate: (7/8) / (3/4) = 1.1666… */
	CHECK(frac_ratio(R("7", "8"), R("3", "4"), RATIO_SCALE, &r) &&
		  strcmp(F(r), "1.166667") == 0,
	      "rate ratio %s", F(r));
	return UNIT_DONE();
}
