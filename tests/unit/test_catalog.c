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
			/* A join of two sources is a stream the store derives
			 * itself (ggzy.derive_remote_evaluated); a stock names
			 * the streams of its inflow and its outflow. */
			for (const char *s = m->stream; col && !m->also_source && *s;) {
				size_t len = strcspn(s, ",");
				bool found = false;
				for (size_t k = 0; k < col->nstreams; k++)
					found |= strlen(col->streams[k].name) == len &&
						 strncmp(col->streams[k].name, s, len) == 0;
				CHECK(found, "%s: stream %.*s not in collector %s", m->name,
				      (int)len, s, m->source);
				s += len;
				while (*s == ',' || *s == ' ')
					s++;
			}
			CHECK((m->total == TOTAL_STOCK) == (strchr(m->stream, ',') != NULL),
			      "%s: a stock has two streams, nothing else has", m->name);
			CHECK(m->total != TOTAL_DISTINCT ||
				  (m->distinct_of && catalog_find(m->distinct_of) &&
				   catalog_has_column(catalog_find(m->distinct_of))),
			      "%s: a distinct metric counts the people of a base metric", m->name);
		}
	}
	CHECK(catalog_label_bit("kind") == LABEL_KIND, "kind bit");
	CHECK(catalog_label_bit("nope") == 0, "unknown label");
	CHECK(collector_find("trading") != NULL, "trading collector");
	return UNIT_DONE();
}
