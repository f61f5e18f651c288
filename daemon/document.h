/* document — what the report, the statistics tables and the feeds hand
 * back: a body in one of four formats with its type and download names,
 * or an error with its HTTP status. The HTTP handlers, the command line
 * and the feeds all take the same struct, so that each sends the same
 * bytes. */
#ifndef GGZY_DOCUMENT_H
#define GGZY_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

enum document_format { DOC_JSON, DOC_CSV, DOC_MD, DOC_XLSX };

/* "json", "csv", "md" or "xlsx". */
bool document_format_parse(const char *text, enum document_format *out)
    __attribute__((warn_unused_result));
const char *document_format_name(enum document_format fmt);
/* The file extension and the content type of FMT. */
const char *document_content_type(enum document_format fmt);

struct document {
	int status;	  /* 200, or the HTTP status of the problem */
	const char *code; /* error code when status is not 200 */
	char message[256];
	const char *content_type;
	/* Download names ("" for none, as for JSON): ASCII only (letters,
	 * digits, '-', '.'), and the same with the centre's and period's
	 * Chinese names (UTF-8, no path or quote characters). */
	char filename[128];
	char filename_utf8[256];
	char *body; /* owned by the producer; valid during the callback */
	size_t len;
};

typedef void (*document_cb)(const struct document *d, void *arg);

/* The value of a Content-Disposition header for D ("attachment;
 * filename=\"...\"; filename*=UTF-8''..." per RFC 6266 and 5987). False
 * when D has no download name. */
bool document_disposition(const struct document *d, char *buf, size_t len);

/* Appends TEXT to the UTF-8 name being built in BUF (NUL-terminated, LEN
 * bytes), leaving out control characters and / \ " : * ? < > |, and never
 * cutting a character. */
void document_name_append(char *buf, size_t len, const char *text);
/* Appends an ASCII-safe form of a centre code (letters and digits kept,
 * anything else '-') to BUF. */
void document_code_append(char *buf, size_t len, const char *code);

#endif
