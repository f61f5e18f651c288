/* xlsx_book — a workbook made with libxlsxwriter (Debian's libxlsxwriter-dev)
 * into bytes: the workbook is written to a temporary file (libxlsxwriter
 * 1.1.4 writes files only), read back and the file removed, whatever
 * happens. The helpers below keep the house style of our forms: borders,
 * centred bold headers, numbers as numbers with their display format, and
 * column widths that fit Chinese text (a CJK character is two columns).
 *
 * Numbers arrive as exact decimal text ("200.55") and become the double
 * the file format stores only here, at the last step: a decimal of up to
 * 15 significant digits reads back as written. The output is a function of
 * the input alone (the creation time is given, never the clock), so the
 * command line and HTTP give the same bytes. */
#ifndef GGZY_XLSX_BOOK_H
#define GGZY_XLSX_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct xlsx_book;

enum xlsx_style {
	XLSX_TITLE,	/* bold, large, centred, no border */
	XLSX_NOTE,	/* plain, left, no border */
	XLSX_HEADER,	/* bold, centred, wrapped, bordered, shaded */
	XLSX_TEXT,	/* bordered, left, wrapped */
	XLSX_LABEL,	/* bordered, bold, centred (合计, 自评等级) */
	XLSX_NUMBER,	/* bordered, right */
	XLSX_STYLE_MAX, /* not a style */
};

/* A cell's content: a number (exact decimal text and an Excel number
 * format) or a text; both NULL or empty: an empty bordered cell. */
struct xlsx_value {
	const char *number;
	const char *num_format;
	const char *text;
};

/* A new workbook titled TITLE (its document properties) with one sheet
 * named SHEET (cut to Excel's 31 characters, without []:*?/\); NULL with
 * err set when the temporary file cannot be made. */
struct xlsx_book *xlsx_book_new(const char *title, const char *sheet, time_t created, char *err,
				size_t errlen);
/* Text in a cell (an empty text: a bordered empty cell). */
void xlsx_book_text(struct xlsx_book *b, int row, int col, const char *text, enum xlsx_style style);
/* The decimal DECIMAL in a cell as a number shown with NUM_FORMAT (an Excel
 * number format such as 0.00"万元"); an unparsable decimal is written as
 * text. */
void xlsx_book_number(struct xlsx_book *b, int row, int col, const char *decimal,
		      const char *num_format);
/* V in a bordered cell. */
void xlsx_book_value(struct xlsx_book *b, int row, int col, const struct xlsx_value *v);
/* TEXT across rows R1..R2 and columns C1..C2, merged. */
void xlsx_book_merge(struct xlsx_book *b, int r1, int c1, int r2, int c2, const char *text,
		     enum xlsx_style style);
/* Sets a column's width at least to WIDTH (in characters). */
void xlsx_book_min_width(struct xlsx_book *b, int col, double width);
/* Sets a row's height (points). */
void xlsx_book_row_height(struct xlsx_book *b, int row, double points);
/* Writes the workbook and hands its bytes to *body (malloc'd, caller
 * frees) and *len; frees B in any case. False, with err, when writing
 * failed. */
bool xlsx_book_finish(struct xlsx_book *b, char **body, size_t *len, char *err, size_t errlen)
    __attribute__((warn_unused_result));

/* Display width of UTF-8 TEXT: 2 per CJK or full-width character, 1
 * otherwise; the longest line when TEXT holds line breaks. */
double xlsx_text_width(const char *text);

#endif
