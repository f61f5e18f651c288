#include "figure_format.h"

#include <stdio.h>

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
