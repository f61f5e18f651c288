#include "document.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	enum document_format fmt;
	const char *content_type;
} formats[] = {
    {"json", DOC_JSON, "application/json; charset=utf-8"},
    {"csv", DOC_CSV, "text/csv; charset=utf-8"},
    {"md", DOC_MD, "text/markdown; charset=utf-8"},
    {"xlsx", DOC_XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

bool document_format_parse(const char *text, enum document_format *out)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(formats[i].name, text) == 0) {
			*out = formats[i].fmt;
			return true;
		}
	return false;
}

const char *document_format_name(enum document_format fmt)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fmt == fmt)
			return formats[i].name;
	return "json";
}

const char *document_content_type(enum document_format fmt)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fmt == fmt)
			return formats[i].content_type;
	return formats[0].content_type;
}

bool document_disposition(const struct document *d, char *buf, size_t len)
{
	if (!d->filename[0])
		return false;
	int n = snprintf(buf, len, "attachment; filename=\"%s\"", d->filename);
	if (n < 0 || (size_t)n >= len || !d->filename_utf8[0])
		return n >= 0 && (size_t)n < len;
	size_t used = (size_t)n;
	static const char head[] = "; filename*=UTF-8''";
	if (used + sizeof(head) >= len)
		return true;
	memcpy(buf + used, head, sizeof(head));
	used += sizeof(head) - 1;
	/* RFC 5987 attr-char: ALPHA DIGIT and !#$&+-.^_`|~ are kept. */
	for (const unsigned char *p = (const unsigned char *)d->filename_utf8; *p; p++) {
		bool keep = isalnum(*p) || strchr("!#$&+-.^_`|~", *p);
		if (used + (keep ? 1 : 3) + 1 > len) {
			/* No room for the whole name: the ASCII one alone. */
			snprintf(buf, len, "attachment; filename=\"%s\"", d->filename);
			return true;
		}
		if (keep && *p)
			buf[used++] = (char)*p;
		else
			used += (size_t)snprintf(buf + used, len - used, "%%%02X", *p);
	}
	buf[used] = '\0';
	return true;
}

void document_name_append(char *buf, size_t len, const char *text)
{
	size_t used = strlen(buf);
	const unsigned char *p = (const unsigned char *)text;
	while (*p) {
		size_t n = 1;
		if (*p >= 0xF0)
			n = 4;
		else if (*p >= 0xE0)
			n = 3;
		else if (*p >= 0xC0)
			n = 2;
		bool whole = true;
		for (size_t k = 1; k < n; k++)
			whole &= (p[k] & 0xC0) == 0x80;
		if (!whole || (*p >= 0x80 && *p < 0xC0)) {
			p++; /* not UTF-8: left out */
			continue;
		}
		bool skip = n == 1 && (*p < 0x20 || *p == 0x7F || strchr("/\\\":*?<>|", *p));
		if (!skip) {
			if (used + n + 1 > len)
				break;
			memcpy(buf + used, p, n);
			used += n;
		}
		p += n;
	}
	buf[used] = '\0';
}

void document_code_append(char *buf, size_t len, const char *code)
{
	size_t used = strlen(buf);
	for (const char *p = code; *p && used + 2 <= len; p++)
		buf[used++] = isalnum((unsigned char)*p) ? *p : '-';
	buf[used] = '\0';
}
