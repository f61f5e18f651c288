/* The target series of /metrics, from the last evaluation. */
#include <event2/buffer.h>

#include "alerts_internal.h"
#include "prom.h"

void alerts_write_metrics(const struct alerts *a, struct evbuffer *out)
{
	static const struct {
		const char *name, *help;
	} series[] = {
	    {"ggzy_target_value", "annual target of an indicator of the targets file"},
	    {"ggzy_target_completion_ratio", "actual year to date / annual target"},
	    {"ggzy_target_pace_ratio", "actual year to date / expected by now (SPEC §8)"},
	};
	for (size_t k = 0; k < 3; k++) {
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", series[k].name,
				    series[k].help, series[k].name);
		for (size_t i = 0; a && i < a->nseries; i++) {
			const struct target_series *s = &a->series[i];
			const char *v = k == 0 ? s->target : k == 1 ? s->completion : s->pace;
			if (!*v)
				continue;
			evbuffer_add_printf(out, "%s{year=\"%d\",center=\"", series[k].name,
					    s->year);
			prom_escape(out, s->center);
			evbuffer_add(out, "\",indicator=\"", 13);
			prom_escape(out, s->indicator);
			evbuffer_add_printf(out, "\",metric=\"%s\"} %s\n", s->metric, v);
		}
	}
	evbuffer_add_printf(out,
			    "# HELP ggzy_alerts_firing target alerts firing now\n"
			    "# TYPE ggzy_alerts_firing gauge\nggzy_alerts_firing %zu\n",
			    a ? a->firing : 0);
}
