#include "xlsx_stats.h"

#define NCOLS (1 + 3 * XLSX_STATS_METRICS)

bool xlsx_stats_write(const struct xlsx_stats *s, char **body, size_t *len, char *err,
		      size_t errlen)
{
	struct xlsx_book *b = xlsx_book_new(s->title, s->sheet, s->created, err, errlen);
	if (!b)
		return false;
	xlsx_book_merge(b, 0, 0, 0, NCOLS - 1, s->title, XLSX_TITLE);
	xlsx_book_row_height(b, 0, 28);
	xlsx_book_merge(b, 1, 0, 1, NCOLS - 1, s->unit, XLSX_NOTE);
	xlsx_book_merge(b, 2, 0, 2, NCOLS - 1, s->period, XLSX_NOTE);
	xlsx_book_merge(b, 3, 0, 4, 0, "类别", XLSX_HEADER);
	static const char *const sub[3] = {"本期", "累计", "同比"};
	for (int m = 0; m < XLSX_STATS_METRICS; m++) {
		xlsx_book_merge(b, 3, 1 + 3 * m, 3, 3 + 3 * m, s->headers[m], XLSX_HEADER);
		for (int k = 0; k < 3; k++)
			xlsx_book_text(b, 4, 1 + 3 * m + k, sub[k], XLSX_HEADER);
	}
	int r = 5;
	for (size_t i = 0; i < s->nrows; i++, r++) {
		const struct xlsx_stats_row *row = &s->rows[i];
		xlsx_book_text(b, r, 0, row->name, i + 1 == s->nrows ? XLSX_LABEL : XLSX_TEXT);
		for (int c = 0; c < 3 * XLSX_STATS_METRICS; c++)
			xlsx_book_value(b, r, 1 + c, &row->cells[c]);
	}
	r++; /* a blank row between the two tables */
	static const char *const head[] = {"指标", "单位", "本期", "累计", "同比"};
	for (int c = 0; c < 5; c++)
		xlsx_book_text(b, r, c, head[c], XLSX_HEADER);
	r++;
	for (size_t i = 0; i < s->nfigures; i++, r++) {
		const struct xlsx_stats_figure *f = &s->figures[i];
		xlsx_book_text(b, r, 0, f->name, XLSX_TEXT);
		xlsx_book_text(b, r, 1, f->unit, XLSX_TEXT);
		for (int k = 0; k < 3; k++)
			xlsx_book_value(b, r, 2 + k, &f->cells[k]);
	}
	for (int c = 1; c < NCOLS; c++)
		xlsx_book_min_width(b, c, 10);
	return xlsx_book_finish(b, body, len, err, errlen);
}
