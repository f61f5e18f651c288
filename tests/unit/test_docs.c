/* The docs and the code agree:
 *  - the README's metric table and the catalogue: every metric appears as a
 *    table row with its Chinese name, English name, kind, unit, labels and
 *    /metrics series name, and the table lists nothing the catalogue does
 *    not have;
 *  - tests/README.md lists every fuzz target tests/fuzz holds. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "unit.h"

/* Every tests/fuzz/fuzz_NAME.c is a row of tests/README.md's fuzz table. */
static void check_fuzz_targets(const char *root)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/tests/README.md", root);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return;
	static char text[1 << 18];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	snprintf(path, sizeof(path), "%s/tests/fuzz", root);
	DIR *dir = opendir(path);
	CHECK(dir != NULL, "cannot open %s", path);
	int targets = 0;
	for (struct dirent *e; dir && (e = readdir(dir));) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, "fuzz_", 5) != 0 || len < 3 ||
		    strcmp(e->d_name + len - 2, ".c"))
			continue;
		char row[300];
		snprintf(row, sizeof(row), "| `%.*s` |", (int)(len - 2), e->d_name);
		CHECK(strstr(text, row) != NULL, "tests/README.md lacks the fuzz target row %s",
		      row);
		targets++;
	}
	if (dir)
		closedir(dir);
	CHECK(targets >= 4, "tests/fuzz has %d targets", targets);
}

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
		char row[512], expo[128];
		snprintf(row, sizeof(row), "| `%s` | %s | %s | %s | %s | %s |", m->name, m->name_zh,
			 m->name_en, catalog_kind_name(m->kind), m->unit, labels);
		const char *at = strstr(text, row);
		CHECK(at != NULL, "README lacks the row: %s", row);
		snprintf(expo, sizeof(expo), "| %s | `%s` |\n", catalog_total_name(m->total),
			 m->exposition);
		const char *eol = at ? strchr(at, '\n') : NULL;
		CHECK(at && eol && (size_t)(eol - at) >= strlen(expo) - 1 &&
			  strncmp(eol - (strlen(expo) - 1), expo, strlen(expo) - 1) == 0,
		      "README's row of %s ends with its total (%s) and its series name %s", m->name,
		      catalog_total_name(m->total), m->exposition);
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
	check_fuzz_targets(argv[1]);
	return UNIT_DONE();
}
