/* Named periods (SPEC §10: 2021-09, 2021-Q3, 2021-H1, 2021) and feed
 * schedules: parsing, days, neighbours, the statistics table's days, and
 * which period each run sends. */
#include <stdlib.h>
#include <string.h>

#include "days.h"
#include "period.h"
#include "schedule.h"
#include "unit.h"

static long day(const char *text)
{
	long d = 0;
	if (!days_parse(text, &d))
		CHECK(0, "bad test date %s", text);
	return d;
}

static const char *fmt_day(long d)
{
	static char buf[4][11];
	static int k;
	k = (k + 1) % 4;
	days_format(d, buf[k]);
	return buf[k];
}

static void test_parse(void)
{
	static const struct {
		const char *text;
		bool ok;
		const char *from, *to, *canon;
	} cases[] = {
	    {"2021-09", true, "2021-09-01", "2021-09-30", "2021-09"},
	    {"2024-02", true, "2024-02-01", "2024-02-29", "2024-02"},
	    {"2023-02", true, "2023-02-01", "2023-02-28", "2023-02"},
	    {"2021-12", true, "2021-12-01", "2021-12-31", "2021-12"},
	    {"2021-Q1", true, "2021-01-01", "2021-03-31", "2021-Q1"},
	    {"2021-Q3", true, "2021-07-01", "2021-09-30", "2021-Q3"},
	    {"2021-Q4", true, "2021-10-01", "2021-12-31", "2021-Q4"},
	    {"2021-H1", true, "2021-01-01", "2021-06-30", "2021-H1"},
	    {"2021-H2", true, "2021-07-01", "2021-12-31", "2021-H2"},
	    {"2021", true, "2021-01-01", "2021-12-31", "2021"},
	    {"2021-00", false, NULL, NULL, NULL},
	    {"2021-13", false, NULL, NULL, NULL},
	    {"2021-9", false, NULL, NULL, NULL},
	    {"2021-Q0", false, NULL, NULL, NULL},
	    {"2021-Q5", false, NULL, NULL, NULL},
	    {"2021-q3", false, NULL, NULL, NULL},
	    {"2021-H3", false, NULL, NULL, NULL},
	    {"2021-H", false, NULL, NULL, NULL},
	    {"1900", false, NULL, NULL, NULL},
	    {"2200", false, NULL, NULL, NULL},
	    {"1901", true, "1901-01-01", "1901-12-31", "1901"},
	    {"21-09", false, NULL, NULL, NULL},
	    {"2021-09-01", false, NULL, NULL, NULL},
	    {"2021 ", false, NULL, NULL, NULL},
	    {"２０２１", false, NULL, NULL, NULL},
	    {"", false, NULL, NULL, NULL},
	    {"' OR 1=1", false, NULL, NULL, NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct period_id id;
		bool ok = period_id_parse(cases[i].text, &id);
		CHECK(ok == cases[i].ok, "parse '%s': %d", cases[i].text, ok);
		if (!ok || !cases[i].ok)
			continue;
		long from, to;
		period_id_days(id, &from, &to);
		CHECK(strcmp(fmt_day(from), cases[i].from) == 0 &&
			  strcmp(fmt_day(to), cases[i].to) == 0,
		      "%s: %s..%s", cases[i].text, fmt_day(from), fmt_day(to));
		char canon[PERIOD_ID_TEXT];
		period_id_format(id, canon);
		CHECK(strcmp(canon, cases[i].canon) == 0, "%s formats as %s", cases[i].text, canon);
	}
}

static void test_neighbours(void)
{
	static const struct {
		const char *id, *prev, *next;
	} cases[] = {
	    {"2021-01", "2020-12", "2021-02"}, {"2021-12", "2021-11", "2022-01"},
	    {"2021-Q1", "2020-Q4", "2021-Q2"}, {"2021-Q4", "2021-Q3", "2022-Q1"},
	    {"2021-H1", "2020-H2", "2021-H2"}, {"2021-H2", "2021-H1", "2022-H1"},
	    {"2021", "2020", "2022"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct period_id id;
		char prev[PERIOD_ID_TEXT], next[PERIOD_ID_TEXT];
		if (!period_id_parse(cases[i].id, &id)) {
			CHECK(0, "parse %s", cases[i].id);
			continue;
		}
		period_id_format(period_id_prev(id), prev);
		period_id_format(period_id_next(id), next);
		CHECK(strcmp(prev, cases[i].prev) == 0, "before %s: %s", cases[i].id, prev);
		CHECK(strcmp(next, cases[i].next) == 0, "after %s: %s", cases[i].id, next);
		CHECK(period_id_cmp(period_id_prev(id), id) < 0 && period_id_cmp(id, id) == 0,
		      "order of %s", cases[i].id);
	}
	/* Every day of 2020..2024 lies in the period of_day gives, of each kind. */
	for (long d = day("2020-01-01"); d <= day("2024-12-31"); d++)
		for (int k = PERIOD_MONTH; k <= PERIOD_YEAR; k++) {
			long from, to;
			period_id_days(period_id_of_day((enum period_kind)k, d), &from, &to);
			if (d < from || d > to) {
				CHECK(0, "%s outside its period of kind %d", fmt_day(d), k);
				return;
			}
		}
	char title[64];
	struct period_id q = {PERIOD_QUARTER, 2021, 3}, h = {PERIOD_HALF, 2021, 1};
	period_id_title(q, title, sizeof(title));
	CHECK(strcmp(title, "2021年第三季度") == 0, "%s", title);
	period_id_title(h, title, sizeof(title));
	CHECK(strcmp(title, "2021年上半年") == 0, "%s", title);
	period_id_title((struct period_id){PERIOD_MONTH, 2021, 9}, title, sizeof(title));
	CHECK(strcmp(title, "2021年9月") == 0, "%s", title);
}

static void test_stat_days(void)
{
	static const struct {
		const char *id, *today;
		bool begun, closed;
		const char *from, *to, *ytd_from, *prev_ytd_from, *prev_ytd_to, *prev_from;
	} cases[] = {
	    {"2021-09", "2022-06-15", true, true, "2021-09-01", "2021-09-30", "2021-01-01",
	     "2020-01-01", "2020-09-30", "2020-09-01"},
	    {"2021-09", "2021-09-15", true, false, "2021-09-01", "2021-09-15", "2021-01-01",
	     "2020-01-01", "2020-09-15", "2020-09-01"},
	    /* the period's last day is today: not over yet */
	    {"2021-09", "2021-09-30", true, false, "2021-09-01", "2021-09-30", "2021-01-01",
	     "2020-01-01", "2020-09-30", "2020-09-01"},
	    {"2021-09", "2021-08-31", false, false, NULL, NULL, NULL, NULL, NULL, NULL},
	    /* a leap February and its year before */
	    {"2024-02", "2024-06-01", true, true, "2024-02-01", "2024-02-29", "2024-01-01",
	     "2023-01-01", "2023-02-28", "2023-02-01"},
	    {"2024-02", "2024-02-29", true, false, "2024-02-01", "2024-02-29", "2024-01-01",
	     "2023-01-01", "2023-02-28", "2023-02-01"},
	    {"2021-Q4", "2022-01-05", true, true, "2021-10-01", "2021-12-31", "2021-01-01",
	     "2020-01-01", "2020-12-31", "2020-10-01"},
	    {"2022-H1", "2022-03-10", true, false, "2022-01-01", "2022-03-10", "2022-01-01",
	     "2021-01-01", "2021-03-10", "2021-01-01"},
	    {"2021", "2022-01-01", true, true, "2021-01-01", "2021-12-31", "2021-01-01",
	     "2020-01-01", "2020-12-31", "2020-01-01"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct period_id id;
		struct stat_period p;
		if (!period_id_parse(cases[i].id, &id)) {
			CHECK(0, "parse %s", cases[i].id);
			continue;
		}
		bool begun = period_stat_of(id, day(cases[i].today), &p);
		CHECK(begun == cases[i].begun, "%s on %s begun: %d", cases[i].id, cases[i].today,
		      begun);
		if (!begun || !cases[i].begun)
			continue;
		CHECK(p.closed == cases[i].closed, "%s on %s closed: %d", cases[i].id,
		      cases[i].today, p.closed);
		CHECK(strcmp(p.from, cases[i].from) == 0 && strcmp(p.to, cases[i].to) == 0,
		      "%s on %s: %s..%s", cases[i].id, cases[i].today, p.from, p.to);
		CHECK(strcmp(p.ytd_from, cases[i].ytd_from) == 0 && strcmp(p.ytd_to, p.to) == 0,
		      "%s ytd %s..%s", cases[i].id, p.ytd_from, p.ytd_to);
		CHECK(strcmp(p.prev_ytd_from, cases[i].prev_ytd_from) == 0 &&
			  strcmp(p.prev_ytd_to, cases[i].prev_ytd_to) == 0,
		      "%s on %s: previous ytd %s..%s", cases[i].id, cases[i].today, p.prev_ytd_from,
		      p.prev_ytd_to);
		CHECK(strcmp(p.prev_from, cases[i].prev_from) == 0, "%s previous from %s",
		      cases[i].id, p.prev_from);
	}
}

static void test_schedules(void)
{
	static const struct {
		const char *text;
		const char *err; /* NULL: valid */
	} parse[] = {
	    {"monthly 5 09:00", NULL},
	    {"monthly 31 23:59", NULL},
	    {"quarterly 10 08:30", NULL},
	    {"halfyearly 1 00:00", NULL},
	    {"yearly 01-15 09:00", NULL},
	    {"yearly 02-29 09:00", NULL},
	    {"monthly 0 09:00", "the day '0' must be 1 to 31"},
	    {"monthly 32 09:00", "the day '32'"},
	    {"monthly 5 9:00", "the time '9:00' must be HH:MM"},
	    {"monthly 5 24:00", "the time '24:00'"},
	    {"monthly 5 09:60", "the time"},
	    {"weekly 5 09:00", "must be 'monthly D HH:MM'"},
	    {"monthly 5", "must be 'monthly D HH:MM'"},
	    {"monthly 5 09:00 extra", "must be 'monthly D HH:MM'"},
	    {"yearly 13-01 09:00", "'13-01' is not a month and day"},
	    {"yearly 02-30 09:00", "'02-30' is not a month and day"},
	    {"yearly 1-15 09:00", "must be"},
	    {"", "must be"},
	};
	for (size_t i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		struct schedule s;
		char err[160] = "";
		bool ok = schedule_parse(parse[i].text, &s, err, sizeof(err));
		CHECK(ok == (parse[i].err == NULL), "schedule '%s': %d (%s)", parse[i].text, ok,
		      err);
		if (!ok && parse[i].err)
			CHECK(strstr(err, parse[i].err) != NULL, "'%s': '%s' lacks '%s'",
			      parse[i].text, err, parse[i].err);
	}

	/* Which period the latest run sent, at a local day and time. */
	static const struct {
		const char *schedule, *day, *time, *latest, *run_of_next;
	} due[] = {
	    {"monthly 5 09:00", "2021-10-05", "09:00", "2021-09", "2021-11-05"},
	    {"monthly 5 09:00", "2021-10-05", "08:59", "2021-08", "2021-10-05"},
	    {"monthly 5 09:00", "2021-10-04", "23:59", "2021-08", "2021-10-05"},
	    {"monthly 5 09:00", "2022-01-05", "10:00", "2021-12", "2022-02-05"},
	    {"monthly 5 09:00", "2022-01-01", "00:00", "2021-11", "2022-01-05"},
	    {"monthly 31 12:00", "2021-03-31", "12:00", "2021-02", "2021-04-30"},
	    {"monthly 31 12:00", "2024-02-29", "12:00", "2024-01", "2024-03-31"},
	    {"monthly 30 12:00", "2024-02-29", "11:00", "2023-12", "2024-02-29"},
	    {"monthly 1 00:00", "2021-10-01", "00:00", "2021-09", "2021-11-01"},
	    {"quarterly 10 08:30", "2021-10-10", "08:30", "2021-Q3", "2022-01-10"},
	    {"quarterly 10 08:30", "2021-10-09", "12:00", "2021-Q2", "2021-10-10"},
	    {"quarterly 10 08:30", "2022-01-10", "09:00", "2021-Q4", "2022-04-10"},
	    {"quarterly 10 08:30", "2021-12-31", "23:59", "2021-Q3", "2022-01-10"},
	    {"halfyearly 15 09:00", "2021-07-15", "09:00", "2021-H1", "2022-01-15"},
	    {"halfyearly 15 09:00", "2021-07-14", "09:00", "2020-H2", "2021-07-15"},
	    {"halfyearly 15 09:00", "2022-01-20", "09:00", "2021-H2", "2022-07-15"},
	    {"yearly 01-15 09:00", "2022-01-15", "09:00", "2021", "2023-01-15"},
	    {"yearly 01-15 09:00", "2022-01-14", "09:00", "2020", "2022-01-15"},
	    {"yearly 02-29 09:00", "2023-02-28", "09:00", "2022", "2024-02-29"},
	    {"yearly 02-29 09:00", "2024-02-28", "09:00", "2022", "2024-02-29"},
	    {"yearly 12-31 23:59", "2022-12-31", "23:58", "2020", "2022-12-31"},
	};
	for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++) {
		struct schedule s;
		char err[160];
		if (!schedule_parse(due[i].schedule, &s, err, sizeof(err))) {
			CHECK(0, "parse %s: %s", due[i].schedule, err);
			continue;
		}
		int h = atoi(due[i].time), m = atoi(due[i].time + 3);
		struct period_id p = schedule_latest_due(&s, day(due[i].day), h * 60 + m);
		char text[PERIOD_ID_TEXT];
		period_id_format(p, text);
		CHECK(strcmp(text, due[i].latest) == 0, "%s at %s %s: latest %s, want %s",
		      due[i].schedule, due[i].day, due[i].time, text, due[i].latest);
		long run;
		int minute;
		schedule_run_of(&s, period_id_next(p), &run, &minute);
		CHECK(strcmp(fmt_day(run), due[i].run_of_next) == 0 && minute == s.minute,
		      "%s at %s: next run %s, want %s", due[i].schedule, due[i].day, fmt_day(run),
		      due[i].run_of_next);
		/* The latest run is at or before now, and the next after it. */
		long now = day(due[i].day);
		schedule_run_of(&s, p, &run, &minute);
		CHECK(run < now || (run == now && minute <= h * 60 + m), "%s: run of %s is past",
		      due[i].schedule, text);
	}
	/* Over five years, minute by minute at the run times and a minute
	 * before: each period of each schedule becomes due once, in order. */
	static const char *const all[] = {"monthly 5 09:00", "monthly 31 00:00",
					  "quarterly 1 00:00", "halfyearly 20 18:00",
					  "yearly 02-29 09:00"};
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		struct schedule s;
		char err[160];
		if (!schedule_parse(all[i], &s, err, sizeof(err)))
			continue;
		struct period_id last = schedule_latest_due(&s, day("2020-01-01"), 0);
		for (long d = day("2020-01-01"); d <= day("2025-12-31"); d++) {
			struct period_id now = schedule_latest_due(&s, d, 1439);
			if (period_id_cmp(now, last) != 0) {
				CHECK(period_id_cmp(now, period_id_next(last)) == 0,
				      "%s: %s skips a period", all[i], fmt_day(d));
				long run;
				int minute;
				schedule_run_of(&s, now, &run, &minute);
				CHECK(run == d, "%s: became due on %s, its run is %s", all[i],
				      fmt_day(d), fmt_day(run));
				last = now;
			}
		}
	}
}

int main(void)
{
	test_parse();
	test_neighbours();
	test_stat_days();
	test_schedules();
	return UNIT_DONE();
}
