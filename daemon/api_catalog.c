/* GET /api/v1/metrics: the metric catalogue (catalog_metrics[] and nothing
 * else): every metric's names, unit, kind, how a period's value is made
 * (total), labels, the sources it is made of, whether it is available here
 * and its /metrics series name, and every label's values with their names,
 * so that the page and other clients need no list of their own. */
#include <jansson.h>

#include "app.h"
#include "catalog.h"
#include "http.h"
#include "score.h"

static json_t *metric_json(const struct metric_def *m, struct app *app)
{
	json_t *labels = json_array();
	for (int l = 0; l < LABEL_COUNT; l++)
		if (m->labels & (1u << l))
			json_array_append_new(labels, json_string(catalog_label_names[l]));
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:s}", "name", m->name, "name_zh",
		      m->name_zh, "name_en", m->name_en, "unit", m->unit, "display_unit",
		      display_unit_default(m), "kind", catalog_kind_name(m->kind), "labels", labels,
		      "derived", catalog_is_derived(m), "exposition", m->exposition);
	const char *sources[2];
	size_t n = catalog_sources(m, sources);
	json_t *from = json_array();
	for (size_t k = 0; k < n; k++)
		json_array_append_new(from, json_string(sources[k]));
	json_object_set_new(o, "sources", from);
	json_object_set_new(o, "total", json_string(catalog_total_name(m->total)));
	if (m->distinct_of)
		json_object_set_new(o, "distinct_of", json_string(m->distinct_of));
	char why[256];
	const char *unavailable = app_unavailable(m, why, sizeof(why), app);
	json_object_set_new(o, "available", json_boolean(!unavailable));
	json_object_set_new(o, "unavailable", unavailable ? json_string(why) : json_null());
	if (catalog_is_derived(m)) {
		json_object_set_new(o, "numerator", json_string(m->numerator));
		json_object_set_new(o, "denominator",
				    m->denominator ? json_string(m->denominator) : json_null());
		if (m->exclude_kind)
			json_object_set_new(o, "exclude_kind", json_string(m->exclude_kind));
	}
	return o;
}

void api_catalog(struct evhttp_request *req, struct app *app)
{
	json_t *list = json_array();
	for (size_t i = 0; i < catalog_nmetrics; i++)
		json_array_append_new(list, metric_json(&catalog_metrics[i], app));
	/* The centre's values are the store's hierarchy (GET /api/v1/status). */
	json_t *values = json_object();
	for (int l = 0; l < LABEL_COUNT; l++) {
		const struct label_value *v = catalog_label_values(l);
		json_t *arr = v ? json_array() : json_null();
		for (; v && v->value; v++)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "value", v->value,
							     "name_zh", v->name_zh, "name_en",
							     v->name_en));
		json_object_set_new(values, catalog_label_names[l], arr);
	}
	http_reply_json(req, 200, json_pack("{s:o, s:o}", "metrics", list, "labels", values));
}
