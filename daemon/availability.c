#include "availability.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "scheduler.h"

/* Whether a [source] of KIND is configured ("trading", or "trading.NAME"). */
static bool configured(const struct config *cfg, const char *kind)
{
	size_t n = strlen(kind);
	for (size_t i = 0; i < cfg->nsources; i++) {
		const char *name = cfg->sources[i]->name;
		if (strncmp(name, kind, n) == 0 && (name[n] == '\0' || name[n] == '.'))
			return true;
	}
	return false;
}

const char *availability_why(const struct config *cfg, const struct scheduler *sched,
			     const struct metric_def *m, char *buf, size_t len)
{
	if (catalog_is_derived(m)) {
		/* A ratio is available when its parts are. */
		const char *parts[2] = {m->numerator, m->denominator};
		for (int i = 0; i < 2; i++) {
			const struct metric_def *p = parts[i] ? catalog_find(parts[i]) : NULL;
			const char *why = p ? availability_why(cfg, sched, p, buf, len) : NULL;
			if (why)
				return why;
		}
		return NULL;
	}
	if (cfg->nsources == 0)
		return NULL;
	const char *sources[2];
	size_t n = catalog_sources(m, sources);
	for (size_t i = 0; i < n; i++)
		if (!configured(cfg, sources[i])) {
			snprintf(buf, len, "%s needs the %s source, which is not configured",
				 m->name, sources[i]);
			return buf;
		}
	/* Its streams, one or a stock's two ("expert_enrolled, expert_left"). */
	if (!sched || !m->stream)
		return NULL;
	for (const char *s = m->stream; *s;) {
		size_t k = strcspn(s, ",");
		char stream[64];
		snprintf(stream, sizeof(stream), "%.*s", (int)k, s);
		const char *relation = scheduler_stream_missing(sched, stream);
		if (relation) {
			snprintf(buf, len,
				 "%s needs the relation %s, which the %s source does not have",
				 m->name, relation, m->source);
			return buf;
		}
		s += k;
		while (*s == ',' || *s == ' ')
			s++;
	}
	return NULL;
}
