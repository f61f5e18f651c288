#include "xlsx_book.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "xmalloc.h"

#define MAX_COLS 64
#define MAX_FORMATS 48

struct xlsx_book {
	char path[512];
	lxw_workbook *wb;
	lxw_worksheet *ws;
	struct {
		enum xlsx_style style;
		char num_format[64];
		lxw_format *format;
	} formats[MAX_FORMATS];
	size_t nformats;
	double width[MAX_COLS]; /* widest content per column, in characters */
	double min_width[MAX_COLS];
};

double xlsx_text_width(const char *text)
{
	double w = 0, best = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p;) {
		if (*p == '\n') {
			best = w > best ? w : best;
			w = 0;
			p++;
		} else if (*p < 0x80) {
			w += 1;
			p++;
		} else {
			/* Every character of three bytes or more (CJK, full-width
			 * punctuation) takes two columns; two-byte ones one. */
			size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : 2;
			w += n >= 3 ? 2 : 1;
			for (size_t k = 0; k < n && *p; k++)
				p++;
		}
	}
	return w > best ? w : best;
}

static lxw_format *format_of(struct xlsx_book *b, enum xlsx_style style, const char *num_format)
{
	const char *nf = num_format ? num_format : "";
	for (size_t i = 0; i < b->nformats; i++)
		if (b->formats[i].style == style && strcmp(b->formats[i].num_format, nf) == 0)
			return b->formats[i].format;
	lxw_format *f = workbook_add_format(b->wb);
	format_set_font_name(f, "宋体");
	format_set_font_size(f, 11);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	switch (style) {
	case XLSX_TITLE:
		format_set_bold(f);
		format_set_font_size(f, 16);
		format_set_align(f, LXW_ALIGN_CENTER);
		break;
	case XLSX_NOTE: format_set_align(f, LXW_ALIGN_LEFT); break;
	case XLSX_HEADER:
		format_set_bold(f);
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_text_wrap(f);
		format_set_border(f, LXW_BORDER_THIN);
		format_set_bg_color(f, 0xDDEBF7);
		break;
	case XLSX_TEXT:
		format_set_text_wrap(f);
		format_set_border(f, LXW_BORDER_THIN);
		break;
	case XLSX_LABEL:
		format_set_bold(f);
		format_set_align(f, LXW_ALIGN_CENTER);
		format_set_border(f, LXW_BORDER_THIN);
		break;
	case XLSX_NUMBER:
	case XLSX_STYLE_MAX:
		format_set_align(f, LXW_ALIGN_RIGHT);
		format_set_border(f, LXW_BORDER_THIN);
		break;
	}
	if (*nf)
		format_set_num_format(f, nf);
	if (b->nformats < MAX_FORMATS) {
		b->formats[b->nformats].style = style;
		snprintf(b->formats[b->nformats].num_format, sizeof(b->formats[0].num_format), "%s",
			 nf);
		b->formats[b->nformats++].format = f;
	}
	return f;
}

/* Excel's sheet names: at most 31 characters, none of []:*?/\. */
static void sheet_name(const char *in, char *out, size_t len)
{
	size_t used = 0, chars = 0;
	for (const unsigned char *p = (const unsigned char *)in; *p && chars < 31;) {
		size_t n = *p >= 0xF0 ? 4 : *p >= 0xE0 ? 3 : *p >= 0xC0 ? 2 : 1;
		if (n == 1 && strchr("[]:*?/\\'", *p)) {
			p++;
			continue;
		}
		if (used + n + 1 > len || strnlen((const char *)p, n) < n)
			break;
		memcpy(out + used, p, n);
		used += n;
		p += n;
		chars++;
	}
	out[used] = '\0';
	if (!used)
		snprintf(out, len, "Sheet1");
}

struct xlsx_book *xlsx_book_new(const char *title, const char *sheet, time_t created, char *err,
				size_t errlen)
{
	struct xlsx_book *b = xcalloc(1, sizeof(*b));
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	snprintf(b->path, sizeof(b->path), "%s/ggzy-xlsx-XXXXXX", tmp);
	int fd = mkstemp(b->path);
	if (fd < 0) {
		snprintf(err, errlen, "cannot make a temporary file in %s: %s", tmp,
			 strerror(errno));
		free(b);
		return NULL;
	}
	close(fd);
	lxw_workbook_options opts = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
	b->wb = workbook_new_opt(b->path, &opts);
	if (!b->wb) {
		snprintf(err, errlen, "cannot start a workbook in %s", b->path);
		unlink(b->path);
		free(b);
		return NULL;
	}
	/* Fixed properties: the bytes depend on the content alone. */
	lxw_doc_properties props = {
	    .title = (char *)(uintptr_t)title, .author = "ggzy-metricsd", .created = created};
	workbook_set_properties(b->wb, &props);
	char name[128];
	sheet_name(sheet, name, sizeof(name));
	b->ws = workbook_add_worksheet(b->wb, name);
	if (!b->ws)
		b->ws = workbook_add_worksheet(b->wb, "Sheet1");
	worksheet_set_landscape(b->ws);
	worksheet_set_paper(b->ws, 9); /* A4 */
	worksheet_fit_to_pages(b->ws, 1, 0);
	return b;
}

static void note_width(struct xlsx_book *b, int col, double w)
{
	if (col >= 0 && col < MAX_COLS && w > b->width[col])
		b->width[col] = w;
}

void xlsx_book_text(struct xlsx_book *b, int row, int col, const char *text, enum xlsx_style style)
{
	lxw_format *f = format_of(b, style, NULL);
	if (text && *text)
		worksheet_write_string(b->ws, (lxw_row_t)row, (lxw_col_t)col, text, f);
	else
		worksheet_write_blank(b->ws, (lxw_row_t)row, (lxw_col_t)col, f);
	if (text && style != XLSX_TITLE && style != XLSX_NOTE)
		note_width(b, col, xlsx_text_width(text));
}

/* About how wide Excel shows DECIMAL under NUM_FORMAT's first section: its
 * whole digits with group separators, two decimals, a sign, a percent
 * sign, and the quoted texts ("亿元", "提高", "个百分点"). */
static double shown_width(const char *decimal, const char *num_format)
{
	size_t whole = strcspn(decimal, ".");
	if (decimal[0] == '-')
		whole--;
	double w = (double)whole + (double)(whole > 3 ? (whole - 1) / 3 : 0) + 1;
	const char *f = num_format ? num_format : "";
	size_t n = strcspn(f, ";");
	bool quoted = false;
	char lit[128];
	size_t nl = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i] == '"') {
			quoted = !quoted;
			continue;
		}
		if (quoted) {
			if (nl + 1 < sizeof(lit))
				lit[nl++] = f[i];
		} else if (f[i] == '.') {
			w += 3;
		} else if (f[i] == '%') {
			w += 3; /* a ratio shown ×100 */
		}
	}
	lit[nl] = '\0';
	return w + xlsx_text_width(lit);
}

void xlsx_book_number(struct xlsx_book *b, int row, int col, const char *decimal,
		      const char *num_format)
{
	char *end;
	errno = 0;
	double v = strtod(decimal, &end);
	if (!*decimal || *end || errno) {
		xlsx_book_text(b, row, col, decimal, XLSX_TEXT);
		return;
	}
	worksheet_write_number(b->ws, (lxw_row_t)row, (lxw_col_t)col, v,
			       format_of(b, XLSX_NUMBER, num_format));
	note_width(b, col, shown_width(decimal, num_format));
}

void xlsx_book_value(struct xlsx_book *b, int row, int col, const struct xlsx_value *v)
{
	if (v->number && *v->number)
		xlsx_book_number(b, row, col, v->number, v->num_format);
	else
		xlsx_book_text(b, row, col, v->text ? v->text : "", XLSX_TEXT);
}

void xlsx_book_merge(struct xlsx_book *b, int r1, int c1, int r2, int c2, const char *text,
		     enum xlsx_style style)
{
	worksheet_merge_range(b->ws, (lxw_row_t)r1, (lxw_col_t)c1, (lxw_row_t)r2, (lxw_col_t)c2,
			      text ? text : "", format_of(b, style, NULL));
	/* A merge over one column widens it; over several it shares them. */
	if (c1 == c2 && style != XLSX_TITLE && style != XLSX_NOTE)
		note_width(b, c1, xlsx_text_width(text ? text : ""));
}

void xlsx_book_min_width(struct xlsx_book *b, int col, double width)
{
	if (col >= 0 && col < MAX_COLS && width > b->min_width[col])
		b->min_width[col] = width;
}

void xlsx_book_row_height(struct xlsx_book *b, int row, double points)
{
	worksheet_set_row(b->ws, (lxw_row_t)row, points, NULL);
}

bool xlsx_book_finish(struct xlsx_book *b, char **body, size_t *len, char *err, size_t errlen)
{
	for (int c = 0; c < MAX_COLS; c++) {
		double w = b->width[c] > b->min_width[c] ? b->width[c] : b->min_width[c];
		if (w > 0)
			worksheet_set_column(b->ws, (lxw_col_t)c, (lxw_col_t)c,
					     (w > 60 ? 60 : w) + 2, NULL);
	}
	lxw_error e = workbook_close(b->wb);
	bool ok = false;
	*body = NULL;
	*len = 0;
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "writing the workbook: %s", lxw_strerror(e));
	} else {
		FILE *f = fopen(b->path, "rb");
		struct stat sb;
		if (!f || fstat(fileno(f), &sb) != 0 || sb.st_size <= 0) {
			snprintf(err, errlen, "reading the workbook back: %s", strerror(errno));
		} else {
			*body = xmalloc((size_t)sb.st_size);
			*len = fread(*body, 1, (size_t)sb.st_size, f);
			ok = *len == (size_t)sb.st_size;
			if (!ok) {
				snprintf(err, errlen, "reading the workbook back: short read");
				free(*body);
				*body = NULL;
				*len = 0;
			}
		}
		if (f)
			fclose(f);
	}
	unlink(b->path);
	free(b);
	return ok;
}
