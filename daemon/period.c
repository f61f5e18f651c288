#include "period.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "days.h"

long period_year_before(long day)
{
	int y, m, d;
	days_to_civil(day, &y, &m, &d);
	if (d > days_in_month(y - 1, m))
		d = days_in_month(y - 1, m);
	return days_from_civil(y - 1, m, d);
}

static bool month_day(int year, int md, long *day)
{
	int m = md / 100, d = md % 100;
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	if (d > days_in_month(year, m))
		d = days_in_month(year, m); /* 02-29 of a common year: its 28th */
	*day = days_from_civil(year, m, d);
	return true;
}

bool period_of_year(int year, int from_md, int to_md, long today, struct period *p)
{
	if (!month_day(year, from_md ? from_md : 101, &p->from) ||
	    !month_day(year, to_md ? to_md : 1231, &p->to) || p->from > p->to || p->from > today)
		return false;
	p->closed = p->to < today;
	if (p->to > today)
		p->to = today;
	p->prev_from = period_year_before(p->from);
	p->prev_to = period_year_before(p->to);
	days_format(p->from, p->from_text);
	days_format(p->to, p->to_text);
	days_format(p->prev_from, p->prev_from_text);
	days_format(p->prev_to, p->prev_to_text);
	return true;
}

/* ---- named periods ---- */

static int months_of(enum period_kind kind)
{
	switch (kind) {
	case PERIOD_MONTH: return 1;
	case PERIOD_QUARTER: return 3;
	case PERIOD_HALF: return 6;
	case PERIOD_YEAR: return 12;
	}
	return 12;
}

static bool digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

bool period_id_parse(const char *t, struct period_id *out)
{
	size_t n = strlen(t);
	if (n < 4 || !digits(t, 4))
		return false;
	int year = atoi((char[5]){t[0], t[1], t[2], t[3], '\0'});
	if (year <= DAYS_MIN_YEAR || year >= DAYS_MAX_YEAR)
		return false;
	struct period_id id = {.kind = PERIOD_YEAR, .year = year};
	if (n == 4) {
		*out = id;
		return true;
	}
	if (n != 7 || t[4] != '-')
		return false;
	if (digits(t + 5, 2)) {
		id.kind = PERIOD_MONTH;
		id.index = (t[5] - '0') * 10 + (t[6] - '0');
		if (id.index < 1 || id.index > 12)
			return false;
	} else if (t[5] == 'Q' && t[6] >= '1' && t[6] <= '4') {
		id.kind = PERIOD_QUARTER;
		id.index = t[6] - '0';
	} else if (t[5] == 'H' && (t[6] == '1' || t[6] == '2')) {
		id.kind = PERIOD_HALF;
		id.index = t[6] - '0';
	} else {
		return false;
	}
	*out = id;
	return true;
}

void period_id_format(struct period_id id, char *buf)
{
	int y = id.year < 0 ? 0 : id.year > 9999 ? 9999 : id.year;
	switch (id.kind) {
	case PERIOD_MONTH: snprintf(buf, PERIOD_ID_TEXT, "%04d-%02d", y, id.index % 100); break;
	case PERIOD_QUARTER: snprintf(buf, PERIOD_ID_TEXT, "%04d-Q%d", y, id.index % 10); break;
	case PERIOD_HALF: snprintf(buf, PERIOD_ID_TEXT, "%04d-H%d", y, id.index % 10); break;
	case PERIOD_YEAR: snprintf(buf, PERIOD_ID_TEXT, "%04d", y); break;
	}
}

/* The first month (1..12) of ID. */
static int first_month(struct period_id id)
{
	return id.kind == PERIOD_YEAR ? 1 : (id.index - 1) * months_of(id.kind) + 1;
}

void period_id_days(struct period_id id, long *from, long *to)
{
	int m = first_month(id), last = m + months_of(id.kind) - 1;
	*from = days_from_civil(id.year, m, 1);
	*to = days_from_civil(id.year, last, days_in_month(id.year, last));
}

struct period_id period_id_of_day(enum period_kind kind, long day)
{
	int y, m, d;
	days_to_civil(day, &y, &m, &d);
	struct period_id id = {.kind = kind, .year = y};
	if (kind != PERIOD_YEAR)
		id.index = (m - 1) / months_of(kind) + 1;
	return id;
}

struct period_id period_id_prev(struct period_id id)
{
	if (id.kind == PERIOD_YEAR || id.index == 1) {
		id.year--;
		if (id.kind != PERIOD_YEAR)
			id.index = 12 / months_of(id.kind);
	} else {
		id.index--;
	}
	return id;
}

struct period_id period_id_next(struct period_id id)
{
	if (id.kind == PERIOD_YEAR || id.index == 12 / months_of(id.kind)) {
		id.year++;
		if (id.kind != PERIOD_YEAR)
			id.index = 1;
	} else {
		id.index++;
	}
	return id;
}

int period_id_cmp(struct period_id a, struct period_id b)
{
	long af, at, bf, bt;
	period_id_days(a, &af, &at);
	period_id_days(b, &bf, &bt);
	return af < bf ? -1 : af > bf ? 1 : 0;
}

void period_id_title(struct period_id id, char *buf, size_t len)
{
	static const char *const quarters[] = {"一", "二", "三", "四"};
	switch (id.kind) {
	case PERIOD_MONTH: snprintf(buf, len, "%d年%d月", id.year, id.index); break;
	case PERIOD_QUARTER:
		snprintf(buf, len, "%d年第%s季度", id.year, quarters[(id.index - 1) & 3]);
		break;
	case PERIOD_HALF:
		snprintf(buf, len, "%d年%s半年", id.year, id.index == 1 ? "上" : "下");
		break;
	case PERIOD_YEAR: snprintf(buf, len, "%d年", id.year); break;
	}
}

const char *period_kind_report_zh(enum period_kind kind)
{
	switch (kind) {
	case PERIOD_MONTH: return "月报";
	case PERIOD_QUARTER: return "季报";
	case PERIOD_HALF: return "半年报";
	case PERIOD_YEAR: return "年报";
	}
	return "";
}

bool period_stat_of(struct period_id id, long today, struct stat_period *p)
{
	long from, to;
	period_id_days(id, &from, &to);
	if (from > today)
		return false;
	memset(p, 0, sizeof(*p));
	p->id = id;
	period_id_format(id, p->id_text);
	p->closed = to < today;
	days_format(to, p->end);
	if (to > today)
		to = today;
	days_format(from, p->from);
	days_format(to, p->to);
	long jan1 = days_from_civil(id.year, 1, 1);
	days_format(jan1, p->ytd_from);
	days_format(to, p->ytd_to);
	days_format(period_year_before(jan1), p->prev_ytd_from);
	days_format(period_year_before(to), p->prev_ytd_to);
	days_format(period_year_before(from), p->prev_from);
	days_format(period_year_before(to), p->prev_to);
	return true;
}
