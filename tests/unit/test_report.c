/* report: the year-end report built from figures (through a mock store,
 * store_mock.c) and a targets file, in its three formats: scores by the
 * form's rules, totals and grade, figures written as the reports write them
 * (亿元 from one 亿 up, 同比 of a rate in percentage points), and the
 * errors (a year not yet begun, an unknown centre, a store that does not
 * answer). The figures are the mock's; test_report.py checks the same
 * against SQL over real sources. */
#include <event2/event.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "report.h"
#include "sql_files.h"
#include "store_mock.h"
#include "targets.h"
#include "unit.h"
#include "wallclock.h"

/* metric, category ("" any), this year's figure, last year's. */
static const struct fig {
	const char *metric, *category, *cur, *prev;
} figures[] = {
    {"deal_amount", "", "50497000000.00", "40000000000.00"},
    {"fully_electronic_count", "engineering", "87", "80"},
    {"deals_count", "engineering", "100", "100"},
    {"deals_count", "", "3902", "3000"},
    {"expert_fee_amount", "", "14498700.00", "12000000.00"},
};

static bool store_fails;
static const char *meta_known = "t";

static const struct fig *find_fig(const char *metric, const char *category)
{
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		if (strcmp(figures[i].metric, metric) == 0 &&
		    strcmp(figures[i].category, category ? category : "") == 0)
			return &figures[i];
	return NULL;
}

static PGresult *handler(const char *sql, int nparams, const char *const *params, bool writer,
			 void *arg)
{
	(void)writer, (void)arg;
	if (store_fails)
		return NULL;
	if (strcmp(sql, sql_text("queries/report_meta.sql")) == 0) {
		PGresult *res = mock_result(3);
		bool all = params[0] == NULL;
		mock_row(res, (const char *[]){meta_known, all ? NULL : "湘西州公共资源交易中心",
					       "1640966400"});
		return res;
	}
	if (strcmp(sql, sql_text("queries/indicators.sql")) == 0 && nparams == 13) {
		char *num[64], *den[64], *cat[64];
		int n = mock_array(params[0], num, 64);
		mock_array(params[1], den, 64);
		mock_array(params[3], cat, 64);
		PGresult *res = mock_result(5);
		for (int i = 0; i < n; i++) {
			const struct fig *fn = find_fig(num[i], cat[i]);
			const struct fig *fd = den[i] ? find_fig(den[i], cat[i]) : NULL;
			char row[16];
			snprintf(row, sizeof(row), "%d", i + 1);
			mock_row(res, (const char *[]){row, fn ? fn->cur : "0", fd ? fd->cur : "0",
						       fn ? fn->prev : "0", fd ? fd->prev : "0"});
			free(num[i]);
			free(den[i]);
			free(cat[i]);
		}
		return res;
	}
	fprintf(stderr, "test_report: unexpected statement:\n%s\n", sql);
	return NULL;
}

struct outcome {
	int status;
	char *body;
	char filename[96];
};

static void on_report(const struct document *r, void *arg)
{
	struct outcome *o = arg;
	o->status = r->status;
	o->body = r->status == 200 ? strndup(r->body, r->len) : strdup(r->message);
	snprintf(o->filename, sizeof(o->filename), "%s", r->filename);
}

static struct outcome build(struct event_base *base, struct store *st, struct targets *t,
			    const struct wallclock *clock, int year, const char *center,
			    enum document_format fmt)
{
	struct outcome o = {0};
	struct report_context ctx = {
	    .store = st, .targets = t, .clock = clock, .sources = "{trading}"};
	report_build(&ctx, year, center, fmt, on_report, &o);
	event_base_dispatch(base);
	return o;
}

static json_t *indicator(json_t *report, const char *name)
{
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(report, "indicators"), i,
			   ind) if (strcmp(json_string_value(json_object_get(ind, "name")), name) ==
				    0) return ind;
	return NULL;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(not a string)";
}

static double num(json_t *o, const char *key) { return json_number_value(json_object_get(o, key)); }

static const char targets_json[] =
    "{\"years\": [{\"year\": 2021, \"center\": \"433100\", \"indicators\": [\n"
    " {\"metric\": \"deal_amount\", \"name\": \"入场项目成交额\", \"level1\": \"产出指标\",\n"
    "  \"level2\": \"数量指标\", \"target\": \"50000000000.00\", \"weight\": 20},\n"
    " {\"metric\": \"e_bid_rate\", \"name\": \"工程建设项目全流程电子化率\",\n"
    "  \"filter\": {\"category\": \"engineering\"}, \"target\": \"1.0\", \"weight\": 10},\n"
    " {\"metric\": \"expert_fee_amount\", \"name\": \"专家评审费\", \"target\": \"14000000\",\n"
    "  \"direction\": \"lower\", \"weight\": 15, \"display_unit\": \"万元\"},\n"
    " {\"name\": \"社会公众满意度\", \"weight\": 10,\n"
    "  \"manual\": {\"target\": \"≥90%\", \"actual\": \"95%\", \"score\": 10}},\n"
    " {\"name\": \"预算执行率\", \"weight\": 10, \"manual\": {\"budget\": \"21\", \"executed\": "
    "\"20.3\"}}]},\n"
    " {\"year\": 2021, \"center\": \"433101\", \"scoring\": {\"lower\": \"linear\"},\n"
    "  \"indicators\": [\n"
    " {\"metric\": \"deal_amount\", \"name\": \"成交额\", \"target\": \"50000000000.00\",\n"
    "  \"weight\": 20},\n"
    " {\"name\": \"交易主体满意度\", \"level1\": \"满意度指标\", \"level2\": "
    "\"服务对象满意度指标\",\n"
    "  \"weight\": 5, \"manual\": {\"target\": \"≥85%\", \"actual\": \"82%\"}},\n"
    " {\"name\": \"会议费\", \"weight\": 15,\n"
    "  \"manual\": {\"target\": \"≤1400万元\", \"actual\": \"1449.87万元\"}},\n"
    " {\"name\": \"节约资金\", \"weight\": 20,\n"
    "  \"manual\": {\"target\": \"≥1.5亿元\", \"actual\": \"12000万元\"}},\n"
    " {\"name\": \"社会公众满意度\", \"weight\": 10,\n"
    "  \"manual\": {\"target\": \"≥90%\", \"actual\": \"88%\", \"score\": 9}}]}]}\n";

int main(void)
{
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	struct event_base *base = event_base_new();
	struct store *st = mock_store_new(base, handler, NULL);
	struct config_errors errs = {0};
	struct targets *t = targets_parse("t.json", targets_json, strlen(targets_json), &errs);
	CHECK(t != NULL, "targets parse: %s", errs.count ? errs.lines[0] : "");
	config_errors_clear(&errs);
	/* 2022-06-30 12:00 +08: 2021 is closed. */
	struct wallclock clock = {.fixed = true, .at = 1656561600};

	/* ---- a closed year with targets, JSON ---- */
	struct outcome o = build(base, st, t, &clock, 2021, "433100", DOC_JSON);
	CHECK(o.status == 200, "report 2021: %d %s", o.status, o.body);
	json_t *r = json_loads(o.body ? o.body : "{}", 0, NULL);
	CHECK(r != NULL, "the report is JSON");
	CHECK(strcmp(str(r, "center_name"), "湘西州公共资源交易中心") == 0, "centre name %s",
	      str(r, "center_name"));
	CHECK(strcmp(str(r, "as_of"), "2022-01-01T00:00:00+08:00") == 0, "as_of %s",
	      str(r, "as_of"));
	json_t *period = json_object_get(r, "period");
	CHECK(strcmp(str(period, "from"), "2021-01-01") == 0 &&
		  strcmp(str(period, "to"), "2021-12-31") == 0 &&
		  json_is_true(json_object_get(period, "closed")),
	      "a closed year is the whole year");
	json_t *deal = indicator(r, "入场项目成交额");
	CHECK(deal && strcmp(str(deal, "actual"), "50497000000.00") == 0, "deal amount actual");
	CHECK(deal && strcmp(str(deal, "display"), "504.97亿元") == 0,
	      "an amount of 亿 and more in 亿元: %s", deal ? str(deal, "display") : "");
	CHECK(deal && strcmp(str(deal, "display_unit"), "亿元") == 0, "its unit is the shown one");
	CHECK(deal && num(deal, "score") == 20, "met: the whole weight");
	CHECK(deal && num(deal, "yoy") == 0.262425, "同比 (A - P) / P to 6 decimals: %f",
	      deal ? num(deal, "yoy") : 0);
	CHECK(deal && !json_object_get(deal, "yoy_points"), "no percentage points for a sum");
	json_t *ebid = indicator(r, "工程建设项目全流程电子化率");
	CHECK(ebid && num(ebid, "actual") == 0.87, "a rate is the ratio of its sums");
	CHECK(ebid && num(ebid, "score") == 8.7, "10 x 0.87 / 1.0");
	CHECK(ebid && num(ebid, "yoy_points") == 7,
	      "同比 of a rate in points: (0.87 - 0.80) x 100");
	json_t *fee = indicator(r, "专家评审费");
	CHECK(fee && strcmp(str(fee, "display"), "1449.87万元") == 0, "the unit asked for: %s",
	      fee ? str(fee, "display") : "");
	CHECK(fee && num(fee, "score") == 14.48,
	      "lower over its ceiling: 15 x 14000000 / 14498700");
	CHECK(fee && strcmp(str(fee, "target_display"), "≤1400万元") == 0, "a ceiling's target");
	json_t *budget = indicator(r, "预算执行率");
	CHECK(budget && num(budget, "score") == 9.67, "budget execution 10 x 20.3 / 21");
	CHECK(num(r, "total_score") == 62.85, "total 20 + 8.70 + 14.48 + 10 + 9.67: %f",
	      num(r, "total_score"));
	CHECK(strcmp(str(r, "grade"), "中") == 0, "62.85 is 中");
	json_decref(r);
	free(o.body);

	/* ---- the same as CSV and Markdown ---- */
	o = build(base, st, t, &clock, 2021, "433100", DOC_CSV);
	CHECK(o.status == 200 && strncmp(o.body, "\xEF\xBB\xBF一级指标,", 15) == 0,
	      "CSV opens with a BOM and the form's header");
	CHECK(o.status == 200 && strstr(o.body, "\r\n合计,,,,,65,62.85,\r\n"), "CSV total row");
	CHECK(o.status == 200 && strstr(o.body, "\r\n自评等级,,,,中,,,\r\n"), "CSV grade row");
	CHECK(strcmp(o.filename, "ggzy-report-2021-433100.csv") == 0, "CSV download name %s",
	      o.filename);
	free(o.body);
	o = build(base, st, t, &clock, 2021, "433100", DOC_MD);
	CHECK(o.status == 200 && strstr(o.body, "| 提高7个百分点 |"), "Markdown: a rate's 同比");
	CHECK(o.status == 200 && strstr(o.body, "| +26.24% |"), "Markdown: a sum's 同比");
	free(o.body);

	/* ---- manual quantitative lines (SPEC §5): scored like computed ones ---- */
	o = build(base, st, t, &clock, 2021, "433101", DOC_JSON);
	r = json_loads(o.body ? o.body : "{}", 0, NULL);
	CHECK(o.status == 200 && r, "report 2021 433101: %d", o.status);
	json_t *sat = indicator(r, "交易主体满意度");
	CHECK(sat && num(sat, "score") == 4.82, "5 x 82%% / 85%% = 4.82: %f",
	      sat ? num(sat, "score") : 0);
	CHECK(sat && json_is_true(json_object_get(sat, "manual")) &&
		  strcmp(str(sat, "direction"), "higher") == 0,
	      "a manual line, higher by its ≥");
	CHECK(sat && strcmp(str(sat, "target"), "≥85%") == 0 &&
		  strcmp(str(sat, "actual"), "82%") == 0 &&
		  strcmp(str(sat, "target_display"), "≥85%") == 0 &&
		  strcmp(str(sat, "display"), "82%") == 0 &&
		  strcmp(str(sat, "display_unit"), "%") == 0,
	      "texts as written");
	CHECK(sat && num(sat, "completion") == 0.964706, "completion 82 / 85: %f",
	      sat ? num(sat, "completion") : 0);
	json_t *cost = indicator(r, "会议费");
	CHECK(cost && num(cost, "score") == 14.47 && strcmp(str(cost, "direction"), "lower") == 0,
	      "≤ is a ceiling, linear by the year's profile: 15 x (1 - 49.87 / 1400) = %f",
	      cost ? num(cost, "score") : 0);
	json_t *saved = indicator(r, "节约资金");
	CHECK(saved && num(saved, "score") == 16 && num(saved, "completion") == 0.8,
	      "1.2亿 of 1.5亿 in two units: 16, completion 0.8");
	json_t *hand = indicator(r, "社会公众满意度");
	CHECK(hand && num(hand, "score") == 9 && json_is_null(json_object_get(hand, "completion")),
	      "with score: as entered");
	CHECK(num(r, "total_score") == 64.29, "total 20 + 4.82 + 14.47 + 16 + 9: %f",
	      num(r, "total_score"));
	CHECK(strcmp(str(r, "grade"), "中") == 0, "64.29 is 中");
	json_decref(r);
	free(o.body);
	o = build(base, st, t, &clock, 2021, "433101", DOC_CSV);
	CHECK(o.status == 200 &&
		  strstr(o.body,
			 "\r\n满意度指标,服务对象满意度指标,交易主体满意度,≥85%,82%,5,4.82,\r\n"),
	      "CSV: the manual line with its computed score");
	CHECK(o.status == 200 && strstr(o.body, "\r\n,,会议费,≤1400万元,1449.87万元,15,14.47,\r\n"),
	      "CSV: a manual ceiling");
	CHECK(o.status == 200 && strstr(o.body, "\r\n合计,,,,,70,64.29,\r\n"),
	      "CSV total includes the manual scores");
	free(o.body);
	o = build(base, st, t, &clock, 2021, "433101", DOC_MD);
	CHECK(o.status == 200 &&
		  strstr(o.body, "| 交易主体满意度 | ≥85% | 82% | — | — | 5 | 4.82 |"),
	      "Markdown: the manual line with its computed score");
	CHECK(o.status == 200 && strstr(o.body, "自评得分 64.29 分"), "Markdown total");
	free(o.body);

	/* ---- a year without targets, all centres ---- */
	o = build(base, st, t, &clock, 2022, NULL, DOC_JSON);
	r = json_loads(o.body ? o.body : "{}", 0, NULL);
	CHECK(o.status == 200 && strcmp(str(r, "center_name"), "全部中心") == 0,
	      "the all-centres report names itself");
	CHECK(json_is_null(json_object_get(r, "total_score")), "no targets: unscored");
	json_t *period22 = json_object_get(r, "period");
	CHECK(strcmp(str(period22, "to"), "2022-06-30") == 0 &&
		  json_is_false(json_object_get(period22, "closed")),
	      "the current year runs to today");
	CHECK(strcmp(str(json_object_get(r, "previous_period"), "to"), "2021-06-30") == 0,
	      "last year to the same day");
	json_t *count = indicator(r, "交易宗数");
	CHECK(count && json_integer_value(json_object_get(count, "actual")) == 3902 &&
		  strcmp(str(count, "display"), "3902宗") == 0,
	      "a count is an integer, in its unit");
	json_t *fee22 = indicator(r, "专家评审费");
	CHECK(fee22 && strcmp(str(fee22, "display"), "1449.87万元") == 0,
	      "an amount under one 亿 in 万元: %s", fee22 ? str(fee22, "display") : "");
	json_decref(r);
	free(o.body);

	/* ---- errors ---- */
	o = build(base, st, t, &clock, 2023, NULL, DOC_JSON);
	CHECK(o.status == 400, "a year after this one is a 400 (%d)", o.status);
	free(o.body);
	meta_known = "f";
	o = build(base, st, t, &clock, 2021, "999999", DOC_JSON);
	CHECK(o.status == 404, "an unknown centre is a 404 (%d)", o.status);
	free(o.body);
	meta_known = "t";
	store_fails = true;
	mock_store_set_version(st, 2); /* nothing kept from before */
	o = build(base, st, t, &clock, 2021, "433100", DOC_JSON);
	CHECK(o.status == 503, "a store that does not answer is a 503 (%d)", o.status);
	free(o.body);

	targets_free(t);
	mock_store_free(st);
	event_base_free(base);
	return UNIT_DONE();
}
