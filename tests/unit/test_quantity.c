/* quantity: the quantities people write on forms and in manual lines —
 * every sign, every unit, exact conversions between money units, what is
 * not a quantity — and a manual line scored from two of them by SPEC §6
 * (≥85% against 82% on 5 points is 4.82). */
#include <stdlib.h>

#include "quantity.h"
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

static bool same(struct dec a, const char *b)
{
	int c;
	return dec_cmp(a, D(b), &c) && c == 0;
}

static void parsing(void)
{
	static const struct {
		const char *text;
		enum quantity_sign sign;
		const char *number, *unit;
		enum quantity_kind kind;
		const char *value; /* in the base unit */
	} ok[] = {
	    {"≥85%", QUANTITY_GE, "85", "%", QUANTITY_PERCENT, "0.85"},
	    {"82%", QUANTITY_NO_SIGN, "82", "%", QUANTITY_PERCENT, "0.82"},
	    {"87.5%", QUANTITY_NO_SIGN, "87.5", "%", QUANTITY_PERCENT, "0.875"},
	    {"≤2%", QUANTITY_LE, "2", "%", QUANTITY_PERCENT, "0.02"},
	    {">90%", QUANTITY_GT, "90", "%", QUANTITY_PERCENT, "0.9"},
	    {"<5%", QUANTITY_LT, "5", "%", QUANTITY_PERCENT, "0.05"},
	    {">=90％", QUANTITY_GE, "90", "%", QUANTITY_PERCENT, "0.9"},
	    {"<=3%", QUANTITY_LE, "3", "%", QUANTITY_PERCENT, "0.03"},
	    {"≧95%", QUANTITY_GE, "95", "%", QUANTITY_PERCENT, "0.95"},
	    {"≦1%", QUANTITY_LE, "1", "%", QUANTITY_PERCENT, "0.01"},
	    {"＞1%", QUANTITY_GT, "1", "%", QUANTITY_PERCENT, "0.01"},
	    {"＜1%", QUANTITY_LT, "1", "%", QUANTITY_PERCENT, "0.01"},
	    {" ≥ 85 % ", QUANTITY_GE, "85", "%", QUANTITY_PERCENT, "0.85"},
	    {"100%", QUANTITY_NO_SIGN, "100", "%", QUANTITY_PERCENT, "1"},
	    {"200.55亿元", QUANTITY_NO_SIGN, "200.55", "亿元", QUANTITY_MONEY, "20055000000"},
	    {"1.5亿元", QUANTITY_NO_SIGN, "1.5", "亿元", QUANTITY_MONEY, "150000000"},
	    {"12000万元", QUANTITY_NO_SIGN, "12000", "万元", QUANTITY_MONEY, "120000000"},
	    {"≤1400万元", QUANTITY_LE, "1400", "万元", QUANTITY_MONEY, "14000000"},
	    {"1234.56元", QUANTITY_NO_SIGN, "1234.56", "元", QUANTITY_MONEY, "1234.56"},
	    {"22.92万元", QUANTITY_NO_SIGN, "22.92", "万元", QUANTITY_MONEY, "229200"},
	    {"3902宗", QUANTITY_NO_SIGN, "3902", "宗", QUANTITY_COUNT, "3902"},
	    {"≥4000宗", QUANTITY_GE, "4000", "宗", QUANTITY_COUNT, "4000"},
	    {"3,902宗", QUANTITY_NO_SIGN, "3902", "宗", QUANTITY_COUNT, "3902"},
	    {"1,234,567.5元", QUANTITY_NO_SIGN, "1234567.5", "元", QUANTITY_MONEY, "1234567.5"},
	    {"56人次", QUANTITY_NO_SIGN, "56", "人次", QUANTITY_COUNT, "56"},
	    {"12次", QUANTITY_NO_SIGN, "12", "次", QUANTITY_COUNT, "12"},
	    {"7笔", QUANTITY_NO_SIGN, "7", "笔", QUANTITY_COUNT, "7"},
	    {"9单", QUANTITY_NO_SIGN, "9", "单", QUANTITY_COUNT, "9"},
	    {"22项", QUANTITY_NO_SIGN, "22", "项", QUANTITY_COUNT, "22"},
	    {"3个", QUANTITY_NO_SIGN, "3", "个", QUANTITY_COUNT, "3"},
	    {"≥196名", QUANTITY_GE, "196", "名", QUANTITY_COUNT, "196"},
	    {"9", QUANTITY_NO_SIGN, "9", "", QUANTITY_NUMBER, "9"},
	    {"≥8.81", QUANTITY_GE, "8.81", "", QUANTITY_NUMBER, "8.81"},
	    {"0", QUANTITY_NO_SIGN, "0", "", QUANTITY_NUMBER, "0"},
	    {"-2.5%", QUANTITY_NO_SIGN, "-2.5", "%", QUANTITY_PERCENT, "-0.025"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct quantity q;
		bool parsed = quantity_parse(ok[i].text, &q);
		CHECK(parsed, "'%s' is a quantity", ok[i].text);
		if (!parsed)
			continue;
		CHECK(q.sign == ok[i].sign, "'%s': sign %d", ok[i].text, q.sign);
		CHECK(same(q.number, ok[i].number), "'%s': number %s", ok[i].text, F(q.number));
		CHECK(strcmp(q.unit, ok[i].unit) == 0, "'%s': unit '%s'", ok[i].text, q.unit);
		CHECK(q.kind == ok[i].kind, "'%s': kind %d", ok[i].text, q.kind);
		CHECK(same(q.value, ok[i].value), "'%s': value %s, want %s", ok[i].text, F(q.value),
		      ok[i].value);
	}
	static const char *const not_quantities[] = {
	    "",
	    "良好",
	    "约90%",
	    "95%以上",
	    "≥",
	    "%",
	    "85%%",
	    "8 5%",
	    "1,5宗",
	    "1234,567",
	    "12,34元",
	    ",5",
	    "5.",
	    ".5",
	    "≥≥5",
	    "5公斤",
	    "第三方调查",
	    "—",
	    "92%, 第三方调查",
	    "1e5",
	    "0x10",
	    "≥85% ≤9",
	    "1.5亿 元",
	    "+",
	    "--5",
	    "5万",
	    "亿元5",
	};
	for (size_t i = 0; i < sizeof(not_quantities) / sizeof(not_quantities[0]); i++) {
		struct quantity q;
		CHECK(!quantity_parse(not_quantities[i], &q), "'%s' is not a quantity",
		      not_quantities[i]);
	}
}

static struct quantity Q(const char *text) {
	struct quantity q;
	if (!quantity_parse(text, &q)) {
		fprintf(stderr, "not a quantity: %s\n", text);
		exit(2);
	}
	return q;
}

static void
kinds_and_units(void)
{
	static const struct {
		const char *a, *b;
		bool comparable;
	} pairs[] = {
	    {"≥85%", "82%", true},
	    {"1.5亿元", "12000万元", true},
	    {"≤1400万元", "1449.87万元", true},
	    {"5元", "1亿元", true},
	    {"≥200宗", "145宗", true},
	    {"≥200宗", "145项", true},
	    {"9", "8.81", true},
	    {"≥85%", "82宗", false},
	    {"≥85%", "82", false},
	    {"1.5亿元", "150000000", false},
	    {"100宗", "1万元", false},
	    {"≥200", "145宗", false},
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct quantity a = Q(pairs[i].a), b = Q(pairs[i].b);
		CHECK(quantity_comparable(&a, &b) == pairs[i].comparable, "%s vs %s: %s",
		      pairs[i].a, pairs[i].b,
		      pairs[i].comparable ? "comparable" : "not comparable");
	}
	static const struct {
		const char *text;
		enum direction dir;
	} dirs[] = {{"≥85%", DIRECTION_HIGHER}, {">85%", DIRECTION_HIGHER},
		    {"85%", DIRECTION_HIGHER},	{"≤2%", DIRECTION_LOWER},
		    {"<2%", DIRECTION_LOWER},	{"<=2%", DIRECTION_LOWER}};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct quantity q = Q(dirs[i].text);
		CHECK(quantity_direction(&q) == dirs[i].dir, "%s: direction", dirs[i].text);
	}

	/* Shown in the finer unit of the two. */
	static const struct {
		const char *a, *b, *an, *bn, *unit;
	} common[] = {
	    {"12000万元", "1.5亿元", "12000", "15000", "万元"},
	    {"1.5亿元", "12000万元", "15000", "12000", "万元"},
	    {"3元", "0.01万元", "3", "100", "元"},
	    {"82%", "≥85%", "82", "85", "%"},
	    {"8.81", "9", "8.81", "9", ""},
	    {"145宗", "≥200宗", "145", "200", "宗"},
	};
	for (size_t i = 0; i < sizeof(common) / sizeof(common[0]); i++) {
		struct quantity a = Q(common[i].a), b = Q(common[i].b);
		struct dec an, bn;
		const char *unit;
		bool ok = quantity_common(&a, &b, &an, &bn, &unit);
		CHECK(ok && same(an, common[i].an) && same(bn, common[i].bn) &&
			  strcmp(unit, common[i].unit) == 0,
		      "%s and %s: %s and %s in '%s'", common[i].a, common[i].b, F(an), F(bn),
		      ok ? unit : "?");
	}

	/* A store figure written in a form's unit, to 2 decimals. */
	static const struct {
		const char *num, *den, *like, *out;
	} in_unit[] = {
	    {"20054800000.00", "1", "200.55亿元", "200.55"},
	    {"20054499999.99", "1", "200.55亿元", "200.54"},
	    {"20054500000.00", "1", "1亿元", "200.55"}, /* 200.545 half-up */
	    {"32812345.00", "1", "1万元", "3281.23"},
	    {"7", "8", "87.5%", "87.50"},
	    {"1", "3", "1%", "33.33"},
	    {"3902", "1", "1宗", "3902.00"},
	    {"14498700.00", "1", "1元", "14498700.00"},
	};
	for (size_t i = 0; i < sizeof(in_unit) / sizeof(in_unit[0]); i++) {
		struct quantity like = Q(in_unit[i].like);
		struct dec out;
		bool ok = quantity_in_unit_of((struct frac){D(in_unit[i].num), D(in_unit[i].den)},
					      &like, 2, &out);
		CHECK(ok && strcmp(F(out), in_unit[i].out) == 0, "%s/%s in %s: %s, want %s",
		      in_unit[i].num, in_unit[i].den, like.unit, ok ? F(out) : "(failed)",
		      in_unit[i].out);
	}
	struct quantity pct = Q("1%");
	struct dec out;
	CHECK(!quantity_in_unit_of((struct frac){D("1"), D("0")}, &pct, 2, &out),
	      "nothing over nothing has no value");

	struct quantity m = Q("1亿元"), r = Q("87.5%"), c = Q("3902宗"), n = Q("3902");
	CHECK(quantity_fits_metric(&m, METRIC_AMOUNT) && !quantity_fits_metric(&m, METRIC_RATE) &&
		  !quantity_fits_metric(&m, METRIC_COUNT),
	      "money fits amounts only");
	CHECK(quantity_fits_metric(&r, METRIC_RATE) && !quantity_fits_metric(&r, METRIC_COUNT),
	      "%% fits rates only");
	CHECK(quantity_fits_metric(&c, METRIC_COUNT) && quantity_fits_metric(&n, METRIC_COUNT) &&
		  !quantity_fits_metric(&c, METRIC_AMOUNT),
	      "a count or a plain number fits counts");
}

/* A manual quantitative line is a computed one on the two quantities. */
static void scoring(void)
{
	static const struct {
		const char *what, *target, *actual, *weight;
		enum lower_rule rule;
		const char *score;
	} cases[] = {
	    {"the form's 4.82", "≥85%", "82%", "5", LOWER_RATIO, "4.82"},
	    {"15 × 145 / 200 = 10.875 → 10.88", "≥200宗", "145宗", "15", LOWER_RATIO, "10.88"},
	    {"met", "≥85%", "85%", "5", LOWER_RATIO, "5.00"},
	    {"exceeded: the weight", "≥85%", "95%", "5", LOWER_RATIO, "5.00"},
	    {"> scores like ≥", ">85%", "82%", "5", LOWER_RATIO, "4.82"},
	    {"no sign: higher", "85%", "82%", "5", LOWER_RATIO, "4.82"},
	    {"money units converted", "≥1.5亿元", "12000万元", "20", LOWER_RATIO, "16.00"},
	    {"money units converted, met", "1.5亿元", "15000万元", "20", LOWER_RATIO, "20.00"},
	    {"10 × 8.81 / 9", "9", "8.81", "10", LOWER_RATIO, "9.79"},
	    {"ceiling kept", "≤2%", "1.5%", "5", LOWER_RATIO, "5.00"},
	    {"ceiling passed, ratio: 5 × 2 / 3", "≤2%", "3%", "5", LOWER_RATIO, "3.33"},
	    {"ceiling passed, < like ≤", "<2%", "3%", "5", LOWER_RATIO, "3.33"},
	    {"ceiling passed, linear: 5 × (1 − 1/2)", "≤2%", "3%", "5", LOWER_LINEAR, "2.50"},
	    {"ceiling doubled, linear: 0", "≤2%", "4%", "5", LOWER_LINEAR, "0.00"},
	    {"lower in 万元: 15 × 1400 / 1449.87", "≤1400万元", "1449.87万元", "15", LOWER_RATIO,
	     "14.48"},
	    {"half-up at the third decimal: 1 × 5 / 8", "≥8项", "5项", "1", LOWER_RATIO, "0.63"},
	    {"target 0 met", "≥0%", "0%", "5", LOWER_RATIO, "5.00"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct quantity t = Q(cases[i].target), a = Q(cases[i].actual);
		struct dec s;
		bool ok = score_computed(quantity_direction(&t), cases[i].rule, D(cases[i].weight),
					 t.value, frac_of(a.value), &s);
		CHECK(ok && strcmp(F(s), cases[i].score) == 0, "%s: %s, want %s", cases[i].what,
		      ok ? F(s) : "(failed)", cases[i].score);
	}
}

int main(void)
{
	parsing();
	kinds_and_units();
	scoring();
	return UNIT_DONE();
}
