/* csv_read — a CSV file as Excel and the report write one (RFC 4180):
 * fields separated by commas, quoted with double quotes when they hold a
 * comma, a quote (doubled) or a line break; records ending in CRLF or LF;
 * UTF-8 with or without a BOM. Each record keeps the line it starts on, so
 * that a problem can be reported as FILE:LINE.
 *
 * Strict where a guess would misread a form: text that is not UTF-8 (a form
 * saved as GBK, Excel's default "CSV" on a Chinese Windows), a quote inside
 * an unquoted field or text after a closing quote, and an unterminated quote
 * are errors, each with its line. */
#ifndef GGZY_CSV_READ_H
#define GGZY_CSV_READ_H

#include <stdbool.h>
#include <stddef.h>

struct csv_record {
	int line; /* where it starts, from 1 */
	char **fields;
	size_t nfields;
};

struct csv_table {
	struct csv_record *records;
	size_t nrecords;
};

/* Parses TEXT (LEN bytes, need not be NUL-terminated) into out, which the
 * caller frees with csv_free (also after a failure). False on an error:
 * its line in *err_line, what is wrong in err (ERRLEN bytes). */
bool csv_parse(const char *text, size_t len, struct csv_table *out, int *err_line, char *err,
	       size_t errlen) __attribute__((warn_unused_result));
void csv_free(struct csv_table *t);

#endif
