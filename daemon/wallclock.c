#include "wallclock.h"

#include <stdio.h>
#include <string.h>

time_t wallclock_now(const struct wallclock *c) { return c && c->fixed ? c->at : time(NULL); }

int wallclock_day(time_t t, char *buf)
{
	struct tm tm;
	localtime_r(&t, &tm);
	snprintf(buf, 11, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	return tm.tm_year + 1900;
}

void wallclock_format_local(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char zone[8];
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm); /* +0800 -> +08:00 */
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, "%.3s:%.2s", zone, zone + 3);
}

void wallclock_format_utc(time_t t, char *buf, size_t len)
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
