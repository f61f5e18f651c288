/* report — the year-end report (SPEC §6, §7): the targets of a year and
 * centre scored against exact figures from the store, with the same period of
 * the previous year, rendered as JSON, CSV (the 绩效自评表's columns, UTF-8
 * with BOM) or Markdown. The HTTP handler and the `report` command both call
 * report_build, so they give the same bytes; report_figures hands back the
 * same lines with their exact figures and scores (for `report --verify`).
 *
 * The period is the whole year for a closed year and January 1 to today (in
 * the centre's zone, --now respected) for the current one; the previous
 * year's period is the same days a year earlier (February 29 → 28). */
#ifndef GGZY_REPORT_H
#define GGZY_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "document.h"
#include "score.h"

struct metric_def;
struct store;
struct targets;
struct target_year;
struct indicator;
struct wallclock;

/* What a report is built from; every pointer is borrowed for the call (the
 * report retains the targets it started with, so a reload may swap them). */
struct report_context {
	struct store *store;
	struct targets *targets; /* NULL: no targets file */
	const struct wallclock *clock;
	/* The names of the configured sources, a text[] literal: as_of is the
	 * oldest last poll among their streams. */
	const char *sources;
	/* Why a metric's figures cannot be known (its line then says so and
	 * scores nothing), or NULL; may be NULL: every metric can be. */
	const char *(*unavailable)(const struct metric_def *m, char *buf, size_t len, void *arg);
	void *unavailable_arg;
};

/* Builds the report of YEAR for CENTER (NULL: all centres); calls cb exactly
 * once, possibly before returning. */
void report_build(const struct report_context *ctx, int year, const char *center,
		  enum document_format fmt, document_cb cb, void *arg);

/* One line of the report with its exact figure, as `report --verify`
 * compares a form with it. */
struct report_figure {
	const struct indicator *ind;	 /* NULL: a catalogue line (no targets) */
	const struct metric_def *metric; /* NULL: a manual line */
	struct frac actual;		 /* a computed line's figure */
	bool defined;			 /* false: a rate over nothing */
	bool has_score;
	struct dec score;
	char target_display[128], display[128]; /* 年度指标值, 实际完成值 as printed */
};

struct report_figures {
	int status; /* 200, or as in struct document */
	const char *code;
	char message[256];
	const struct target_year *ty; /* NULL: no targets for the year and centre */
	const struct report_figure *lines;
	size_t nlines;
	struct dec total; /* with targets */
};

typedef void (*report_figures_cb)(const struct report_figures *f, void *arg);

/* The same report's lines and figures instead of its text; everything cb
 * sees is borrowed for the call. Calls cb exactly once. */
void report_figures(const struct report_context *ctx, int year, const char *center,
		    report_figures_cb cb, void *arg);

#endif
