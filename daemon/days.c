#include "days.h"

#include <string.h>

/* Howard Hinnant's civil-from-days algorithms: exact for all our years. */
long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void days_to_civil(long z, int *y, int *m, int *d)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int days_in_month(int y, int m)
{
	static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return len[m - 1];
}

bool days_parse(const char *t, long *days)
{
	if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
			return false;
	int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
	int m = (t[5] - '0') * 10 + (t[6] - '0');
	int d = (t[8] - '0') * 10 + (t[9] - '0');
	if (y < DAYS_MIN_YEAR || y > DAYS_MAX_YEAR || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return false;
	*days = days_from_civil(y, m, d);
	return true;
}

void days_format(long days, char *buf)
{
	int y, m, d;
	days_to_civil(days, &y, &m, &d);
	/* Years are 1900..2200 by days_parse; clamp so the width is fixed. */
	unsigned uy = (unsigned)(y < 0 ? 0 : y > 9999 ? 9999 : y);
	unsigned um = (unsigned)m % 13u, ud = (unsigned)d % 32u;
	buf[0] = (char)('0' + uy / 1000);
	buf[1] = (char)('0' + uy / 100 % 10);
	buf[2] = (char)('0' + uy / 10 % 10);
	buf[3] = (char)('0' + uy % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + um / 10);
	buf[6] = (char)('0' + um % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + ud / 10);
	buf[9] = (char)('0' + ud % 10);
	buf[10] = '\0';
}

long days_month_start(long days)
{
	int y, m, d;
	days_to_civil(days, &y, &m, &d);
	return days_from_civil(y, m, 1);
}

long days_next_month(long days)
{
	int y, m, d;
	days_to_civil(days, &y, &m, &d);
	return m == 12 ? days_from_civil(y + 1, 1, 1) : days_from_civil(y, m + 1, 1);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

bool days_parse_instant(const char *text, time_t *out)
{
	char date[11];
	if (strlen(text) < 10)
		return false;
	memcpy(date, text, 10);
	date[10] = '\0';
	long day;
	if (!days_parse(date, &day))
		return false;
	const char *p = text + 10;
	int hh = 0, mm = 0, ss = 0;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(p, 2, &hh) || p[2] != ':' || !digits(p + 3, 2, &mm))
			return false;
		p += 5;
		if (*p == ':') {
			if (!digits(p + 1, 2, &ss))
				return false;
			p += 3;
		}
		if (hh > 23 || mm > 59 || ss > 60)
			return false;
	}
	if (*p == '\0') {
		int y, m, d;
		days_to_civil(day, &y, &m, &d);
		struct tm tm = {.tm_year = y - 1900,
				.tm_mon = m - 1,
				.tm_mday = d,
				.tm_hour = hh,
				.tm_min = mm,
				.tm_sec = ss,
				.tm_isdst = -1};
		*out = mktime(&tm);
		return true;
	}
	long offset = 0;
	if (*p == 'Z' && p[1] == '\0') {
		offset = 0;
	} else if (*p == '+' || *p == '-') {
		int oh, om = 0;
		if (!digits(p + 1, 2, &oh))
			return false;
		const char *q = p + 3;
		if (*q == ':')
			q++;
		if (*q) {
			if (!digits(q, 2, &om) || q[2] != '\0')
				return false;
		}
		if (oh > 14 || om > 59)
			return false;
		offset = (*p == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
	} else {
		return false;
	}
	*out = (time_t)(day * 86400L + hh * 3600L + mm * 60L + ss - offset);
	return true;
}
