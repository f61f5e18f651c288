#include "json_lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct scanner {
	const char *p, *end;
	int line;
	struct jmap *map;
};

static void jmap_add(struct jmap *m, const char *path, int line, const char *lit, size_t litlen)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->v = xreallocarray(m->v, m->cap, sizeof(*m->v));
	}
	m->v[m->n].path = xstrdup(path);
	m->v[m->n].line = line;
	m->v[m->n].literal = NULL;
	if (lit) {
		/* Not strndup: the text need not be NUL-terminated, and strndup
		 * may look past LITLEN for a terminator (ASan's strict string
		 * checks say so). */
		char *copy = xmalloc(litlen + 1);
		memcpy(copy, lit, litlen);
		copy[litlen] = '\0';
		m->v[m->n].literal = copy;
	}
	m->n++;
}

void jmap_free(struct jmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].path);
		free(m->v[i].literal);
	}
	free(m->v);
}

const struct jpos *jmap_find(const struct jmap *m, const char *path)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].path, path) == 0)
			return &m->v[i];
	return NULL;
}

/* The line of PATH, or of its nearest recorded ancestor. */
int jmap_line(const struct jmap *m, const char *path)
{
	char buf[JSON_LINES_PATH_MAX];
	snprintf(buf, sizeof(buf), "%s", path);
	for (;;) {
		const struct jpos *p = jmap_find(m, buf);
		if (p)
			return p->line;
		char *slash = strrchr(buf, '/');
		if (!slash)
			return 1;
		*slash = '\0';
	}
}

static void skip_ws(struct scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
		if (*s->p == '\n')
			s->line++;
		s->p++;
	}
}

/* Skips a string starting at its opening quote; returns its raw body. */
static void skip_string(struct scanner *s, const char **body, size_t *len)
{
	s->p++;
	*body = s->p;
	while (s->p < s->end && *s->p != '"') {
		if (*s->p == '\\' && s->p + 1 < s->end)
			s->p++;
		s->p++;
	}
	*len = (size_t)(s->p - *body);
	if (s->p < s->end)
		s->p++;
}

/* Walks one value of a document jansson has already accepted, recording the
 * line of every value under its path. Depth is bounded by jansson's own
 * parser limit. */
static void scan_value(struct scanner *s, char *path, size_t plen)
{
	skip_ws(s);
	if (s->p >= s->end)
		return;
	int line = s->line;
	char c = *s->p;
	if (c == '{' || c == '[') {
		jmap_add(s->map, path, line, NULL, 0);
		s->p++;
		for (size_t index = 0;; index++) {
			skip_ws(s);
			if (s->p >= s->end)
				return;
			if (*s->p == '}' || *s->p == ']') {
				s->p++;
				return;
			}
			if (*s->p == ',') {
				s->p++;
				skip_ws(s);
			}
			size_t n;
			if (c == '{') {
				const char *key;
				size_t klen;
				skip_string(s, &key, &klen);
				skip_ws(s);
				if (s->p < s->end && *s->p == ':')
					s->p++;
				n = (size_t)snprintf(path + plen, JSON_LINES_PATH_MAX - plen,
						     "/%.*s", (int)klen, key);
			} else {
				n = (size_t)snprintf(path + plen, JSON_LINES_PATH_MAX - plen,
						     "/%zu", index);
			}
			/* A path too long for the buffer is simply not recorded
			 * precisely; its errors point at the nearest ancestor. */
			scan_value(s, path,
				   plen + n < JSON_LINES_PATH_MAX ? plen + n
								  : JSON_LINES_PATH_MAX - 1);
			path[plen] = '\0';
		}
	}
	if (c == '"') {
		const char *body;
		size_t len;
		skip_string(s, &body, &len);
		jmap_add(s->map, path, line, NULL, 0);
		return;
	}
	const char *start = s->p;
	while (s->p < s->end && !strchr(",]} \t\r\n", *s->p))
		s->p++;
	jmap_add(s->map, path, line, start, (size_t)(s->p - start));
}

void jmap_scan(struct jmap *m, const char *text, size_t len)
{
	struct scanner sc = {.p = text, .end = text + len, .line = 1, .map = m};
	char path[JSON_LINES_PATH_MAX] = "";
	scan_value(&sc, path, 0);
}
