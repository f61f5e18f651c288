/* xlsx_stats — the statistics table of SPEC §10 as a workbook: a title,
 * the unit and the period above the form a centre files: 类别 merged over
 * two header rows, each figure's name (with its unit) merged over its 本期,
 * 累计 and 同比 columns, a row per category and 合计; then the other
 * figures as 指标, 单位, 本期, 累计, 同比. The statistics module fills it;
 * this one only lays it out. */
#ifndef GGZY_XLSX_STATS_H
#define GGZY_XLSX_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "xlsx_book.h"

#define XLSX_STATS_METRICS 5

struct xlsx_stats_row {
	const char *name;
	struct xlsx_value cells[3 * XLSX_STATS_METRICS]; /* per figure: 本期, 累计, 同比 */
};

struct xlsx_stats_figure {
	const char *name, *unit;
	struct xlsx_value cells[3];
};

struct xlsx_stats {
	const char *title, *unit, *period, *sheet;
	const char *headers[XLSX_STATS_METRICS]; /* "成交额（万元）" */
	const struct xlsx_stats_row *rows;
	size_t nrows;
	const struct xlsx_stats_figure *figures;
	size_t nfigures;
	time_t created;
};

/* The workbook's bytes into *body (malloc'd) and *len; false with err. */
bool xlsx_stats_write(const struct xlsx_stats *s, char **body, size_t *len, char *err,
		      size_t errlen) __attribute__((warn_unused_result));

#endif
