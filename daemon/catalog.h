/* catalog — the one declaration of every metric (SPEC §3): names, units,
 * kind, labels, which collector stream fills a base metric and how a derived
 * metric is computed. Collectors, /metrics, /api/v1/metrics, the series API
 * and the docs all read this table; nothing else lists metrics. */
#ifndef GGZY_CATALOG_H
#define GGZY_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum label {
	LABEL_CENTER = 1 << 0,
	LABEL_CATEGORY = 1 << 1,
	LABEL_KIND = 1 << 2,
	LABEL_SCOPE = 1 << 3,
	LABEL_ROLE = 1 << 4,
};
#define LABEL_COUNT 5

enum metric_kind { METRIC_COUNT, METRIC_AMOUNT, METRIC_RATE };

/* How a period's value is made (SPEC §3, `total` in /api/v1/metrics). */
enum metric_total {
	TOTAL_SUM,	/* the sum of its days (the default) */
	TOTAL_RATIO,	/* sum(numerator) / sum(denominator) */
	TOTAL_DISTINCT, /* people counted once over the whole period */
	TOTAL_STOCK,	/* the value on the period's last day */
};

struct metric_def {
	const char *name;
	const char *name_zh;
	const char *name_en;
	const char *unit; /* "元", "宗", "次", "人次", "笔", "" (rates) */
	enum metric_kind kind;
	unsigned labels; /* enum label bits */
	enum metric_total total;
	/* Base metrics: the collector and stream(s) whose rows fill it (a
	 * stock's flows: "deposit_received, deposit_released"); also_source
	 * the second source a join of two needs (remote_evaluated_*). */
	const char *source;
	const char *stream;
	const char *also_source;
	/* Distinct metrics: the people (a stream's person hash) of the rows
	 * where this base metric is not 0. */
	const char *distinct_of;
	/* Derived metrics: sum(numerator) / sum(denominator), or, with no
	 * denominator, sum(numerator) restricted by exclude_kind. */
	const char *numerator;
	const char *denominator;
	const char *exclude_kind;
	/* The series name of /metrics (Prometheus' naming guide). */
	const char *exposition;
};

extern const struct metric_def catalog_metrics[];
extern const size_t catalog_nmetrics;

/* Label names in bit order: "center", "category", "kind", "scope", "role". */
extern const char *const catalog_label_names[LABEL_COUNT];

/* Borrowed pointer into the table, or NULL. */
const struct metric_def *catalog_find(const char *name);
bool catalog_is_derived(const struct metric_def *m);
/* Whether M has measure columns in the store (a base metric: neither a
 * ratio of others nor a distinct count). */
bool catalog_has_column(const struct metric_def *m);
/* "sum", "ratio", "distinct", "stock". */
const char *catalog_total_name(enum metric_total total);
/* The label bit of NAME, or 0 when NAME is not a label. */
unsigned catalog_label_bit(const char *name);
/* The position (0..LABEL_COUNT-1) of a single label bit, or -1 when LABEL is
 * not exactly one label. */
int catalog_label_index(unsigned label);
/* The [source] names whose figures M is made of (one or two, in out[]);
 * how many. A distinct metric's are its distinct_of's. */
size_t catalog_sources(const struct metric_def *m, const char *out[2]);
const char *catalog_kind_name(enum metric_kind kind);
/* A value a label can take under the source contract. */
struct label_value {
	const char *value; /* as the sources write it: "engineering" */
	const char *name_zh, *name_en;
};
/* The values of the label at LABEL_INDEX, ending with a NULL value; NULL
 * for the centre, whose values are the store's hierarchy. */
const struct label_value *catalog_label_values(int label_index);
/* The code of TEXT for label bit LABEL: TEXT itself when it is a code, the
 * code of a Chinese name (工程建设 -> engineering); a centre is its own
 * code; NULL when it is neither. */
const char *catalog_label_value_code(unsigned label, const char *text);
/* Whether VALUE can occur for label bit LABEL under the source contract
 * (SPEC §2). Centres are open-ended, so every centre is "known". */
bool catalog_label_value_known(unsigned label, const char *value);

#endif
