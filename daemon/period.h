/* period — the calendar periods figures are asked for (days in the
 * centre's zone, inclusive), and the same days one year earlier that 同比
 * compares them with. Pure: no clock here, TODAY is given.
 *
 * A period not over yet runs to TODAY (the report of the current year is
 * January 1 to today); the year before is the same month-days one year
 * earlier, 29 February becoming the 28th. */
#ifndef GGZY_PERIOD_H
#define GGZY_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

struct period {
	long from, to;		 /* day numbers (days.h), inclusive */
	long prev_from, prev_to; /* the same days a year earlier */
	bool closed;		 /* the whole period is before TODAY */
	char from_text[11], to_text[11], prev_from_text[11], prev_to_text[11];
};

/* The part of YEAR from month-day FROM_MD to TO_MD (MMDD as integers, 101
 * to 1231; 0: the year's start or end), cut at TODAY when it has not ended.
 * False when nothing of it has begun by TODAY or the bounds are not days. */
bool period_of_year(int year, int from_md, int to_md, long today, struct period *p)
    __attribute__((warn_unused_result));
/* The day one year before DAY (29 February -> 28 February). */
long period_year_before(long day);

/* ---- named periods of the statistics tables (SPEC §10) ----
 * A month "2021-09", a quarter "2021-Q3", a half "2021-H1" or a year
 * "2021". */
enum period_kind { PERIOD_MONTH, PERIOD_QUARTER, PERIOD_HALF, PERIOD_YEAR };

struct period_id {
	enum period_kind kind;
	int year;
	int index; /* month 1..12, quarter 1..4, half 1..2; 0 for a year */
};

/* Parses exactly one of the four forms, for years after DAYS_MIN_YEAR and
 * before DAYS_MAX_YEAR (so that the year before and after are days too). */
bool period_id_parse(const char *text, struct period_id *out) __attribute__((warn_unused_result));
/* The canonical text ("2021-09", "2021-Q3", "2021-H1", "2021"); buf of
 * PERIOD_ID_TEXT bytes at least. */
#define PERIOD_ID_TEXT 16
void period_id_format(struct period_id id, char *buf);
/* The first and last day of ID (day numbers, inclusive). */
void period_id_days(struct period_id id, long *from, long *to);
/* The period of KIND holding DAY, and the periods before and after ID. */
struct period_id period_id_of_day(enum period_kind kind, long day);
struct period_id period_id_prev(struct period_id id);
struct period_id period_id_next(struct period_id id);
/* -1, 0, 1 by first day (periods of one kind never overlap). */
int period_id_cmp(struct period_id a, struct period_id b);
/* "2021年9月", "2021年第三季度", "2021年上半年", "2021年". */
void period_id_title(struct period_id id, char *buf, size_t len);
/* 月报, 季报, 半年报, 年报. */
const char *period_kind_report_zh(enum period_kind kind);

/* A statistics table's days: the period cut at TODAY when not over, the
 * year to its (cut) end, and that year-to-date a year earlier. */
struct stat_period {
	struct period_id id;
	char id_text[PERIOD_ID_TEXT];
	bool closed;			/* the whole period is before TODAY */
	char from[11], to[11], end[11]; /* to: cut at today; end: the period's last day */
	char ytd_from[11], ytd_to[11];
	char prev_ytd_from[11], prev_ytd_to[11];
	char prev_from[11], prev_to[11]; /* the period's own days a year earlier */
};

/* False when ID has not begun by TODAY. */
bool period_stat_of(struct period_id id, long today, struct stat_period *p)
    __attribute__((warn_unused_result));

#endif
