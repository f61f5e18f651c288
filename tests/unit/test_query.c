/* query_parse and series_params_parse (the pure parsers behind the HTTP
 * API), table-driven: each query string and what must come of it. */
#include <event2/http.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "utf8.h"
#include "series_params.h"
#include "unit.h"

#define REFUSED(q, n, c)                                                                           \
	{                                                                                          \
		.query = q, .max_points = n, .code = c                                             \
	}

static const struct {
	const char *query;
	long max_points;
	const char *code; /* NULL: accepted */
	const char *metric, *from, *to, *step;
	long points;
	bool cumulative, empty;
	const char *center;
	const char *category; /* the codes the filter became; NULL: not checked */
} cases[] = {
    /* lists: their union, names as codes, values that cannot occur dropped */
    {"metric=savings_amount&from=2021-01-01&to=2021-12-31&step=year&category=engineering,"
     "%E5%8C%BB%E8%8D%AF%E9%87%87%E8%B4%AD,spaceships",
     10000, NULL, "savings_amount", "2021-01-01", "2021-12-31", "year", 1, false, false, NULL,
     "engineering,medical"},
    {"metric=deal_amount&from=2021-01-01&to=2021-12-31&step=year&center=433100,430100", 10000, NULL,
     "deal_amount", "2021-01-01", "2021-12-31", "year", 1, false, false, "433100,430100", NULL},
    {"metric=deal_amount&from=2021-01-01&to=2021-12-31&step=year&category=mars,venus", 10000, NULL,
     "deal_amount", "2021-01-01", "2021-12-31", "year", 1, false, true, NULL, ""},
    /* a distinct count may be cumulative (people from 'from' on), a stock not */
    {"metric=experts_participating_count&from=2021-01-01&to=2021-12-31&step=month&cumulative=1",
     10000, NULL, "experts_participating_count", "2021-01-01", "2021-12-31", "month", 12, true,
     false, NULL, NULL},
    REFUSED("metric=deposit_held_amount&from=2021-01-01&to=2021-12-31&step=month&cumulative=1",
	    10000, "bad_parameter"),
    REFUSED("metric=deal_amount&from=2021-01-01&to=2021-12-31&category=engineering,,medical", 10000,
	    "bad_parameter"),
    REFUSED("metric=deal_amount&from=2021-01-01&to=2021-12-31&category=engineering,", 10000,
	    "bad_parameter"),
    {"metric=deals_count&from=2021-01-01&to=2021-12-31&step=month", 10000, NULL, "deals_count",
     "2021-01-01", "2021-12-31", "month", 12, false, false, NULL, NULL},
    {"metric=deal_amount&from=2021-01-01&to=2021-01-07", 10000, NULL, "deal_amount", "2021-01-01",
     "2021-01-07", "day", 7, false, false, NULL, NULL},
    {"metric=deal_amount&from=2021-01-01&to=2021-12-31&step=quarter&cumulative=1&center=433100",
     10000, NULL, "deal_amount", "2021-01-01", "2021-12-31", "quarter", 4, true, false, "433100",
     NULL},
    {"metric=deal_amount&from=2021-01-01&to=2021-12-31&category=spaceships", 10000, NULL,
     "deal_amount", "2021-01-01", "2021-12-31", "day", 365, false, true, NULL, NULL},
    {"metric=deals_count&from=2021-01-04&to=2021-01-17&step=week", 10000, NULL, "deals_count",
     "2021-01-04", "2021-01-17", "week", 2, false, false, NULL, NULL},
    {"metric=deals_count&from=2021-01-01&to=2021-12-31&center=%E4%B8%AD", 10000, NULL,
     "deals_count", "2021-01-01", "2021-12-31", "day", 365, false, false, "中", NULL},
    {"metric=deals_count&from=2021-01-01&to=2021-01-10", 10, NULL, "deals_count", "2021-01-01",
     "2021-01-10", "day", 10, false, false, NULL, NULL},
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-01-11", 10, "too_many_points"),
    REFUSED(NULL, 10000, "missing_parameter"),
    REFUSED("", 10000, "missing_parameter"),
    REFUSED("metric=nope&from=2021-01-01&to=2021-12-31", 10000, "unknown_metric"),
    REFUSED("metric=deals_count&to=2021-12-31", 10000, "missing_parameter"),
    REFUSED("metric=deals_count&from=2021-02-30&to=2021-12-31", 10000, "bad_parameter"),
    REFUSED("metric=deals_count&from=0000-01-01&to=2021-12-31", 10000, "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=99999-01-01", 10000, "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-12-31&to=2021-01-01", 10000, "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&step=fortnight", 10000,
	    "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&cumulative=yes", 10000,
	    "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&kind=cash", 10000, "unknown_label"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&colour=red", 10000,
	    "unknown_parameter"),
    REFUSED("metric=deals_count&metric=deal_amount&from=2021-01-01&to=2021-12-31", 10000,
	    "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&center=a%00b", 10000, "bad_query"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&center=%FF", 10000, "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&center=%ED%A0%80", 10000,
	    "bad_parameter"),
    REFUSED("metric=deals_count&from=2021-01-01&to=2021-12-31&center=%C0%AF", 10000,
	    "bad_parameter"),
    REFUSED("metric=deals_count&from=1900-01-01&to=2200-12-31&step=day", 10000, "too_many_points"),
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct series_limits limits = {.max_points = cases[i].max_points};
		struct series_params p;
		struct http_error err = {0};
		bool ok = series_params_parse(cases[i].query, &limits, &p, &err);
		CHECK(ok == (cases[i].code == NULL), "case %zu (%s): ok=%d %s", i,
		      cases[i].query ? cases[i].query : "(none)", ok, err.message);
		if (!ok) {
			CHECK(err.status == 400 && cases[i].code &&
				  strcmp(err.code, cases[i].code) == 0,
			      "case %zu: %d %s, want %s", i, err.status, err.code, cases[i].code);
			CHECK(utf8_valid(err.message), "case %zu: message UTF-8", i);
			continue;
		}
		if (!cases[i].code) {
			CHECK(strcmp(p.metric->name, cases[i].metric) == 0, "case %zu metric", i);
			CHECK(strcmp(p.from, cases[i].from) == 0 && strcmp(p.to, cases[i].to) == 0,
			      "case %zu dates %s %s", i, p.from, p.to);
			CHECK(strcmp(p.step, cases[i].step) == 0, "case %zu step %s", i, p.step);
			CHECK(p.points == cases[i].points, "case %zu points %ld", i, p.points);
			CHECK(p.cumulative == cases[i].cumulative && p.empty == cases[i].empty,
			      "case %zu flags", i);
			CHECK(cases[i].center
				  ? p.labels[0] && strcmp(p.labels[0], cases[i].center) == 0
				  : p.labels[0] == NULL,
			      "case %zu center", i);
			CHECK(!cases[i].category ||
				  (p.labels[1] && strcmp(p.labels[1], cases[i].category) == 0),
			      "case %zu category %s", i, p.labels[1] ? p.labels[1] : "(none)");
		}
	}

	/* A 66-byte unknown metric ending in a 3-byte character: the echo is
	 * cut at 64 bytes, inside the character; the message must still be
	 * valid UTF-8. */
	char q[256] = "metric=";
	memset(q + 7, 'a', 63);
	strcpy(q + 70, "%E4%B8%AD&from=2021-01-01&to=2021-01-02");
	struct series_params p;
	struct http_error err;
	const struct series_limits limits = {.max_points = 10};
	CHECK(!series_params_parse(q, &limits, &p, &err) &&
		  strcmp(err.code, "unknown_metric") == 0 && utf8_valid(err.message),
	      "truncated echo: %s", err.message);

	static const struct {
		const char *text;
		bool valid;
	} utf8[] = {{"", true},
		    {"abc", true},
		    {"中文", true},
		    {"\xF0\x9F\x98\x80", true},
		    {"\xC0\xAF", false},
		    {"\xED\xA0\x80", false},
		    {"\xF4\x90\x80\x80", false},
		    {"\xE4\xB8", false},
		    {"\xFF", false},
		    {"a\x80", false}};
	for (size_t i = 0; i < sizeof(utf8) / sizeof(utf8[0]); i++) {
		CHECK(utf8_valid(utf8[i].text) == utf8[i].valid, "utf8 case %zu", i);
		char buf[16];
		snprintf(buf, sizeof(buf), "%s", utf8[i].text);
		utf8_scrub(buf);
		CHECK(utf8_valid(buf) && strlen(buf) == strlen(utf8[i].text), "scrub case %zu", i);
	}

	/* query_parse on its own: the report's names. */
	static const char *const allowed[] = {"year", "center", "format", NULL};
	struct evkeyvalq kv;
	CHECK(query_parse("year=2021&format=csv", allowed, &kv, &err), "report query");
	CHECK(strcmp(evhttp_find_header(&kv, "format"), "csv") == 0, "format value");
	evhttp_clear_headers(&kv);
	CHECK(!query_parse("year=2021&year=2022", allowed, &kv, &err) &&
		  strcmp(err.code, "bad_parameter") == 0,
	      "repeated name");
	CHECK(!query_parse("month=1", allowed, &kv, &err) &&
		  strcmp(err.code, "unknown_parameter") == 0,
	      "unknown name");
	return UNIT_DONE();
}
