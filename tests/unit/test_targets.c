/* targets: a valid file with several years and centres loads whole; every
 * kind of mistake is reported at the line where it is written. */
#include <stdlib.h>

#include "targets.h"
#include "unit.h"

static const char valid[] =
    "{\"years\": [\n"
    "  {\"year\": 2021, \"center\": \"433100\",\n"
    "   \"scoring\": {\"lower\": \"linear\", \"grades\": {\"优\": 85, \"良\": 75, \"中\": 60}},\n"
    "   \"indicators\": [\n"
    "    {\"metric\": \"deal_amount\", \"name\": \"入场项目成交额\", \"level1\": \"产出指标\",\n"
    "     \"level2\": \"数量指标\", \"target\": \"12000000000.00\", \"direction\": \"higher\",\n"
    "     \"weight\": 20, \"display_unit\": \"亿元\"},\n"
    "    {\"metric\": \"e_bid_rate\", \"name\": \"工程建设项目全流程电子化率\",\n"
    "     \"filter\": {\"category\": \"engineering\"}, \"target\": 0.95, \"weight\": 10},\n"
    "    {\"metric\": \"expert_fee_amount\", \"name\": \"专家费\", \"target\": \"500000\",\n"
    "     \"direction\": \"lower\", \"weight\": 7.5},\n"
    "    {\"name\": \"社会公众满意度\", \"level1\": \"满意度指标\", \"weight\": 10,\n"
    "     \"manual\": {\"target\": \"≥90%\", \"actual\": \"95%\", \"score\": 10}},\n"
    "    {\"name\": \"预算执行率\", \"weight\": 10, \"manual\": {\"budget\": \"21\", \"executed\": "
    "7.3}}\n"
    "  ]},\n"
    "  {\"year\": 2021, \"indicators\": [\n"
    "    {\"metric\": \"deals_count\", \"name\": \"成交宗数\", \"target\": 200, \"weight\": "
    "15}]},\n"
    "  {\"year\": 2022, \"center\": \"433100\", \"indicators\": [\n"
    "    {\"metric\": \"deals_count\", \"name\": \"成交宗数\", \"target\": 200, \"weight\": 15}]}\n"
    "]}\n";

/* Loads text and checks that the errors are exactly the expected
 * "t.json:LINE: ..." prefixes, in order. */
static void expect_errors(const char *what, const char *text, const char *const *want)
{
	struct config_errors errs = {0};
	struct targets *t = targets_parse("t.json", text, strlen(text), &errs);
	size_t n = 0;
	while (want[n])
		n++;
	CHECK(t == NULL, "%s: rejected", what);
	CHECK(errs.count == n, "%s: %zu errors, want %zu", what, errs.count, n);
	for (size_t i = 0; i < errs.count; i++) {
		if (i < n)
			CHECK(strncmp(errs.lines[i], want[i], strlen(want[i])) == 0,
			      "%s: got '%s', want '%s...'", what, errs.lines[i], want[i]);
		else
			CHECK(0, "%s: unexpected '%s'", what, errs.lines[i]);
	}
	config_errors_clear(&errs);
	targets_free(t);
}

/* The example shipped in config/ loads, and each of its years is a whole
 * form (weights add up to 100). */
static void check_example(const char *source_dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/config/targets.json", source_dir);
	struct config_errors errs = {0};
	struct targets *t = targets_load(path, &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "example: %s\n", errs.lines[i]);
	CHECK(t && errs.count == 0, "config/targets.json loads");
	config_errors_clear(&errs);
	for (size_t y = 0; t && y < t->nyears; y++) {
		struct dec sum = dec_from_int(0);
		for (size_t i = 0; i < t->years[y].nindicators; i++)
			CHECK(dec_add(sum, t->years[y].indicators[i].weight, &sum), "sum");
		int c = 1;
		CHECK(dec_cmp(sum, dec_from_int(100), &c) && c == 0, "example year %d weighs 100",
		      t->years[y].year);
	}
	targets_free(t);
}

/* A filter over several values (their union, kept canonical) and an
 * indicator over part of its year; each value of a list is checked at its
 * own line. */
static void check_unions_and_periods(void)
{
	static const char text[] =
	    "{\"years\": [{\"year\": 2021, \"indicators\": [\n"
	    "  {\"metric\": \"savings_amount\", \"name\": \"a\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": [\"medical\", \"engineering\", \"medical\"]}},\n"
	    "  {\"metric\": \"e_bid_rate\", \"name\": \"b\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": \"engineering\"}},\n"
	    "  {\"metric\": \"e_bid_rate\", \"name\": \"c\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": \"engineering\"}, \"period\": {\"from\": \"09-01\"}},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"d\", \"target\": 1, \"weight\": 5,\n"
	    "   \"period\": {\"from\": \"01-01\", \"to\": \"02-29\"}}\n"
	    "]}]}\n";
	struct config_errors errs = {0};
	struct targets *t = targets_parse("t.json", text, strlen(text), &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "unexpected: %s\n", errs.lines[i]);
	CHECK(t && errs.count == 0, "unions and periods load");
	config_errors_clear(&errs);
	const struct target_year *y = t ? targets_find(t, 2021, NULL) : NULL;
	if (y && y->nindicators == 4) {
		CHECK(strcmp(y->indicators[0].filter[1], "engineering,medical") == 0,
		      "a union, sorted and unique: %s", y->indicators[0].filter[1]);
		CHECK(y->indicators[1].period_from == 0 && y->indicators[1].period_to == 0,
		      "no period: the year");
		CHECK(y->indicators[2].period_from == 901 && y->indicators[2].period_to == 0,
		      "from September");
		CHECK(y->indicators[3].period_to == 229, "02-29 is a month-day");
	} else {
		CHECK(0, "four indicators");
	}
	targets_free(t);
	expect_errors(
	    "union and period mistakes",
	    "{\"years\": [{\"year\": 2021, \"indicators\": [\n"
	    "  {\"metric\": \"savings_amount\", \"name\": \"a\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": [\"medical\",\n"
	    "                           \"engneering\"]}},\n"
	    "  {\"metric\": \"premium_amount\", \"name\": \"b\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": []}},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"c\", \"target\": 1, \"weight\": 5,\n"
	    "   \"period\": {\"from\": \"9-1\"}},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"d\", \"target\": 1, \"weight\": 5,\n"
	    "   \"period\": {\"from\": \"10-01\", \"to\": \"03-31\"}},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"e\", \"target\": 1, \"weight\": 5,\n"
	    "   \"period\": {\"from\": \"04-01\"}},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"f\", \"target\": 1, \"weight\": 5,\n"
	    "   \"period\": {\"from\": \"04-01\"}},\n"
	    "  {\"name\": \"g\", \"weight\": 5, \"period\": {\"from\": \"04-01\"},\n"
	    "   \"manual\": {\"target\": \"x\", \"actual\": \"y\", \"score\": 1}}\n"
	    "]}]}\n",
	    (const char *[]){"t.json:4: filter: category has no value 'engneering'",
			     "t.json:6: filter: category lists no value",
			     "t.json:8: period from must be a month-day",
			     "t.json:10: period: from is after to",
			     "t.json:13: duplicate indicator: deals_count with the same filter and "
			     "period",
			     "t.json:15: period belongs to computed indicators", NULL});
}

/* A manual line without "score" is scored from its two quantities (SPEC
 * §5): each must be one, both in the same kind of unit, reported at its
 * line; with "score" the texts are carried as written. */
static void manual_quantities(void)
{
	static const char good[] =
	    "{\"years\": [{\"year\": 2021, \"scoring\": {\"lower\": \"linear\"}, "
	    "\"indicators\": [\n"
	    "  {\"name\": \"交易主体满意度\", \"weight\": 5,\n"
	    "   \"manual\": {\"target\": \"≥85%\", \"actual\": \"82%\"}},\n"
	    "  {\"name\": \"投诉率\", \"weight\": 5, \"manual\": {\"target\": \"<2%\", "
	    "\"actual\": \"1%\"}},\n"
	    "  {\"name\": \"节约资金\", \"weight\": 5, \"manual\": {\"target\": \"1.5亿元\", "
	    "\"actual\": \"12000万元\"}},\n"
	    "  {\"name\": \"培训\", \"weight\": 5, \"manual\": {\"target\": \"≥200人次\", "
	    "\"actual\": \"145宗\"}},\n"
	    "  {\"name\": \"调查\", \"weight\": 5, \"manual\": {\"target\": \"良好\", "
	    "\"actual\": \"82宗\", \"score\": 4}}\n"
	    "]}]}\n";
	struct config_errors errs = {0};
	struct targets *t = targets_parse("t.json", good, strlen(good), &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "unexpected: %s\n", errs.lines[i]);
	CHECK(t && errs.count == 0, "manual quantities load");
	config_errors_clear(&errs);
	const struct target_year *y = t ? targets_find(t, 2021, NULL) : NULL;
	if (y && y->nindicators == 5) {
		const struct indicator *a = &y->indicators[0], *b = &y->indicators[1],
				       *c = &y->indicators[2], *d = &y->indicators[3],
				       *e = &y->indicators[4];
		CHECK(a->manual == MANUAL_QUANTITY && a->direction == DIRECTION_HIGHER &&
			  a->manual_tq.kind == QUANTITY_PERCENT,
		      "≥85%% against 82%%: a quantitative line, higher");
		CHECK(strcmp(a->manual_target, "≥85%") == 0 && strcmp(a->manual_actual, "82%") == 0,
		      "the texts are kept as written");
		CHECK(b->manual == MANUAL_QUANTITY && b->direction == DIRECTION_LOWER,
		      "< is lower");
		CHECK(c->manual == MANUAL_QUANTITY && c->manual_tq.kind == QUANTITY_MONEY,
		      "亿元 against 万元 is fine");
		CHECK(d->manual == MANUAL_QUANTITY, "two count units are one kind");
		CHECK(e->manual == MANUAL_SCORED, "with score: carried as written");
	} else {
		CHECK(0, "five manual lines");
	}
	targets_free(t);

	expect_errors(
	    "manual quantities that are not",
	    "{\"years\": [{\"year\": 2021, \"indicators\": [\n"
	    "  {\"name\": \"a\", \"weight\": 5, \"manual\": {\"target\": \"≥85%\",\n"
	    "   \"actual\": \"82宗\"}},\n"
	    "  {\"name\": \"b\", \"weight\": 5, \"manual\": {\"target\": \"约85%\",\n"
	    "   \"actual\": \"82%\"}},\n"
	    "  {\"name\": \"c\", \"weight\": 5, \"manual\": {\"target\": \"≥85%\",\n"
	    "   \"actual\": \"良好\"}},\n"
	    "  {\"name\": \"d\", \"weight\": 5, \"manual\": {\"target\": \"1.5亿元\",\n"
	    "   \"actual\": \"150000000\"}},\n"
	    "  {\"name\": \"e\", \"weight\": 5, \"manual\": {\"actual\": \"82%\"}},\n"
	    "  {\"name\": \"f\", \"weight\": 5, \"manual\": {\"target\": \"x\",\n"
	    "   \"actual\": \"y\"}}\n"
	    "]}]}\n",
	    (const char *[]){"t.json:3: manual actual '82宗' is a count but the target '≥85%' is a "
			     "percentage: give both in the same kind of unit",
			     "t.json:4: manual target '约85%' is not a quantity",
			     "t.json:7: manual actual '良好' is not a quantity",
			     "t.json:9: manual actual '150000000' is a plain number but the target "
			     "'1.5亿元' is an amount of money",
			     "t.json:10: manual target is required",
			     "t.json:11: manual target 'x' is not a quantity",
			     "t.json:12: manual actual 'y' is not a quantity", NULL});
}

int main(int argc, char **argv)
{
	if (argc > 1)
		check_example(argv[1]);

	struct config_errors errs = {0};
	struct targets *t = targets_parse("t.json", valid, strlen(valid), &errs);
	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "unexpected: %s\n", errs.lines[i]);
	CHECK(t && errs.count == 0, "valid file loads");
	config_errors_clear(&errs);
	if (!t)
		return UNIT_DONE();
	CHECK(t->nyears == 3, "three entries");
	const struct target_year *y = targets_find(t, 2021, "433100");
	CHECK(y && y->nindicators == 5 && y->lower == LOWER_LINEAR, "2021/433100");
	char buf[80];
	if (y && y->nindicators == 5) {
		const struct indicator *i0 = &y->indicators[0], *i1 = &y->indicators[1],
				       *i2 = &y->indicators[2], *i3 = &y->indicators[3],
				       *i4 = &y->indicators[4];
		CHECK(i0->metric && strcmp(i0->metric->name, "deal_amount") == 0, "metric");
		dec_format(i0->target, buf, sizeof(buf));
		CHECK(strcmp(buf, "12000000000.00") == 0, "exact target %s", buf);
		CHECK(strcmp(i0->display_unit, "亿元") == 0 && i0->line == 5, "unit, line %d",
		      i0->line);
		dec_format(i1->target, buf, sizeof(buf));
		CHECK(strcmp(buf, "0.95") == 0, "JSON number kept exact: %s", buf);
		CHECK(i1->filter[1] && strcmp(i1->filter[1], "engineering") == 0, "filter");
		CHECK(strcmp(i1->display_unit, "%") == 0, "rates default to %%");
		CHECK(i1->direction == DIRECTION_HIGHER, "direction defaults to higher");
		CHECK(i2->direction == DIRECTION_LOWER, "lower");
		dec_format(i2->weight, buf, sizeof(buf));
		CHECK(strcmp(buf, "7.5") == 0, "fractional weight %s", buf);
		CHECK(i3->manual == MANUAL_SCORED && strcmp(i3->manual_actual, "95%") == 0,
		      "manual");
		dec_format(i4->executed, buf, sizeof(buf));
		CHECK(i4->manual == MANUAL_BUDGET && strcmp(buf, "7.3") == 0, "budget %s", buf);
		dec_format(y->grades.min[0], buf, sizeof(buf));
		CHECK(strcmp(buf, "85") == 0, "custom grade band");
	}
	y = targets_find(t, 2021, NULL);
	CHECK(y && y->nindicators == 1 && y->center == NULL && y->lower == LOWER_RATIO,
	      "all-centres entry");
	CHECK(targets_find(t, 2022, NULL) == NULL, "no all-centres 2022");
	CHECK(targets_find(t, 2023, "433100") == NULL, "no 2023");
	targets_free(t);

	expect_errors("syntax", "{\"years\": [\n{\"year\": 2021,,}]}",
		      (const char *[]){"t.json:2: invalid JSON", NULL});
	expect_errors("duplicate key", "{\"years\": [],\n \"years\": []}",
		      (const char *[]){"t.json:2: invalid JSON", NULL});
	expect_errors("not an object", "[1, 2]",
		      (const char *[]){"t.json:1: the targets file", NULL});
	expect_errors("unknown top key", "{\"years\": [],\n\"yaers\": []}",
		      (const char *[]){"t.json:2: targets: unknown key 'yaers'", NULL});
	expect_errors(
	    "per-indicator mistakes",
	    "{\"years\": [{\"year\": 2021, \"indicators\": [\n"
	    "  {\"metric\": \"deal_amout\", \"name\": \"a\", \"target\": 1, \"weight\": 5},\n"
	    "  {\"metric\": \"deal_amount\", \"name\": \"b\",\n"
	    "   \"target\": \"12e9\", \"weight\": 5},\n"
	    "  {\"metric\": \"budget_amount\", \"name\": \"c\", \"target\": 1,\n"
	    "   \"weight\": -5},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"d\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"scope\": \"cross_province\"}},\n"
	    "  {\"metric\": \"remote_evaluations_count\", \"name\": \"e\", \"target\": 1, "
	    "\"weight\": 5,\n"
	    "   \"filter\": {\"scope\": \"mars\"}},\n"
	    "  {\"metric\": \"opened_count\", \"name\": \"f\", \"target\": 1, \"weight\": 5,\n"
	    "   \"direction\": \"up\", \"display_unit\": \"亿元\"},\n"
	    "  {\"metric\": \"cancelled_count\", \"name\": \"a\", \"target\": 1, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": \"medical\"}},\n"
	    "  {\"metric\": \"cancelled_count\", \"name\": \"g\", \"target\": 2, \"weight\": 5,\n"
	    "   \"filter\": {\"category\": \"medical\"}},\n"
	    "  {\"name\": \"h\", \"weight\": 5, \"manual\": {\"target\": \"x\", \"actual\": \"y\", "
	    "\"score\": 6}},\n"
	    "  {\"name\": \"i\", \"weight\": 5, \"manual\": {\"budget\": 0, \"executed\": 1}},\n"
	    "  {\"name\": \"j\", \"weight\": 5, \"target\": 3, \"manual\": {\"budget\": 1, "
	    "\"score\": 1}},\n"
	    "  {\"name\": \"k\", \"weight\": 5, \"colour\": \"red\", \"metric\": "
	    "\"service_fee_amount\",\n"
	    "   \"target\": 1}\n"
	    "]}]}\n",
	    (const char *[]){
		"t.json:2: unknown metric 'deal_amout'",
		"t.json:4: target must be a decimal number", "t.json:6: weight must be above 0",
		"t.json:8: filter: metric deals_count has no label 'scope'",
		"t.json:10: filter: scope has no value 'mars'", "t.json:12: direction must be",
		"t.json:12: display_unit '亿元' does not fit metric opened_count",
		"t.json:13: duplicate indicator 'a' (also at line 2)",
		"t.json:15: duplicate indicator: cancelled_count with the same filter",
		"t.json:17: manual score must be between 0 and the weight",
		"t.json:18: manual budget must be above 0",
		"t.json:19: target belongs to computed indicators", "t.json:19: manual: either",
		"t.json:20: indicator: unknown key 'colour'", NULL});
	expect_errors(
	    "weights over 100",
	    "{\"years\": [{\"year\": 2021, \"indicators\": [\n"
	    "  {\"metric\": \"deal_amount\", \"name\": \"a\", \"target\": 1, \"weight\": 60},\n"
	    "  {\"metric\": \"deals_count\", \"name\": \"b\", \"target\": 1, \"weight\": 40.5}\n"
	    "]}]}\n",
	    (const char *[]){"t.json:1: weights of year 2021 add up to 100.5", NULL});
	expect_errors(
	    "year mistakes",
	    "{\"years\": [\n"
	    " {\"year\": \"2021\", \"indicators\": []},\n"
	    " {\"year\": 2022, \"center\": \"1\", \"indicators\": [\n"
	    "  {\"metric\": \"deal_amount\", \"name\": \"a\", \"target\": 1, \"weight\": 1}]},\n"
	    " {\"year\": 2022, \"center\": \"1\", \"indicators\": [\n"
	    "  {\"metric\": \"deal_amount\", \"name\": \"a\", \"target\": 1, \"weight\": 1}],\n"
	    "  \"scoring\": {\"lower\": \"log\", \"grades\": {\"优\": 80, \"良\": 85, \"中\": "
	    "60}}}\n"
	    "]}\n",
	    (const char *[]){"t.json:2: year must be a whole year",
			     "t.json:2: indicators must be a non-empty array",
			     "t.json:7: scoring lower must be",
			     "t.json:7: grade band 良 must be below 优",
			     "t.json:5: year 2022 centre 1 is already given at line 3", NULL});
	check_unions_and_periods();
	manual_quantities();
	struct config_errors e2 = {0};
	CHECK(targets_load("/nonexistent/targets.json", &e2) == NULL && e2.count == 1 &&
		  strstr(e2.lines[0], "cannot open"),
	      "missing file");
	config_errors_clear(&e2);
	return UNIT_DONE();
}
