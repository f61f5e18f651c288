#include "app.h"

#include "availability.h"
#include "catalog.h"
#include "scheduler.h"

const char *app_unavailable(const struct metric_def *m, char *buf, size_t len, void *arg)
{
	const struct app *app = arg;
	return availability_why(app->cfg, app->sched, m, buf, len);
}

bool app_metric_ready(const struct metric_def *m, void *arg)
{
	struct app *app = arg;
	char why[256];
	if (app_unavailable(m, why, sizeof(why), app))
		return false;
	if (catalog_is_derived(m)) {
		const struct metric_def *parts[2] = {catalog_find(m->numerator),
						     m->denominator ? catalog_find(m->denominator)
								    : NULL};
		for (int i = 0; i < 2; i++)
			if (parts[i] && !app_metric_ready(parts[i], app))
				return false;
		return true;
	}
	const char *sources[2];
	size_t n = catalog_sources(m, sources);
	for (size_t i = 0; i < n; i++)
		if (!scheduler_loaded(app->sched, sources[i]))
			return false;
	return n > 0;
}

struct report_context app_report_context(struct app *app)
{
	return (struct report_context){.store = app->store,
				       .targets = app->targets,
				       .clock = &app->clock,
				       .sources = app->sources,
				       .unavailable = app_unavailable,
				       .unavailable_arg = app};
}
