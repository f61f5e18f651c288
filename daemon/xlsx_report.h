/* xlsx_report — the year-end report as the 绩效自评表 workbook: a title and
 * the unit and period above the form's columns (一级指标, 二级指标, 三级指标
 * under a merged 绩效指标; 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及
 * 改进措施 merged over the two header rows), one row per indicator with
 * consecutive equal 一级/二级指标 cells merged as the printed form does, then
 * 合计 and 自评等级. Figures are numbers shown in their display unit
 * (0.00"亿元", 0"宗", 0.00%), entered texts stay text. The report module
 * fills the form; this one only lays it out. */
#ifndef GGZY_XLSX_REPORT_H
#define GGZY_XLSX_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "xlsx_book.h"

struct xlsx_form_line {
	const char *level1, *level2, *name;
	struct xlsx_value target, actual, weight, score;
};

struct xlsx_form {
	const char *title;  /* "2021年度绩效自评表" */
	const char *unit;   /* "单位：湘西州公共资源交易中心" */
	const char *period; /* "统计期间 …，数据截至 …" */
	const char *sheet;  /* the sheet's name */
	const struct xlsx_form_line *lines;
	size_t nlines;
	bool scored; /* 合计 and 自评等级 rows */
	struct xlsx_value max_score, total_score;
	const char *grade;
	time_t created;
};

/* The workbook's bytes into *body (malloc'd) and *len; false with err. */
bool xlsx_report_write(const struct xlsx_form *form, char **body, size_t *len, char *err,
		       size_t errlen) __attribute__((warn_unused_result));

#endif
