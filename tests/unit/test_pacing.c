/* pacing: expected-by-now, pace ratio, projection and the behind rule on
 * exact fractions; the last_year share and its fallback; the state machine
 * of SPEC §8 (two consecutive evaluations before firing). */
#include <stdlib.h>

#include "pacing.h"
#include "unit.h"

static struct dec D(const char *s) {
	struct dec d;
	if (!dec_parse(s, &d))
		abort();
	return d;
}

static struct frac
F(const char *num, const char *den) {
	return (struct frac){D(num), D(den)};
}

static void
fmt(struct frac f, char *buf, size_t len)
{
	struct dec v;
	if (!frac_value(f, 2, &v))
		snprintf(buf, len, "undefined");
	else
		dec_format(v, buf, len);
}

int main(void)
{
	struct pace p;
	char buf[64];
	bool from_last;

	/* linear: day 73 of 365 is a fifth of the year. */
	struct frac share =
	    pacing_share(PACING_LINEAR, 73, 365, F("0", "1"), F("0", "1"), &from_last);
	CHECK(!from_last, "linear");
	/* target 12,000,000,000.00: expected 2,400,000,000.00 by now */
	CHECK(pacing_evaluate(DIRECTION_HIGHER, false, D("12000000000.00"), F("2100000000.00", "1"),
			      share, D("0.9"), &p),
	      "evaluate");
	fmt(p.expected, buf, sizeof(buf));
	CHECK(strcmp(buf, "2400000000.00") == 0, "expected %s", buf);
	dec_format(p.ratio, buf, sizeof(buf));
	CHECK(p.has_ratio && strcmp(buf, "0.875000") == 0, "pace ratio %s", buf);
	CHECK(p.behind, "0.875 < 0.9 is behind");
	fmt(p.projected, buf, sizeof(buf));
	CHECK(p.has_projection && strcmp(buf, "10500000000.00") == 0, "projection %s", buf);
	/* exactly at the threshold is not behind */
	CHECK(pacing_evaluate(DIRECTION_HIGHER, false, D("12000000000.00"), F("2160000000.00", "1"),
			      share, D("0.9"), &p) &&
		  !p.behind,
	      "at the threshold: on pace");

	/* lower: a ceiling of 5,000,000 spent at 1,300,000 after a fifth of the
	 * year runs ahead of 1,000,000 × (1 / 0.9). */
	CHECK(pacing_evaluate(DIRECTION_LOWER, false, D("5000000.00"), F("1300000.00", "1"), share,
			      D("0.9"), &p) &&
		  p.behind,
	      "lower running ahead");
	CHECK(pacing_evaluate(DIRECTION_LOWER, false, D("5000000.00"), F("1100000.00", "1"), share,
			      D("0.9"), &p) &&
		  !p.behind,
	      "lower within 1/threshold");
	CHECK(pacing_evaluate(DIRECTION_LOWER, false, D("5000000.00"), F("0", "1"), share, D("0.9"),
			      &p) &&
		  !p.behind,
	      "lower, nothing spent");

	/* last_year: last year had 30 of its 120 deals by this day: a quarter. */
	share = pacing_share(PACING_LAST_YEAR, 73, 365, F("30", "1"), F("120", "1"), &from_last);
	CHECK(from_last, "last_year applies");
	CHECK(pacing_evaluate(DIRECTION_HIGHER, false, D("200"), F("45", "1"), share, D("0.9"), &p),
	      "evaluate");
	fmt(p.expected, buf, sizeof(buf));
	CHECK(strcmp(buf, "50.00") == 0 && p.behind == false, "expected %s (45/50 = 0.9)", buf);
	fmt(p.projected, buf, sizeof(buf));
	CHECK(strcmp(buf, "180.00") == 0, "projected %s", buf);
	/* a year with no data last year falls back to linear */
	share = pacing_share(PACING_LAST_YEAR, 73, 365, F("0", "1"), F("0", "1"), &from_last);
	int c = 1;
	CHECK(!from_last && dec_cmp(share.num, D("73"), &c) && c == 0, "fallback to linear");
	CHECK(pacing_evaluate(DIRECTION_HIGHER, false, D("200"), F("45", "1"), share, D("0.9"), &p),
	      "evaluate");
	fmt(p.expected, buf, sizeof(buf));
	CHECK(strcmp(buf, "40.00") == 0 && !p.behind, "linear expected %s", buf);

	/* a rate is compared with its target, not paced: 0.86 of 0.95 */
	CHECK(
	    pacing_evaluate(DIRECTION_HIGHER, true, D("0.95"), F("86", "100"), share, D("0.9"), &p),
	    "rate");
	fmt(p.expected, buf, sizeof(buf));
	CHECK(strcmp(buf, "0.95") == 0 && p.behind == false, "rate expected %s, 0.905 on pace",
	      buf);
	CHECK(pacing_evaluate(DIRECTION_HIGHER, true, D("0.95"), F("85", "100"), share, D("0.9"),
			      &p) &&
		  p.behind,
	      "rate 0.85/0.95 = 0.894 behind");

	/* a target of 0 expects nothing: no ratio, never behind */
	CHECK(pacing_evaluate(DIRECTION_HIGHER, false, D("0"), F("5", "1"), share, D("0.9"), &p) &&
		  !p.has_ratio && !p.behind,
	      "target 0");
	/* day 0 (no share elapsed): no projection */
	share = pacing_share(PACING_LAST_YEAR, 1, 365, F("0", "1"), F("120", "1"), &from_last);
	CHECK(
	    pacing_evaluate(DIRECTION_HIGHER, false, D("200"), F("0", "1"), share, D("0.9"), &p) &&
		!p.has_projection && !p.has_ratio && !p.behind,
	    "nothing elapsed by last year's measure");

	bool missed;
	CHECK(pacing_missed(DIRECTION_HIGHER, D("200"), F("199", "1"), &missed) && missed,
	      "missed");
	CHECK(pacing_missed(DIRECTION_HIGHER, D("200"), F("200", "1"), &missed) && !missed, "met");
	CHECK(pacing_missed(DIRECTION_LOWER, D("200"), F("201", "1"), &missed) && missed,
	      "ceiling exceeded");

	/* states: ok → pending → firing → resolved → pending */
	static const struct {
		enum alert_state from;
		bool behind;
		enum alert_state to;
	} steps[] = {
	    {ALERT_OK, false, ALERT_OK},
	    {ALERT_OK, true, ALERT_PENDING},
	    {ALERT_PENDING, false, ALERT_OK},
	    {ALERT_PENDING, true, ALERT_FIRING},
	    {ALERT_FIRING, true, ALERT_FIRING},
	    {ALERT_FIRING, false, ALERT_RESOLVED},
	    {ALERT_RESOLVED, false, ALERT_RESOLVED},
	    {ALERT_RESOLVED, true, ALERT_PENDING},
	};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		CHECK(alert_state_next(steps[i].from, steps[i].behind) == steps[i].to, "%s %s → %s",
		      alert_state_name(steps[i].from), steps[i].behind ? "behind" : "on pace",
		      alert_state_name(steps[i].to));
	enum alert_state s;
	CHECK(alert_state_parse("firing", &s) && s == ALERT_FIRING && !alert_state_parse("x", &s),
	      "parse");
	return UNIT_DONE();
}
