#include "xlsx_report.h"

#include <string.h>

#include "xlsx_book.h"

enum { COL_L1, COL_L2, COL_NAME, COL_TARGET, COL_ACTUAL, COL_WEIGHT, COL_SCORE, COL_NOTE, NCOLS };

static bool same(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

/* Column COL (level1 or level2) of the lines from FIRST: merged down over
 * the run of equal, non-empty cells (level2 only within the same level1). */
static void level_column(struct xlsx_book *b, const struct xlsx_form *f, int top, int col)
{
	for (size_t i = 0; i < f->nlines;) {
		const struct xlsx_form_line *l = &f->lines[i];
		const char *v = col == COL_L1 ? l->level1 : l->level2;
		size_t j = i + 1;
		while (v && *v && j < f->nlines) {
			const struct xlsx_form_line *m = &f->lines[j];
			if (!same(col == COL_L1 ? m->level1 : m->level2, v) ||
			    (col == COL_L2 && !same(m->level1, l->level1)))
				break;
			j++;
		}
		if (j - i > 1)
			xlsx_book_merge(b, top + (int)i, col, top + (int)j - 1, col, v, XLSX_TEXT);
		else
			xlsx_book_text(b, top + (int)i, col, v ? v : "", XLSX_TEXT);
		i = j;
	}
}

bool xlsx_report_write(const struct xlsx_form *f, char **body, size_t *len, char *err,
		       size_t errlen)
{
	struct xlsx_book *b = xlsx_book_new(f->title, f->sheet, f->created, err, errlen);
	if (!b)
		return false;
	xlsx_book_merge(b, 0, 0, 0, NCOLS - 1, f->title, XLSX_TITLE);
	xlsx_book_row_height(b, 0, 28);
	xlsx_book_merge(b, 1, 0, 1, NCOLS - 1, f->unit, XLSX_NOTE);
	xlsx_book_merge(b, 2, 0, 2, NCOLS - 1, f->period, XLSX_NOTE);
	/* The form's two header rows. */
	xlsx_book_merge(b, 3, COL_L1, 3, COL_NAME, "绩效指标", XLSX_HEADER);
	xlsx_book_text(b, 4, COL_L1, "一级指标", XLSX_HEADER);
	xlsx_book_text(b, 4, COL_L2, "二级指标", XLSX_HEADER);
	xlsx_book_text(b, 4, COL_NAME, "三级指标", XLSX_HEADER);
	static const char *const tall[] = {"年度指标值", "实际完成值", "分值", "得分",
					   "偏差原因分析及改进措施"};
	for (int c = COL_TARGET; c < NCOLS; c++)
		xlsx_book_merge(b, 3, c, 4, c, tall[c - COL_TARGET], XLSX_HEADER);
	int top = 5;
	level_column(b, f, top, COL_L1);
	level_column(b, f, top, COL_L2);
	for (size_t i = 0; i < f->nlines; i++) {
		const struct xlsx_form_line *l = &f->lines[i];
		int r = top + (int)i;
		xlsx_book_text(b, r, COL_NAME, l->name, XLSX_TEXT);
		xlsx_book_value(b, r, COL_TARGET, &l->target);
		xlsx_book_value(b, r, COL_ACTUAL, &l->actual);
		xlsx_book_value(b, r, COL_WEIGHT, &l->weight);
		xlsx_book_value(b, r, COL_SCORE, &l->score);
		xlsx_book_text(b, r, COL_NOTE, "", XLSX_TEXT);
	}
	int r = top + (int)f->nlines;
	if (f->scored) {
		xlsx_book_merge(b, r, COL_L1, r, COL_ACTUAL, "合计", XLSX_LABEL);
		xlsx_book_value(b, r, COL_WEIGHT, &f->max_score);
		xlsx_book_value(b, r, COL_SCORE, &f->total_score);
		xlsx_book_text(b, r, COL_NOTE, "", XLSX_TEXT);
		r++;
		xlsx_book_merge(b, r, COL_L1, r, COL_ACTUAL, "自评等级", XLSX_LABEL);
		xlsx_book_merge(b, r, COL_WEIGHT, r, COL_NOTE, f->grade, XLSX_LABEL);
	}
	/* Room for the 偏差原因分析 a centre writes in by hand. */
	xlsx_book_min_width(b, COL_NOTE, 30);
	xlsx_book_min_width(b, COL_L1, 10);
	xlsx_book_min_width(b, COL_L2, 12);
	return xlsx_book_finish(b, body, len, err, errlen);
}
