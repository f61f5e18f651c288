#include <stdlib.h>
#include <string.h>

#include "days.h"
#include "unit.h"

int main(void)
{
	static const struct {
		const char *text;
		bool ok;
		long days;
	} dates[] = {
	    {"1970-01-01", true, 0},
	    {"2021-12-31", true, 18992},
	    {"2022-01-01", true, 18993},
	    {"2024-02-29", true, 19782},
	    {"2023-02-29", false, 0},
	    {"2021-13-01", false, 0},
	    {"2021-00-10", false, 0},
	    {"2021-1-01", false, 0},
	    {"1899-12-31", false, 0},
	    {"2201-01-01", false, 0},
	    {"2021-01-01x", false, 0},
	    {"' OR 1=1 --", false, 0},
	    {"", false, 0},
	    {"2000-02-29", true, 11016},
	};
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++) {
		long d = -1;
		bool ok = days_parse(dates[i].text, &d);
		CHECK(ok == dates[i].ok, "%s", dates[i].text);
		if (ok && dates[i].ok) {
			CHECK(d == dates[i].days, "%s -> %ld", dates[i].text, d);
			char buf[11];
			days_format(d, buf);
			CHECK(strcmp(buf, dates[i].text) == 0, "round trip %s", buf);
		}
	}
	/* Every day of 1900..2200 round-trips and months are contiguous. */
	for (long d = days_from_civil(1900, 1, 1); d <= days_from_civil(2200, 12, 31); d++) {
		int y, m, dd;
		days_to_civil(d, &y, &m, &dd);
		if (days_from_civil(y, m, dd) != d) {
			CHECK(0, "civil round trip at %ld", d);
			break;
		}
	}
	CHECK(days_next_month(days_from_civil(2021, 12, 15)) == days_from_civil(2022, 1, 1), "dec");
	CHECK(days_month_start(days_from_civil(2021, 2, 28)) == days_from_civil(2021, 2, 1), "feb");

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	static const struct {
		const char *text;
		bool ok;
		long long epoch;
	} instants[] = {
	    {"2021-12-31T23:30:00+08:00", true, 1640964600},
	    {"2021-12-31T15:30:00Z", true, 1640964600},
	    {"2021-12-31T23:30:00", true, 1640964600}, /* local = Asia/Shanghai */
	    {"2021-12-31T23:30", true, 1640964600},
	    {"2022-01-01", true, 1640966400},
	    {"2021-12-31T24:00:00Z", false, 0},
	    {"2021-12-31T23:30:00+0800", true, 1640964600},
	    {"2021-12-31T23:30:00+08:00junk", false, 0},
	    {"yesterday", false, 0},
	};
	for (size_t i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		time_t t = 0;
		bool ok = days_parse_instant(instants[i].text, &t);
		CHECK(ok == instants[i].ok, "%s", instants[i].text);
		if (ok && instants[i].ok)
			CHECK((long long)t == instants[i].epoch, "%s -> %lld", instants[i].text,
			      (long long)t);
	}
	return UNIT_DONE();
}
