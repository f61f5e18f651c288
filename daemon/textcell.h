/* textcell — a cell of the CSV and Markdown tables the report and the
 * statistics write: RFC 4180 quoting for CSV (a field holding a comma, a
 * quote or a line break is quoted, quotes doubled; lines end in CRLF), and
 * a Markdown table cell without line breaks, pipes escaped. A CSV text
 * that a spreadsheet would take for a formula (it begins with = + - @, a
 * tab or a carriage return, and is not a number) is written quoted after
 * an apostrophe, so that Excel shows it and never evaluates it. */
#ifndef GGZY_TEXTCELL_H
#define GGZY_TEXTCELL_H

#include <stdbool.h>

struct evbuffer;

/* V as a CSV field, then ',' or, when LAST, CRLF. */
void textcell_csv(struct evbuffer *out, const char *v, bool last);
/* " V |": a Markdown cell after a '|' already written. */
void textcell_md(struct evbuffer *out, const char *v);

#endif
