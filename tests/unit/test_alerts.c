/* alerts: evaluations through a mock store (store_mock.c) that keeps the
 * alert rows as ggzy.alert would: a target whose sources have not loaded is
 * not judged (no false alerts from an empty store); behind pace twice in a
 * row fires and on pace again resolves; a closed year's missed target fires
 * once, and a correction that meets it resolves it (the receiver must hear
 * so), a later one that misses again fires again. test_alerts.py runs the
 * same against a real store, sources and webhook receiver. */
#define _GNU_SOURCE /* timegm */
#include <event2/buffer.h>
#include <event2/event.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts.h"
#include "config.h"
#include "sql_files.h"
#include "store_mock.h"
#include "targets.h"
#include "unit.h"
#include "wallclock.h"

/* The figures the mock answers: deal amount this year to date, last year
 * to the same day, last year whole. */
static const char *deal_now = "3000000000.00", *deal_prev = "4000000000.00";
static const char *deal_2021 = "50497000000.00";

/* ggzy.alert, as saved. */
struct row {
	int year;
	char center[16], indicator[64], alertname[32], state[16];
	time_t since, starts, ends;
	bool missed, notify;
	long seq;
};
static struct row rows[16];
static int nrows;
static json_t *last_saved; /* the rows of the last save */

static time_t iso(const char *s)
{
	struct tm tm = {0};
	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return 0;
	return timegm(&tm);
}

static struct row *find(int year, const char *indicator, const char *alertname)
{
	for (int i = 0; i < nrows; i++)
		if (rows[i].year == year && strcmp(rows[i].indicator, indicator) == 0 &&
		    strcmp(rows[i].alertname, alertname) == 0)
			return &rows[i];
	return NULL;
}

static void save(const char *text)
{
	json_decref(last_saved);
	last_saved = json_loads(text, 0, NULL);
	size_t i;
	json_t *r;
	json_array_foreach(last_saved, i, r)
	{
		int year = (int)json_integer_value(json_object_get(r, "year"));
		const char *ind = json_string_value(json_object_get(r, "indicator"));
		const char *name = json_string_value(json_object_get(r, "alertname"));
		struct row *row = find(year, ind, name);
		if (!row) {
			row = &rows[nrows++];
			memset(row, 0, sizeof(*row));
			row->year = year;
			snprintf(row->indicator, sizeof(row->indicator), "%s", ind);
			snprintf(row->alertname, sizeof(row->alertname), "%s", name);
			snprintf(row->center, sizeof(row->center), "%s",
				 json_string_value(json_object_get(r, "center")));
		}
		snprintf(row->state, sizeof(row->state), "%s",
			 json_string_value(json_object_get(r, "state")));
		row->since = iso(json_string_value(json_object_get(r, "since")));
		row->starts = iso(json_string_value(json_object_get(r, "starts_at")));
		row->ends = iso(json_string_value(json_object_get(r, "ends_at")));
		json_t *missed = json_object_get(json_object_get(r, "figures"), "missed");
		row->missed = missed ? json_is_true(missed) : row->missed;
		row->notify = json_is_true(json_object_get(r, "notify"));
		row->seq += row->notify;
	}
}

static PGresult *handler(const char *sql, int nparams, const char *const *params, bool writer,
			 void *arg)
{
	(void)writer, (void)arg;
	if (strcmp(sql, sql_text("queries/alerts_state.sql")) == 0) {
		PGresult *res = mock_result(9);
		for (int i = 0; i < nrows; i++) {
			char y[8], since[24], starts[24], ends[24];
			snprintf(y, sizeof(y), "%d", rows[i].year);
			snprintf(since, sizeof(since), "%lld", (long long)rows[i].since);
			snprintf(starts, sizeof(starts), "%lld", (long long)rows[i].starts);
			snprintf(ends, sizeof(ends), "%lld", (long long)rows[i].ends);
			mock_row(res, (const char *[]){
					  y, rows[i].center, rows[i].indicator, rows[i].alertname,
					  rows[i].state, since, rows[i].starts ? starts : NULL,
					  rows[i].ends ? ends : NULL, rows[i].missed ? "t" : "f"});
		}
		return res;
	}
	if (strcmp(sql, sql_text("queries/alerts_save.sql")) == 0) {
		save(params[0]);
		PGresult *res = mock_result(1);
		mock_row(res, (const char *[]){"1"});
		return res;
	}
	if (strcmp(sql, sql_text("queries/indicators.sql")) == 0 && nparams == 13) {
		/* One indicator (deal_amount) per entry; its periods (arrays of
		 * one) say which. */
		PGresult *res = mock_result(5);
		bool closed = strcmp(params[8], "{\"2021-01-01\"}") == 0 &&
			      strcmp(params[9], "{\"2021-12-31\"}") == 0;
		mock_row(res, (const char *[]){"1", closed ? deal_2021 : deal_now, "0",
					       closed ? deal_2021 : deal_prev, "0"});
		return res;
	}
	fprintf(stderr, "test_alerts: unexpected statement:\n%s\n", sql);
	return NULL;
}

static bool loaded;
static bool metric_ready(const struct metric_def *m, void *arg)
{
	(void)arg;
	return loaded && strcmp(m->source, "trading") == 0;
}

static bool finished, finished_ok;
static void on_done(bool ok, void *arg)
{
	(void)arg;
	finished = true;
	finished_ok = ok;
}

static void evaluate(struct event_base *base, struct alerts *a)
{
	finished = false;
	alerts_run_once(a, on_done, NULL);
	event_base_dispatch(base);
	CHECK(finished && finished_ok, "the evaluation finished");
}

static const char targets_json[] =
    "{\"years\": [\n"
    " {\"year\": 2022, \"indicators\": [{\"metric\": \"deal_amount\", \"name\": \"成交额\",\n"
    "   \"target\": \"10000000000.00\", \"weight\": 20}]},\n"
    " {\"year\": 2021, \"indicators\": [{\"metric\": \"deal_amount\", \"name\": \"成交额\",\n"
    "   \"target\": \"60000000000.00\", \"weight\": 20}]}]}\n";

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
	struct config cfg = {.listen = (char[]){"127.0.0.1:9470"}};
	/* 2022-06-30 12:00 +08: day 181 of 365. */
	struct wallclock clock = {.fixed = true, .at = 1656561600};
	struct alerts *a = alerts_new(base, st, &clock, &cfg, t, metric_ready, NULL);

	/* Before the trading source's first load nothing is judged. */
	evaluate(base, a);
	CHECK(json_array_size(last_saved) == 0, "no rows before the first load (%zu)",
	      json_array_size(last_saved));
	CHECK(nrows == 0, "no alert exists");

	/* Loaded: 30亿 by June 30 against 100亿 × 181/365 ≈ 49.6亿, behind. */
	loaded = true;
	evaluate(base, a);
	struct row *pace = find(2022, "成交额", "GgzyTargetBehindPace");
	CHECK(pace && strcmp(pace->state, "pending") == 0, "behind once: pending (%s)",
	      pace ? pace->state : "none");
	struct row *missed = find(2021, "成交额", "GgzyTargetMissed");
	CHECK(missed && strcmp(missed->state, "firing") == 0 && missed->notify,
	      "2021's 504.97亿 missed 600亿: firing, told");
	CHECK(missed && missed->ends == missed->starts + 24 * 3600, "told once: ends a day later");
	evaluate(base, a);
	CHECK(pace && strcmp(pace->state, "firing") == 0 && pace->notify,
	      "behind twice: firing, told (%s)", pace ? pace->state : "none");
	CHECK(missed && strcmp(missed->state, "firing") == 0 && !missed->notify,
	      "still missed: no second notification");

	/* Corrections: this year back on pace, last year's figure now over
	 * its target. */
	deal_now = "6000000000.00";
	deal_2021 = "61000000000.00";
	mock_store_set_version(st, 2);
	clock.at += 3600;
	evaluate(base, a);
	CHECK(pace && strcmp(pace->state, "resolved") == 0 && pace->notify,
	      "on pace again: resolved, told");
	CHECK(missed && strcmp(missed->state, "resolved") == 0 && missed->notify &&
		  !missed->missed && missed->ends == clock.at,
	      "a correction that meets the target resolves it, told");
	evaluate(base, a);
	CHECK(missed && strcmp(missed->state, "resolved") == 0 && !missed->notify,
	      "met: nothing more to tell");

	/* Missed again: fired again. */
	deal_2021 = "50000000000.00";
	mock_store_set_version(st, 3);
	clock.at += 3600;
	evaluate(base, a);
	CHECK(missed && strcmp(missed->state, "firing") == 0 && missed->notify &&
		  missed->starts == clock.at,
	      "missed again: firing again, told");
	/* A day later it has been told: resolved as told, still missed. */
	clock.at += 25 * 3600;
	mock_store_set_version(st, 4);
	evaluate(base, a);
	CHECK(missed && strcmp(missed->state, "resolved") == 0 && !missed->notify && missed->missed,
	      "after its lifetime: resolved, not told again, still missed");

	/* /metrics' series of the last evaluation. */
	struct evbuffer *out = evbuffer_new();
	alerts_write_metrics(a, out);
	evbuffer_add(out, "", 1);
	const char *text = (const char *)evbuffer_pullup(out, -1);
	CHECK(strstr(text, "ggzy_target_value{year=\"2022\",center=\"all\",indicator=\"成交额\","
			   "metric=\"deal_amount\"} 10000000000.00\n") != NULL,
	      "target value series:\n%s", text);
	CHECK(strstr(text, "ggzy_alerts_firing 0\n") != NULL, "nothing fires now");
	evbuffer_free(out);

	alerts_free(a);
	json_decref(last_saved);
	targets_free(t);
	mock_store_free(st);
	event_base_free(base);
	return UNIT_DONE();
}
