/* form_verify — `report --verify FORM.csv` (SPEC §4): a hand-made
 * self-evaluation form (绩效自评表) checked the way an auditor would, against
 * its own arithmetic and against the store.
 *
 * The form is a CSV in the columns of the report's CSV (一级指标, 二级指标,
 * 三级指标, 年度指标值, 实际完成值, 分值, 得分, in any order, other columns
 * ignored; rows above the header, such as a title, skipped), its indicator
 * lines, then the 合计 row and optionally a 自评等级 row. Checked:
 *  - every quantitative line (年度指标值 and 实际完成值 both quantities, see
 *    quantity.h): its 得分 recomputed from its own target, actual and 分值 by
 *    SPEC §6 with the year's scoring profile; the direction is the target's
 *    sign, else the targets file's for a line it names, else higher;
 *  - the budget-execution line (预算执行率): 分值 × the rate, as the form
 *    scores it (97.89% on 10 points is 9.79; 81.52% is not a full 10);
 *  - the 合计 row: 分值 and 得分 against the sums of the lines, with the
 *    recomputed scores; the 自评等级 against the year's grade bands;
 *  - each 实际完成值 whose 三级指标 names a computed indicator of the
 *    targets file against the store's figure, to the unit shown (a figure
 *    printed in 亿元 to 2 decimals agrees when it rounds the same).
 * Qualitative lines keep their 得分 as written. A line printed by the
 * daemon's own report (the same texts) also agrees with the report's exact
 * score, which is computed before the figures are rounded for printing.
 *
 * Every disagreement is one line "FORM.csv:LINE: 得分 9.89, computed 9.79
 * (10 × 8.81 / 9)", the arithmetic shown. */
#ifndef GGZY_FORM_VERIFY_H
#define GGZY_FORM_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "report.h"

struct form;

/* Reads and parses PATH; NULL when the form cannot be read as one, every
 * problem in errs as "PATH:LINE: message". */
struct form *form_load(const char *path, struct config_errors *errs)
    __attribute__((warn_unused_result));
/* The same for TEXT (LEN bytes) as if read from PATH. */
struct form *form_parse(const char *path, const char *text, size_t len, struct config_errors *errs)
    __attribute__((warn_unused_result));
void form_free(struct form *f);

struct form_summary {
	size_t lines;	 /* indicator lines read */
	size_t rescored; /* of them quantitative (or budget) lines recomputed */
	size_t compared; /* 实际完成值 compared with the store */
	size_t disagreements;
};

/* Checks f against the report's lines (rf->status 200); appends one line
 * per disagreement to out, in the order of the form. */
void form_verify(const struct form *f, const struct report_figures *rf, struct config_errors *out,
		 struct form_summary *sum);

#endif
