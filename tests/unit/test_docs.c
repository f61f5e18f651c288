/* The README's metric table and the catalogue agree: every metric appears
 * as a table row with its Chinese name, English name, kind, unit and labels,
 * and the table lists nothing the catalogue does not have. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "unit.h"

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: test_docs SOURCE_DIR\n");
		return 2;
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/README.md", argv[1]);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return UNIT_DONE();
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	for (size_t i = 0; i < catalog_nmetrics; i++) {
		const struct metric_def *m = &catalog_metrics[i];
		char labels[128] = "";
		for (int l = 0; l < LABEL_COUNT; l++)
			if (m->labels & (1u << l)) {
				size_t len = strlen(labels);
				snprintf(labels + len, sizeof(labels) - len, "%s%s",
					 len ? ", " : "", catalog_label_names[l]);
			}
		char row[512];
		snprintf(row, sizeof(row), "| `%s` | %s | %s | %s | %s | %s |", m->name, m->name_zh,
			 m->name_en, catalog_kind_name(m->kind), m->unit, labels);
		CHECK(strstr(text, row) != NULL, "README lacks the row: %s", row);
	}
	/* Rows of the metric table (the "## Metrics" section) that name no
	 * catalogue metric. */
	char *section = strstr(text, "\n## Metrics\n");
	CHECK(section != NULL, "README has a Metrics section");
	if (!section)
		return UNIT_DONE();
	char *end = strstr(section + 1, "\n## ");
	if (end)
		*end = '\0';
	for (char *p = strstr(section, "\n| `"); p; p = strstr(p + 1, "\n| `")) {
		char name[128];
		if (sscanf(p, "\n| `%127[a-z_]`", name) == 1)
			CHECK(catalog_find(name) != NULL, "README lists unknown metric %s", name);
	}
	return UNIT_DONE();
}
