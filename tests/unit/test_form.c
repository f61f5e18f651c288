/* form: `report --verify` on hand-made forms (SPEC §4). The CSV reader
 * (BOM or none, CRLF or LF, quoted fields, every malformation at its
 * line); forms that cannot be read; the report's own CSV verifying clean;
 * and a form with known errors, each reported once at its line with the
 * arithmetic: a quantitative line (10 × 8.81 / 9), the form's 4.82, 15 ×
 * 145 / 200 = 10.88, budget execution as the form scores it (97.89% → 9.79,
 * 81.52% not a full 10), a ceiling, a figure that disagrees with the store
 * to the unit shown, the total and the grade. The figures come from the
 * report through the mock store (store_mock.c), as in test_report. */
#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "csv_read.h"
#include "form_verify.h"
#include "report.h"
#include "sql_files.h"
#include "store_mock.h"
#include "targets.h"
#include "unit.h"
#include "wallclock.h"

static const struct fig {
	const char *metric, *category, *cur, *prev;
} figures[] = {
    {"deal_amount", "", "50497000000.00", "40000000000.00"},
    {"fully_electronic_count", "engineering", "87", "80"},
    {"deals_count", "engineering", "100", "100"},
    {"expert_fee_amount", "", "14498700.00", "12000000.00"},
    {"service_fee_amount", "", "3767257402.53", "3000000000.00"},
};

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
	(void)writer, (void)arg, (void)params;
	if (strcmp(sql, sql_text("queries/report_meta.sql")) == 0) {
		PGresult *res = mock_result(3);
		mock_row(res, (const char *[]){"t", "湘西州公共资源交易中心", "1640966400"});
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
	fprintf(stderr, "test_form: unexpected statement:\n%s\n", sql);
	return NULL;
}

static const char targets_json[] =
    "{\"years\": [{\"year\": 2021, \"center\": \"433100\",\n"
    " \"scoring\": {\"grades\": {\"优\": 95, \"良\": 85, \"中\": 70}}, \"indicators\": [\n"
    " {\"metric\": \"deal_amount\", \"name\": \"入场项目成交额\", \"level1\": \"产出指标\",\n"
    "  \"level2\": \"数量指标\", \"target\": \"50000000000.00\", \"weight\": 20,\n"
    "  \"display_unit\": \"亿元\"},\n"
    " {\"metric\": \"e_bid_rate\", \"name\": \"工程建设项目全流程电子化率\",\n"
    "  \"filter\": {\"category\": \"engineering\"}, \"target\": \"1.0\", \"weight\": 10},\n"
    " {\"metric\": \"expert_fee_amount\", \"name\": \"专家评审费\", \"target\": \"14000000\",\n"
    "  \"direction\": \"lower\", \"weight\": 15, \"display_unit\": \"万元\"},\n"
    /* Printed as 37.67亿元 of 45.21亿元 (16.66 by the printed figures), scored
     * 16.67 on the exact ones: the report's own CSV must still verify. */
    " {\"metric\": \"service_fee_amount\", \"name\": \"交易服务费\",\n"
    "  \"target\": \"4520708883.04\", \"weight\": 20, \"display_unit\": \"亿元\"},\n"
    " {\"name\": \"交易主体满意度\", \"weight\": 5,\n"
    "  \"manual\": {\"target\": \"≥85%\", \"actual\": \"82%\"}},\n"
    " {\"name\": \"社会公众满意度\", \"weight\": 10,\n"
    "  \"manual\": {\"target\": \"≥90%\", \"actual\": \"95%\", \"score\": 10}},\n"
    " {\"name\": \"预算执行率\", \"weight\": 10, \"manual\": {\"budget\": \"21\", \"executed\": "
    "\"20.3\"}}]}]}\n";

/* ---- the CSV reader ---- */

static void csv_cases(void)
{
	struct csv_table t;
	int line;
	char err[256];
	static const char text[] = "\xEF\xBB\xBF"
				   "a,b,c\r\n"
				   "\"x, y\",\"say \"\"hi\"\"\",\r\n"
				   "\"two\r\nlines\",2,3\n"
				   "last,,\n";
	CHECK(csv_parse(text, sizeof(text) - 1, &t, &line, err, sizeof(err)), "csv: %s", err);
	CHECK(t.nrecords == 4, "four records: %zu", t.nrecords);
	if (t.nrecords == 4) {
		CHECK(t.records[0].nfields == 3 && strcmp(t.records[0].fields[0], "a") == 0,
		      "the BOM is not part of the first field: '%s'", t.records[0].fields[0]);
		CHECK(strcmp(t.records[1].fields[0], "x, y") == 0 &&
			  strcmp(t.records[1].fields[1], "say \"hi\"") == 0 &&
			  t.records[1].nfields == 3 && t.records[1].fields[2][0] == '\0',
		      "quoted comma, doubled quotes, an empty last field");
		CHECK(strcmp(t.records[2].fields[0], "two\r\nlines") == 0 && t.records[2].line == 3,
		      "a line break inside quotes; the record starts on line 3");
		CHECK(t.records[3].line == 5, "the next record is on line 5: %d",
		      t.records[3].line);
	}
	csv_free(&t);

	static const struct {
		const char *what, *text;
		int line;
		const char *err;
	} bad[] = {
	    {"GBK", "a,b\n\xD4\xA4\xCB\xE3,1\n", 2, "not UTF-8"},
	    {"a lone continuation byte", "a\nb\n\x80\n", 3, "not UTF-8"},
	    {"an overlong form", "\xC0\xAF\n", 1, "not UTF-8"},
	    {"unterminated quote", "a,b\n1,\"open\n2,3\n", 2, "a quoted field is not closed"},
	    {"text after a closing quote", "a\n\"x\"y,1\n", 2, "text after a closing quote"},
	    {"quote in an unquoted field", "a\nx\"y\n", 2, "a quote inside an unquoted field"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bool ok = csv_parse(bad[i].text, strlen(bad[i].text), &t, &line, err, sizeof(err));
		CHECK(!ok && line == bad[i].line && strstr(err, bad[i].err),
		      "%s: %s at line %d (%s)", bad[i].what, ok ? "accepted" : "refused", line,
		      err);
		csv_free(&t);
	}
}

/* ---- forms that cannot be read ---- */

static void unreadable(void)
{
	static const char header[] = "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n";
	static const struct {
		const char *what, *text, *want;
	} cases[] = {
	    {"no header", "a,b,c\n1,2,3\n", "f.csv:1: no header row with 三级指标"},
	    {"a column missing", "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值\n",
	     "f.csv:1: the header has no column 得分"},
	    {"a score that is not a number", "x\n%s,,满意度,≥90%%,95%%,10,十分\n合计,,,,,10,10\n",
	     "f.csv:3: 满意度: 得分 '十分' is not a number"},
	    {"a weight missing", "%s,,满意度,≥90%%,95%%,,9\n合计,,,,,10,9\n",
	     "f.csv:2: 满意度: 分值 '' is not a number"},
	    {"no total", "%s,,满意度,≥90%%,95%%,10,10\n", "f.csv:2: no 合计 row"},
	    {"no lines", "%s合计,,,,,0,0\n", "f.csv:1: no indicator lines"},
	    {"GBK", "%s,,\xC2\xFA\xD2\xE2\xB6\xC8,90%%,95%%,10,10\n", "f.csv:2: not UTF-8"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024];
		if (strncmp(cases[i].text, "x\n", 2) == 0)
			snprintf(text, sizeof(text), cases[i].text + 2, header);
		else if (strstr(cases[i].text, "%s"))
			snprintf(text, sizeof(text), cases[i].text, header);
		else
			snprintf(text, sizeof(text), "%s", cases[i].text);
		/* "x\n": a title row above the header */
		if (strncmp(cases[i].text, "x\n", 2) == 0) {
			char with_title[1100];
			snprintf(with_title, sizeof(with_title), "2021年度绩效自评表,,,,,,\n%s",
				 text);
			snprintf(text, sizeof(text), "%s", with_title);
		}
		struct config_errors errs = {0};
		struct form *f = form_parse("f.csv", text, strlen(text), &errs);
		CHECK(!f && errs.count >= 1 &&
			  strncmp(errs.lines[0], cases[i].want, strlen(cases[i].want)) == 0,
		      "%s: %s", cases[i].what, errs.count ? errs.lines[0] : "(accepted)");
		form_free(f);
		config_errors_clear(&errs);
	}
	struct config_errors errs = {0};
	CHECK(!form_load("/nonexistent/form.csv", &errs) && errs.count == 1 &&
		  strstr(errs.lines[0], "cannot open"),
	      "a missing file");
	config_errors_clear(&errs);
}

/* ---- checking against the report ---- */

struct got_figures {
	const struct form *form;
	struct config_errors out;
	struct form_summary sum;
	int status;
};

static void on_figures(const struct report_figures *rf, void *arg)
{
	struct got_figures *g = arg;
	g->status = rf->status;
	if (rf->status == 200)
		form_verify(g->form, rf, &g->out, &g->sum);
}

static char *report_csv;

static void on_report(const struct document *r, void *arg)
{
	(void)arg;
	report_csv = r->status == 200 ? strndup(r->body, r->len) : NULL;
}

/* Verifies TEXT; the disagreements must be exactly WANT, in order. */
static void verify_for(struct event_base *base, const struct report_context *ctx,
		       const char *center, const char *what, const char *text,
		       const char *const *want)
{
	struct config_errors errs = {0};
	struct form *f = form_parse("FORM.csv", text, strlen(text), &errs);
	CHECK(f != NULL, "%s: read: %s", what, errs.count ? errs.lines[0] : "");
	config_errors_clear(&errs);
	if (!f)
		return;
	struct got_figures g = {.form = f};
	report_figures(ctx, 2021, center, on_figures, &g);
	event_base_dispatch(base);
	CHECK(g.status == 200, "%s: figures %d", what, g.status);
	size_t n = 0;
	while (want[n])
		n++;
	CHECK(g.out.count == n && g.sum.disagreements == n, "%s: %zu disagreements, want %zu", what,
	      g.out.count, n);
	for (size_t i = 0; i < g.out.count; i++) {
		if (i < n)
			CHECK(strcmp(g.out.lines[i], want[i]) == 0, "%s:\n  got  %s\n  want %s",
			      what, g.out.lines[i], want[i]);
		else
			CHECK(0, "%s: unexpected %s", what, g.out.lines[i]);
	}
	config_errors_clear(&g.out);
	form_free(f);
}

static void verify(struct event_base *base, const struct report_context *ctx, const char *what,
		   const char *text, const char *const *want)
{
	verify_for(base, ctx, "433100", what, text, want);
}

int main(void)
{
	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	csv_cases();
	unreadable();

	struct event_base *base = event_base_new();
	struct store *st = mock_store_new(base, handler, NULL);
	struct config_errors errs = {0};
	struct targets *t = targets_parse("t.json", targets_json, strlen(targets_json), &errs);
	CHECK(t != NULL, "targets: %s", errs.count ? errs.lines[0] : "");
	config_errors_clear(&errs);
	struct wallclock clock = {.fixed = true, .at = 1656561600};
	struct report_context ctx = {
	    .store = st, .targets = t, .clock = &clock, .sources = "{trading}"};

	/* The daemon's own CSV is a correct form. */
	report_build(&ctx, 2021, "433100", DOC_CSV, on_report, NULL);
	event_base_dispatch(base);
	CHECK(report_csv != NULL, "the report as CSV");
	if (report_csv)
		verify(base, &ctx, "the report's own CSV", report_csv, (const char *[]){NULL});
	free(report_csv);

	/* A hand-made form: a title, no BOM, LF lines, group headings, merged
	 * cells left empty, quoted fields; every score right. */
	verify(base, &ctx, "a correct hand-made form",
	       "2021年度湘西州公共资源交易中心绩效自评表\n"
	       "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分,偏差原因分析及改进措施\n"
	       "产出指标,,,,,,,\n"
	       ",数量指标,入场项目成交额,≥500亿元,504.97亿元,20,20,\n"
	       ",质量指标,工程建设项目全流程电子化率,≥100%,87%,10,8.7,\"部分项目, 线下\"\n"
	       "成本指标,,专家评审费,≤1400万元,1449.87万元,15,14.48,\n"
	       "满意度指标,,交易主体满意度,≥85%,82%,5,4.82,\n"
	       ",,社会公众满意度,≥90%,良好,10,9,问卷\n"
	       "预算执行,预算执行率,,100%,97.89%,10,9.79,\n"
	       ",,培训人次,≥200人次,145人次,15,10.88,\n"
	       ",,交易服务费,≥45.21亿元,37.67亿元,20,16.66,\n"
	       "合计,,,,,105,94.33,\n"
	       "自评等级,,,,良,,,\n",
	       (const char *[]){NULL});

	/* The same form with its arithmetic wrong, as published forms are. */
	verify(base, &ctx, "a form with known errors",
	       "\xEF\xBB\xBF"
	       "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\r\n"
	       "产出指标,数量指标,入场项目成交额,≥500亿元,504.96亿元,20,20\r\n"
	       "产出指标,质量指标,工程建设项目全流程电子化率,≥100%,87.5%,10,9.7\r\n"
	       "成本指标,,专家评审费,≤1400万元,1449.87万元,15,15\r\n"
	       "满意度指标,,交易主体满意度,≥85%,82%,5,5\r\n"
	       "满意度指标,,社会公众满意度,≥90%,良好,10,11\r\n"
	       "预算执行,,预算执行率,100%,97.89%,10,9.89分\r\n"
	       ",,第二预算执行率,100%,81.52%,10,10\r\n"
	       ",,某数量指标,9,8.81,10,9.89\r\n"
	       ",,培训人次,≥200人次,145人次,15,10.87\r\n"
	       ",,单位,≥85%,82宗,5,5\r\n"
	       "合计,,,,,100,99,\r\n"
	       ",,,,,,,\r\n"
	       "自评等级：良,,,,,,,\r\n",
	       (const char *[]){
		   "FORM.csv:2: 实际完成值 504.96亿元, computed 504.97亿元 (deal_amount in the "
		   "store: 50497000000.00元)",
		   "FORM.csv:3: 得分 9.7, computed 8.75 (10 × 87.5 / 100)",
		   "FORM.csv:3: 实际完成值 87.5%, computed 87% (e_bid_rate in the store: 87 / 100)",
		   "FORM.csv:4: 得分 15, computed 14.48 (15 × 1400 / 1449.87)",
		   "FORM.csv:5: 得分 5, computed 4.82 (5 × 82 / 85)",
		   "FORM.csv:6: 得分 11, not between 0 and its 分值 10",
		   "FORM.csv:7: 得分 9.89, computed 9.79 (10 × 97.89%)",
		   "FORM.csv:8: 得分 10, computed 8.15 (10 × 81.52%)",
		   "FORM.csv:9: 得分 9.89, computed 9.79 (10 × 8.81 / 9)",
		   "FORM.csv:10: 得分 10.87, computed 10.88 (15 × 145 / 200)",
		   "FORM.csv:11: 年度指标值 ≥85% and 实际完成值 82宗 are a percentage and a count: "
		   "not comparable",
		   "FORM.csv:12: 分值 100, computed 110 (20 + 10 + 15 + 5 + 10 + 10 + 10 + 10 + 15 "
		   "+ 5)",
		   "FORM.csv:12: 得分 99, computed 102.66 (20.00 + 8.75 + 14.48 + 4.82 + 11.00 + "
		   "9.79 + 8.15 + 9.79 + 10.88 + 5.00)",
		   "FORM.csv:14: 自评等级 良, computed 优 (102.66 ≥ 95)", NULL});

	/* No targets for the year and centre: the form's own arithmetic with
	 * the default bands, no figure compared. */
	verify_for(base, &ctx, NULL, "no targets entry",
		   "一级指标,二级指标,三级指标,年度指标值,实际完成值,分值,得分\n"
		   ",,入场项目成交额,≥500亿元,1亿元,20,20\n"
		   ",,交易主体满意度,≥85%,82%,5,4.82\n"
		   "合计,,,,,25,24.82\n"
		   "自评等级,,,,优\n",
		   (const char *[]){"FORM.csv:2: 得分 20, computed 0.04 (20 × 1 / 500)",
				    "FORM.csv:4: 得分 24.82, computed 4.86 (0.04 + 4.82)",
				    "FORM.csv:5: 自评等级 优, computed 差 (4.86 < 60)", NULL});

	targets_free(t);
	mock_store_free(st);
	event_base_free(base);
	return UNIT_DONE();
}
