#include "pacing.h"

#include <string.h>

bool pacing_mode_parse(const char *text, enum pacing_mode *out)
{
	if (strcmp(text, "linear") == 0)
		*out = PACING_LINEAR;
	else if (strcmp(text, "last_year") == 0)
		*out = PACING_LAST_YEAR;
	else
		return false;
	return true;
}

struct frac pacing_share(enum pacing_mode mode, int day_of_year, int days_in_year,
			 struct frac last_ytd, struct frac last_total, bool *from_last_year)
{
	*from_last_year = mode == PACING_LAST_YEAR && !dec_is_zero(last_total.num) &&
			  !dec_is_negative(last_total.num) && !dec_is_negative(last_ytd.num);
	if (*from_last_year)
		return (struct frac){.num = last_ytd.num, .den = last_total.num};
	return (struct frac){.num = dec_from_int(day_of_year), .den = dec_from_int(days_in_year)};
}

/* a × b for fractions. */
static bool frac_mul(struct frac a, struct frac b, struct frac *out)
{
	return dec_mul(a.num, b.num, &out->num) && dec_mul(a.den, b.den, &out->den);
}

/* Sign of a − b. */
static bool frac_cmp(struct frac a, struct frac b, int *c)
{
	struct dec x, y;
	return dec_mul(a.num, b.den, &x) && dec_mul(b.num, a.den, &y) && dec_cmp(x, y, c);
}

bool pacing_evaluate(enum direction dir, bool is_rate, struct dec target, struct frac actual,
		     struct frac share, struct dec threshold, struct pace *out)
{
	memset(out, 0, sizeof(*out));
	struct frac t = frac_of(target);
	if (is_rate) {
		out->expected = t;
		out->projected = actual;
		out->has_projection = true;
	} else {
		if (!frac_mul(t, share, &out->expected))
			return false;
		out->has_projection = !dec_is_zero(share.num);
		if (out->has_projection) {
			/* A / share = (an × sd) / (ad × sn) */
			if (!dec_mul(actual.num, share.den, &out->projected.num) ||
			    !dec_mul(actual.den, share.num, &out->projected.den))
				return false;
		}
	}
	if (dec_is_zero(out->expected.num) || dec_is_negative(out->expected.num))
		return true; /* nothing expected yet: no ratio, never behind */
	out->has_ratio = true;
	if (!frac_ratio(actual, out->expected, RATIO_SCALE, &out->ratio))
		return false;
	struct frac th = frac_of(threshold), lhs, rhs;
	int c;
	if (dir == DIRECTION_HIGHER) {
		if (!frac_mul(th, out->expected, &rhs) || !frac_cmp(actual, rhs, &c))
			return false;
		out->behind = c < 0;
	} else {
		if (!frac_mul(th, actual, &lhs) || !frac_cmp(lhs, out->expected, &c))
			return false;
		out->behind = c > 0;
	}
	return true;
}

bool pacing_missed(enum direction dir, struct dec target, struct frac actual, bool *missed)
{
	int c;
	if (!frac_cmp(actual, frac_of(target), &c))
		return false;
	*missed = dir == DIRECTION_HIGHER ? c < 0 : c > 0;
	return true;
}

static const char *const state_names[] = {"ok", "pending", "firing", "resolved"};

const char *alert_state_name(enum alert_state s) { return state_names[s]; }

bool alert_state_parse(const char *text, enum alert_state *out)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(text, state_names[i]) == 0) {
			*out = (enum alert_state)i;
			return true;
		}
	return false;
}

enum alert_state alert_state_next(enum alert_state s, bool behind)
{
	switch (s) {
	case ALERT_PENDING: return behind ? ALERT_FIRING : ALERT_OK;
	case ALERT_FIRING: return behind ? ALERT_FIRING : ALERT_RESOLVED;
	case ALERT_OK:
	case ALERT_RESOLVED:
	default: return behind ? ALERT_PENDING : s;
	}
}
