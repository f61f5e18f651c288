/* fuzz_targets — the targets-file loader (SPEC §5, JSON with line-mapped
 * values) on arbitrary bytes.
 *
 * Invariants checked beyond "no crash, no leak, no UB":
 *  - exactly one outcome: targets and no problem, or NULL and problems, each
 *    "fuzz.json:LINE: message" with LINE within the text;
 *  - accepted targets hold what the report relies on: years 1901..2199, each
 *    found again by targets_find, indicators named, weights in (0, 100] adding
 *    up to at most 100, a computed indicator with a metric, a manual score
 *    within [0, weight], a budget above 0, a manual quantitative line with
 *    two comparable quantities;
 *  - scoring every computed indicator at its own target, at zero and at twice
 *    the target stays within [0, weight] (or reports overflow), and so does
 *    scoring a manual quantitative line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "targets.h"

#define PATH "fuzz.json"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_targets: invariant failed: %s\n", #cond);            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static int cmp(struct dec a, struct dec b)
{
	int c;
	CHECK(dec_cmp(a, b, &c));
	return c;
}

static void check_score(const struct target_year *ty, const struct indicator *ind,
			struct frac actual)
{
	struct dec s;
	if (!score_computed(ind->direction, ty->lower, ind->weight, ind->target, actual, &s))
		return; /* overflow, reported as such */
	CHECK(!dec_is_negative(s));
	CHECK(cmp(s, ind->weight) <= 0);
}

static void check_indicator(const struct target_year *ty, const struct indicator *ind)
{
	CHECK(ind->name && ind->name[0]);
	CHECK(!dec_is_negative(ind->weight) && !dec_is_zero(ind->weight));
	CHECK(cmp(ind->weight, dec_from_int(100)) <= 0);
	switch (ind->manual) {
	case MANUAL_NONE: {
		CHECK(ind->metric);
		CHECK(ind->display_unit);
		check_score(ty, ind, frac_of(ind->target));
		check_score(ty, ind, frac_of(dec_from_int(0)));
		struct dec twice;
		if (dec_add(ind->target, ind->target, &twice))
			check_score(ty, ind, frac_of(twice));
		break;
	}
	case MANUAL_SCORED:
		CHECK(!dec_is_negative(ind->manual_score));
		CHECK(cmp(ind->manual_score, ind->weight) <= 0);
		break;
	case MANUAL_QUANTITY: {
		CHECK(quantity_comparable(&ind->manual_tq, &ind->manual_aq));
		CHECK(ind->direction == quantity_direction(&ind->manual_tq));
		struct dec s;
		if (score_computed(ind->direction, ty->lower, ind->weight, ind->manual_tq.value,
				   frac_of(ind->manual_aq.value), &s))
			CHECK(!dec_is_negative(s) && cmp(s, ind->weight) <= 0);
		break;
	}
	case MANUAL_BUDGET: {
		CHECK(!dec_is_negative(ind->budget) && !dec_is_zero(ind->budget));
		CHECK(!dec_is_negative(ind->executed));
		struct dec s;
		if (score_budget(ind->weight, ind->budget, ind->executed, &s))
			CHECK(!dec_is_negative(s) && cmp(s, ind->weight) <= 0);
		break;
	}
	}
}

static void check_targets(const struct targets *t)
{
	for (size_t i = 0; i < t->nyears; i++) {
		const struct target_year *ty = &t->years[i];
		CHECK(ty->year >= 1901 && ty->year <= 2199);
		CHECK(targets_find(t, ty->year, ty->center) == ty);
		CHECK(ty->nindicators > 0);
		struct dec total = dec_from_int(0);
		for (size_t k = 0; k < ty->nindicators; k++) {
			check_indicator(ty, &ty->indicators[k]);
			CHECK(dec_add(total, ty->indicators[k].weight, &total));
		}
		CHECK(cmp(total, dec_from_int(100)) <= 0);
	}
}

static long count_lines(const uint8_t *data, size_t size)
{
	long n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = {0};
	struct targets *t = targets_parse(PATH, (const char *)data, size, &errs);
	CHECK((t != NULL) == (errs.count == 0));
	long lines = count_lines(data, size);
	for (size_t i = 0; i < errs.count; i++) {
		const char *e = errs.lines[i];
		CHECK(strncmp(e, PATH ":", sizeof(PATH)) == 0);
		char *end;
		long line = strtol(e + sizeof(PATH), &end, 10);
		CHECK(end != e + sizeof(PATH) && end[0] == ':' && end[1] == ' ');
		CHECK(line >= 0 && line <= lines);
	}
	if (t) {
		check_targets(t);
		CHECK(targets_retain(t) == t);
		targets_free(t);
	}
	targets_free(t);
	config_errors_clear(&errs);
	return 0;
}
