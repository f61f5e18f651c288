/* json_lines — where each value of a JSON document is written: jansson
 * parses, but gives no positions, so this scanner walks the text of a
 * document jansson has already accepted and records, for every value, its
 * JSON path ("/years/0/indicators/2/target"), its line, and a number's
 * literal text (so that 0.95 is read exactly, never through a double).
 * The targets loader reports every problem at its line with it. */
#ifndef GGZY_JSON_LINES_H
#define GGZY_JSON_LINES_H

#include <stddef.h>

/* Longest JSON path recorded; deeper values point at their nearest
 * recorded ancestor. */
#define JSON_LINES_PATH_MAX 256

struct jpos {
	char *path; /* "/years/0/indicators/2/target" */
	int line;
	char *literal; /* a number's text; NULL for other values */
};

struct jmap {
	struct jpos *v;
	size_t n, cap;
};

/* Scans TEXT (LEN bytes, already valid JSON) into m, which starts zeroed. */
void jmap_scan(struct jmap *m, const char *text, size_t len);
void jmap_free(struct jmap *m);
/* The value at PATH, or NULL; borrowed from m. */
const struct jpos *jmap_find(const struct jmap *m, const char *path);
/* The line of PATH, or of its nearest recorded ancestor (1 at worst). */
int jmap_line(const struct jmap *m, const char *path);

#endif
