#include "indicators.h"

#include <stdlib.h>
#include <string.h>

#include "kept.h"
#include "log.h"
#include "pg_array.h"
#include "sql_files.h"
#include "store.h"
#include "xmalloc.h"

/* Of queries/indicators.sql. */
#define NPARAMS 13

struct waiter {
	indicators_cb cb;
	void *arg;
	struct waiter *next;
};

/* One computation: the parameters (the key), and who waits for it. */
struct fetch {
	struct store *st;
	char *key; /* the parameters, NUL-separated, NULL as "\x01" */
	size_t key_len;
	char *params[NPARAMS]; /* of queries/indicators.sql, owned */
	bool *ratio;	       /* per indicator: a ratio of two metrics */
	size_t n;
	long long version; /* the store's, read before the query */
	struct waiter *waiters;
	struct fetch *next; /* in flight */
};

static struct fetch *in_flight;

/* Figures kept while the store's figures version has not moved: a report
 * asked again, the built-in page refreshing, the alert evaluator between
 * polls. Without it every request re-summed two years of the store (9.7 s
 * at a million deals from the daily buckets, 0.5 s from the monthly totals)
 * on the single reader connection, in front of every other HTTP query.
 * Requests for the same figures that arrive while they are computed share
 * the one query. */
static struct kept_slot figures_slots[16];
static struct kept figures_kept = KEPT_INIT(figures_slots, 1 << 20);

static void fetch_free(struct fetch *f)
{
	free(f->key);
	for (int k = 0; k < NPARAMS; k++)
		free(f->params[k]);
	free(f->ratio);
	free(f);
}

static bool same_key(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

void indicators_cache_free(void) { kept_clear(&figures_kept); }

/* Calls every waiter of F once, then frees F. A callback may start another
 * fetch: F is out of the in-flight list before the first call. */
static void deliver(struct fetch *f, enum indicators_status status,
		    const struct indicator_figure *figs)
{
	for (struct fetch **p = &in_flight; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	struct waiter *w = f->waiters;
	f->waiters = NULL;
	while (w) {
		struct waiter *next = w->next;
		w->cb(status, status == INDICATORS_OK ? figs : NULL,
		      status == INDICATORS_OK ? f->n : 0, w->arg);
		free(w);
		w = next;
	}
	fetch_free(f);
}

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
		deliver(f, INDICATORS_STORE_FAILED, NULL);
		return;
	}
	struct indicator_figure *figs = xcalloc(f->n, sizeof(*figs));
	bool ok = (size_t)PQntuples(res) == f->n;
	for (size_t i = 0; ok && i < f->n; i++) {
		int row = (int)i;
		ok = parse_frac(PQgetvalue(res, row, 1), PQgetvalue(res, row, 2), f->ratio[i],
				&figs[i].value[0], &figs[i].defined[0]) &&
		     parse_frac(PQgetvalue(res, row, 3), PQgetvalue(res, row, 4), f->ratio[i],
				&figs[i].value[1], &figs[i].defined[1]);
	}
	if (ok)
		kept_put(&figures_kept, f->key, f->key_len, f->version, figs, f->n * sizeof(*figs));
	deliver(f, ok ? INDICATORS_OK : INDICATORS_OUT_OF_RANGE, figs);
	free(figs);
}

static void on_version(bool ok, long long version, void *arg)
{
	struct fetch *f = arg;
	if (!ok) { /* the store did not answer (or is shutting down) */
		deliver(f, INDICATORS_STORE_FAILED, NULL);
		return;
	}
	size_t len;
	const struct indicator_figure *hit =
	    kept_find(&figures_kept, f->key, f->key_len, version, &len);
	if (hit && len == f->n * sizeof(*hit)) {
		deliver(f, INDICATORS_OK, hit);
		return;
	}
	/* Figures read after the version are at least that new. */
	f->version = version;
	for (struct fetch *g = in_flight; g; g = g->next)
		if (g->version == version && same_key(g->key, g->key_len, f->key, f->key_len)) {
			struct waiter **tail = &g->waiters;
			while (*tail)
				tail = &(*tail)->next;
			*tail = f->waiters;
			f->waiters = NULL;
			fetch_free(f);
			return;
		}
	f->next = in_flight;
	in_flight = f;
	store_query(f->st, sql_text("queries/indicators.sql"), NPARAMS,
		    (const char *const *)f->params, on_figures, f);
}

/* The parameters, each followed by a NUL; NULL as a lone 0x01 byte, which no
 * parameter text holds. */
static char *make_key(char *const params[NPARAMS], size_t *len)
{
	size_t n = 0;
	for (int k = 0; k < NPARAMS; k++)
		n += (params[k] ? strlen(params[k]) : 1) + 1;
	char *key = xmalloc(n);
	char *p = key;
	for (int k = 0; k < NPARAMS; k++) {
		const char *v = params[k] ? params[k] : "\x01";
		size_t l = strlen(v) + 1;
		memcpy(p, v, l);
		p += l;
	}
	*len = n;
	return key;
}

void indicators_fetch(struct store *st, const char *center, const struct indicator_query *q,
		      size_t n, indicators_cb cb, void *arg)
{
	if (n == 0) {
		cb(INDICATORS_OK, NULL, 0, arg);
		return;
	}
	/* num, den, excl, category, kind, scope, role, the four period
	 * bounds, total */
	enum { NARRAYS = 12 };
	struct pg_array a[NARRAYS];
	for (int k = 0; k < NARRAYS; k++)
		pg_array_begin(&a[k]);
	for (size_t i = 0; i < n; i++) {
		const struct metric_def *m = q[i].metric;
		pg_array_add(&a[0], catalog_is_derived(m) ? m->numerator
				    : m->distinct_of	  ? m->distinct_of
							  : m->name);
		pg_array_add(&a[1], m->denominator);
		pg_array_add(&a[2], m->exclude_kind);
		for (int k = 0; k < 4; k++) /* category, kind, scope, role */
			pg_array_add(&a[3 + k], q[i].filter ? q[i].filter[k + 1] : NULL);
		for (int k = 0; k < 4; k++)
			pg_array_add(&a[7 + k], q[i].period[k]);
		pg_array_add(&a[11], catalog_total_name(m->total));
	}
	char *texts[NARRAYS];
	for (int k = 0; k < NARRAYS; k++)
		texts[k] = pg_array_end(&a[k]);
	struct fetch *f = xcalloc(1, sizeof(*f));
	const char *params[NPARAMS] = {texts[0], texts[1],  texts[2], texts[3], texts[4],
				       texts[5], texts[6],  center,   texts[7], texts[8],
				       texts[9], texts[10], texts[11]};
	for (int k = 0; k < NPARAMS; k++)
		f->params[k] = xstrdup_or_null(params[k]);
	f->ratio = xcalloc(n, sizeof(*f->ratio));
	f->key = make_key(f->params, &f->key_len);
	for (int k = 0; k < NARRAYS; k++)
		free(texts[k]);
	struct waiter *w = xcalloc(1, sizeof(*w));
	for (size_t i = 0; i < n; i++)
		f->ratio[i] = q[i].metric->denominator != NULL;
	f->st = st;
	f->n = n;
	*w = (struct waiter){.cb = cb, .arg = arg};
	f->waiters = w;
	store_version(st, on_version, f);
}
