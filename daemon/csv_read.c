#include "csv_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

/* The length of the valid UTF-8 sequence at p (1–4), or 0. Overlong forms,
 * surrogates and code points past U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n;
	unsigned min;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0)
		n = 2, min = 0x80, cp = c & 0x1F;
	else if ((c & 0xF0) == 0xE0)
		n = 3, min = 0x800, cp = c & 0x0F;
	else if ((c & 0xF8) == 0xF0)
		n = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

struct field_buf {
	char *s;
	size_t n, cap;
};

static void buf_add(struct field_buf *b, char c)
{
	if (b->n + 1 >= b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->s = xreallocarray(b->s, b->cap, 1);
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
}

static void record_add_field(struct csv_record *r, struct field_buf *b)
{
	r->fields = xreallocarray(r->fields, r->nfields + 1, sizeof(char *));
	r->fields[r->nfields++] = xstrdup(b->s ? b->s : "");
	b->n = 0;
	if (b->s)
		b->s[0] = '\0';
}

static struct csv_record *table_add_record(struct csv_table *t, int line)
{
	t->records = xreallocarray(t->records, t->nrecords + 1, sizeof(*t->records));
	struct csv_record *r = &t->records[t->nrecords++];
	*r = (struct csv_record){.line = line};
	return r;
}

static bool failed(int line, int *err_line, char *err, size_t errlen, const char *msg)
{
	*err_line = line;
	snprintf(err, errlen, "%s", msg);
	return false;
}

bool csv_parse(const char *text, size_t len, struct csv_table *out, int *err_line, char *err,
	       size_t errlen)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	*out = (struct csv_table){0};
	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	int line = 1;
	struct field_buf b = {0};
	bool ok = true;
	while (p < end) {
		struct csv_record *r = table_add_record(out, line);
		int quote_line = line;
		for (;;) { /* one field */
			bool quoted = p < end && *p == '"';
			if (quoted) {
				quote_line = line;
				p++;
			}
			for (;;) {
				if (p >= end) {
					if (quoted) {
						ok = failed(quote_line, err_line, err, errlen,
							    "a quoted field is not closed (a \" "
							    "missing)");
						goto done;
					}
					break;
				}
				if (quoted && *p == '"') {
					if (p + 1 < end && p[1] == '"') {
						buf_add(&b, '"');
						p += 2;
						continue;
					}
					p++;
					quoted = false;
					if (p < end && *p != ',' && *p != '\r' && *p != '\n') {
						ok = failed(
						    line, err_line, err, errlen,
						    "text after a closing quote (a \" inside "
						    "a quoted field is written \"\")");
						goto done;
					}
					break;
				}
				if (!quoted && (*p == ',' || *p == '\r' || *p == '\n'))
					break;
				if (!quoted && *p == '"') {
					ok = failed(line, err_line, err, errlen,
						    "a quote inside an unquoted field (quote the "
						    "whole field and write \" as \"\")");
					goto done;
				}
				size_t n = utf8_len(p, (size_t)(end - p));
				if (n == 0 || (*p == 0)) {
					ok = failed(
					    line, err_line, err, errlen,
					    "not UTF-8 text: save the form as \"CSV UTF-8\"");
					goto done;
				}
				if (*p == '\n')
					line++;
				for (size_t i = 0; i < n; i++)
					buf_add(&b, (char)p[i]);
				p += n;
			}
			record_add_field(r, &b);
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			break;
		}
		/* The record's end: CRLF, LF, a lone CR, or the text's end. */
		if (p < end && *p == '\r')
			p++;
		if (p < end && *p == '\n')
			p++;
		line++;
	}
done:
	free(b.s);
	return ok;
}

void csv_free(struct csv_table *t)
{
	for (size_t i = 0; i < t->nrecords; i++) {
		for (size_t k = 0; k < t->records[i].nfields; k++)
			free(t->records[i].fields[k]);
		free(t->records[i].fields);
	}
	free(t->records);
	*t = (struct csv_table){0};
}
