#include "indicators.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pg_array.h"
#include "sql_files.h"
#include "store.h"

struct fetch {
	indicators_cb cb;
	void *arg;
	const struct indicator_query *q; /* borrowed until the callback */
	size_t n;
};

static bool parse_frac(const char *num, const char *den, bool is_ratio, struct frac *out,
		       bool *defined)
{
	if (!dec_parse(num, &out->num))
		return false;
	if (!is_ratio) {
		out->den = dec_from_int(1);
		*defined = true;
		return true;
	}
	if (!dec_parse(den, &out->den))
		return false;
	*defined = !dec_is_zero(out->den);
	return true;
}

static void on_figures(PGresult *res, const char *error, void *arg)
{
	struct fetch *f = arg;
	if (error) {
		log_warn("indicators: store query failed: %s", error);
		f->cb(INDICATORS_STORE_FAILED, NULL, 0, f->arg);
		free(f);
		return;
	}
	struct indicator_figure *figs = calloc(f->n, sizeof(*figs));
	bool ok = figs && (size_t)PQntuples(res) == f->n;
	for (size_t i = 0; ok && i < f->n; i++) {
		bool ratio = f->q[i].metric->denominator != NULL;
		int row = (int)i;
		ok = parse_frac(PQgetvalue(res, row, 1), PQgetvalue(res, row, 2), ratio,
				&figs[i].value[0], &figs[i].defined[0]) &&
		     parse_frac(PQgetvalue(res, row, 3), PQgetvalue(res, row, 4), ratio,
				&figs[i].value[1], &figs[i].defined[1]);
	}
	f->cb(ok ? INDICATORS_OK : INDICATORS_OUT_OF_RANGE, ok ? figs : NULL, ok ? f->n : 0,
	      f->arg);
	free(figs);
	free(f);
}

void indicators_fetch(struct store *st, const char *center, const char *const periods[4],
		      const struct indicator_query *q, size_t n, indicators_cb cb, void *arg)
{
	if (n == 0) {
		cb(INDICATORS_OK, NULL, 0, arg);
		return;
	}
	struct pg_array num, den, excl, labels[4];
	pg_array_begin(&num);
	pg_array_begin(&den);
	pg_array_begin(&excl);
	for (int k = 0; k < 4; k++)
		pg_array_begin(&labels[k]);
	for (size_t i = 0; i < n; i++) {
		const struct metric_def *m = q[i].metric;
		pg_array_add(&num, catalog_is_derived(m) ? m->numerator : m->name);
		pg_array_add(&den, m->denominator);
		pg_array_add(&excl, m->exclude_kind);
		for (int k = 0; k < 4; k++) /* category, kind, scope, role */
			pg_array_add(&labels[k], q[i].filter ? q[i].filter[k + 1] : NULL);
	}
	char *texts[7] = {pg_array_end(&num), pg_array_end(&den), pg_array_end(&excl)};
	for (int k = 0; k < 4; k++)
		texts[3 + k] = pg_array_end(&labels[k]);
	bool ok = true;
	for (int k = 0; k < 7; k++)
		ok &= texts[k] != NULL;
	struct fetch *f = ok ? calloc(1, sizeof(*f)) : NULL;
	if (!f) {
		for (int k = 0; k < 7; k++)
			free(texts[k]);
		cb(INDICATORS_STORE_FAILED, NULL, 0, arg);
		return;
	}
	*f = (struct fetch){.cb = cb, .arg = arg, .q = q, .n = n};
	const char *params[12] = {texts[0], texts[1], texts[2], texts[3], texts[4], texts[5],
				  texts[6], center, periods[0], periods[1], periods[2], periods[3]};
	store_query(st, sql_text("queries/indicators.sql"), 12, params, on_figures, f);
	for (int k = 0; k < 7; k++)
		free(texts[k]);
}
