#include <string.h>

#include "catalog.h"
#include "collector.h"
#include "unit.h"

/* The catalogue is internally consistent: unique names, derived metrics
 * built from base metrics whose labels cover theirs, every base metric owned
 * by a stream that a collector declares (or by a source still to come). */
int main(void)
{
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		const struct metric_def *m = &catalog_metrics[i];
		CHECK(catalog_find(m->name) == m, "duplicate or unfindable %s", m->name);
		CHECK(m->name_zh && m->name_en && m->unit, "%s lacks names", m->name);
		CHECK(m->labels & LABEL_CENTER, "%s has no center label", m->name);
		if (catalog_is_derived(m)) {
			const struct metric_def *num = catalog_find(m->numerator);
			CHECK(num && !catalog_is_derived(num), "%s numerator", m->name);
			CHECK(num && (num->labels & m->labels) == m->labels, "%s labels", m->name);
			if (m->denominator) {
				const struct metric_def *den = catalog_find(m->denominator);
				CHECK(den && !catalog_is_derived(den), "%s denominator", m->name);
				CHECK(den && (den->labels & m->labels) == m->labels, "%s labels",
				      m->name);
				CHECK(m->kind == METRIC_RATE, "%s is a ratio", m->name);
			}
		} else {
			CHECK(m->source && m->stream, "%s has no stream", m->name);
			CHECK(m->kind != METRIC_RATE, "%s base metric is a rate", m->name);
			const struct collector *col = collector_find(m->source);
			if (col) {
				bool found = false;
				for (size_t s = 0; s < col->nstreams; s++)
					found |= strcmp(col->streams[s].name, m->stream) == 0;
				CHECK(found, "%s: stream %s not in collector %s", m->name,
				      m->stream, m->source);
			}
		}
	}
	CHECK(catalog_label_bit("kind") == LABEL_KIND, "kind bit");
	CHECK(catalog_label_bit("nope") == 0, "unknown label");
	CHECK(collector_find("trading") != NULL, "trading collector");
	return UNIT_DONE();
}
