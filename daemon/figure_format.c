#include "figure_format.h"

#include <stdio.h>
#include <string.h>

json_t *figure_json_number(struct dec d, int scale)
{
	struct dec r;
	if (!dec_round(d, scale, &r))
		return json_null();
	return json_real(dec_to_double(r));
}

json_t *figure_json_text(struct dec d, int scale)
{
	struct dec r;
	char buf[80];
	if (!dec_round(d, scale, &r))
		return json_null();
	dec_format(r, buf, sizeof(buf));
	return json_string(buf);
}

json_t *figure_json(const struct metric_def *m, struct frac v, bool defined)
{
	struct dec d;
	if (!defined || !frac_value(v, m->kind == METRIC_RATE ? RATIO_SCALE : 2, &d))
		return json_null();
	if (m->kind == METRIC_RATE)
		return figure_json_number(d, RATIO_SCALE);
	if (m->kind == METRIC_AMOUNT)
		return figure_json_text(d, 2);
	if (!dec_round(d, 0, &d))
		return json_null();
	char buf[80];
	dec_format(d, buf, sizeof(buf));
	long long n;
	if (sscanf(buf, "%lld", &n) != 1)
		return json_string(buf);
	return json_integer(n);
}

json_t *figure_json_target(const struct metric_def *m, struct dec t)
{
	if (m->kind == METRIC_AMOUNT)
		return figure_json_text(t, 2);
	if (m->kind == METRIC_RATE)
		return figure_json_number(t, RATIO_SCALE);
	struct dec whole;
	int c;
	if (dec_round(t, 0, &whole) && dec_cmp(whole, t, &c) && c == 0)
		return figure_json(m, frac_of(t), true);
	return figure_json_text(t, t.scale); /* a fractional count target, as written */
}

void figure_display(struct frac v, bool defined, const char *unit, char *buf, size_t len)
{
	if (!defined || !display_format(v, unit, buf, len))
		snprintf(buf, len, "—");
}

bool figure_yoy(struct frac a, struct frac p, struct frac *out)
{
	/* (an·pd − pn·ad) / (ad·pn) */
	struct dec x, y, den;
	if (!dec_mul(a.num, p.den, &x) || !dec_mul(p.num, a.den, &y) || !dec_sub(x, y, &out->num) ||
	    !dec_mul(a.den, p.num, &den))
		return false;
	out->den = den;
	return !dec_is_zero(den);
}

bool figure_yoy_points(struct frac a, struct frac p, struct dec *out)
{
	/* (an·pd − pn·ad) / (ad·pd) × 100 */
	struct dec x, y, num, den;
	return dec_mul(a.num, p.den, &x) && dec_mul(p.num, a.den, &y) && dec_sub(x, y, &num) &&
	       dec_mul(a.den, p.den, &den) &&
	       dec_muldiv(num, dec_from_int(100), den, dec_from_int(1), SCORE_SCALE, out);
}

void figure_yoy_text(enum metric_kind kind, struct frac a, bool a_ok, struct frac p, bool p_ok,
		     char *buf, size_t len)
{
	char pct[64];
	if (kind == METRIC_RATE) {
		struct dec pts;
		if (!a_ok || !p_ok || !figure_yoy_points(a, p, &pts)) {
			snprintf(buf, len, "—");
			return;
		}
		bool down = dec_is_negative(pts);
		if (down)
			pts.m = -pts.m;
		dec_format_trim(pts, pct, sizeof(pct));
		if (dec_is_zero(pts))
			snprintf(buf, len, "持平");
		else
			snprintf(buf, len, "%s%s个百分点", down ? "降低" : "提高", pct);
		return;
	}
	struct frac y;
	if (!a_ok || !p_ok || !figure_yoy(a, p, &y) || !display_format(y, "%", pct, sizeof(pct))) {
		snprintf(buf, len, "—");
		return;
	}
	snprintf(buf, len, "%s%s", pct[0] == '-' || strcmp(pct, "0%") == 0 ? "" : "+", pct);
}
