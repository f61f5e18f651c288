/* report — the year-end report (SPEC §6, §7): the targets of a year and
 * centre scored against exact figures from the store, with the same period of
 * the previous year, rendered as JSON, CSV (the 绩效自评表's columns, UTF-8
 * with BOM) or Markdown. The HTTP handler and the `report` command both call
 * report_build, so they give the same bytes.
 *
 * The period is the whole year for a closed year and January 1 to today (in
 * the centre's zone, --now respected) for the current one; the previous
 * year's period is the same days a year earlier (February 29 → 28). */
#ifndef GGZY_REPORT_H
#define GGZY_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "document.h"

struct store;
struct targets;
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
};

/* Builds the report of YEAR for CENTER (NULL: all centres); calls cb exactly
 * once, possibly before returning. */
void report_build(const struct report_context *ctx, int year, const char *center,
		  enum document_format fmt, document_cb cb, void *arg);

#endif
