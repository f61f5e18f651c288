#include "period.h"

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
