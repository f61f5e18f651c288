#include "schedule.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "days.h"

static bool fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

/* Exactly N digits at *p, as a number; moves *p past them. */
static int number(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++, (*p)++) {
		if (**p < '0' || **p > '9')
			return -1;
		v = v * 10 + (**p - '0');
	}
	return v;
}

static bool parse_time(const char *t, int *minute)
{
	const char *p = t;
	int h = number(&p, 2);
	if (h < 0 || *p++ != ':')
		return false;
	int m = number(&p, 2);
	if (m < 0 || *p || h > 23 || m > 59)
		return false;
	*minute = h * 60 + m;
	return true;
}

bool schedule_parse(const char *text, struct schedule *out, char *err, size_t errlen)
{
	static const char usage[] = "must be 'monthly D HH:MM', 'quarterly D HH:MM', "
				    "'halfyearly D HH:MM' or 'yearly MM-DD HH:MM'";
	char every[16], when[16], at[16], extra[2];
	if (sscanf(text, "%15s %15s %15s %1s", every, when, at, extra) != 3)
		return fail(err, errlen, "%s", usage);
	struct schedule s = {0};
	if (strcmp(every, "monthly") == 0)
		s.sends = PERIOD_MONTH;
	else if (strcmp(every, "quarterly") == 0)
		s.sends = PERIOD_QUARTER;
	else if (strcmp(every, "halfyearly") == 0)
		s.sends = PERIOD_HALF;
	else if (strcmp(every, "yearly") == 0)
		s.sends = PERIOD_YEAR;
	else
		return fail(err, errlen, "%s", usage);
	const char *p = when;
	if (s.sends == PERIOD_YEAR) {
		s.month = number(&p, 2);
		if (s.month < 0 || *p++ != '-')
			return fail(err, errlen, "%s", usage);
		s.day = number(&p, 2);
		if (s.day < 0 || *p)
			return fail(err, errlen, "%s", usage);
		if (s.month < 1 || s.month > 12 || s.day < 1 ||
		    s.day > days_in_month(2000, s.month))
			return fail(err, errlen, "'%s' is not a month and day (MM-DD)", when);
	} else {
		size_t n = strlen(when);
		s.day = n >= 1 && n <= 2 ? number(&p, (int)n) : -1;
		if (s.day < 1 || s.day > 31)
			return fail(err, errlen,
				    "the day '%s' must be 1 to 31 (past a month's end: "
				    "its last day)",
				    when);
	}
	if (!parse_time(at, &s.minute))
		return fail(err, errlen, "the time '%s' must be HH:MM (00:00 to 23:59)", at);
	*out = s;
	return true;
}

static long clamped_day(int y, int m, int d)
{
	int last = days_in_month(y, m);
	return days_from_civil(y, m, d > last ? last : d);
}

void schedule_run_of(const struct schedule *s, struct period_id p, long *day, int *minute)
{
	long from, to;
	period_id_days(p, &from, &to);
	int y, m, d;
	days_to_civil(to + 1, &y, &m, &d); /* the first day of the period after P */
	*day = clamped_day(y, s->sends == PERIOD_YEAR ? s->month : m, s->day);
	*minute = s->minute;
}

struct period_id schedule_latest_due(const struct schedule *s, long day, int minute)
{
	/* The run sending the period before today's lies inside today's
	 * period: it has happened, or the latest run is the one before it. */
	struct period_id prev = period_id_prev(period_id_of_day(s->sends, day));
	long run_day;
	int run_minute;
	schedule_run_of(s, prev, &run_day, &run_minute);
	if (run_day < day || (run_day == day && run_minute <= minute))
		return prev;
	return period_id_prev(prev);
}
