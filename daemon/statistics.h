/* statistics — the periodic statistics table of SPEC §10 (月报、季报、半年报、
 * 年报): for a month, quarter, half or year and a centre with its
 * descendants, one row per category and 合计 with deals, deal amount,
 * savings, premium and service fees for the period, the year to date and
 * that year to date's 同比; then the other figures of the form (e-bidding
 * and remote-opening rates, remote evaluations, deposits per kind, liquidity
 * released, experts drawn, expert fees) the same three ways.
 *
 * Figures are exact sums read from the store's monthly and daily totals
 * (indicators.h, so they equal the report's and the series API's), in two
 * queries: the period and its year to date, then that year to date a year
 * earlier (and the period's own days a year earlier). A period not over
 * yet runs to today in the centre's zone (--now respected) and says so
 * (`closed: false`, and the period line of CSV, Markdown and XLSX).
 *
 * JSON writes amounts as strings with two decimals, counts as integers,
 * rates and 同比 as numbers (6 decimals) or null; CSV (UTF-8 with BOM),
 * Markdown and XLSX render the form a centre files (本期 / 累计 / 同比
 * columns, amounts in 万元). The HTTP handler, the `statistics` command and
 * the feeds all call statistics_build, so they give the same bytes. */
#ifndef GGZY_STATISTICS_H
#define GGZY_STATISTICS_H

#include "document.h"

struct store;
struct wallclock;

/* What a table is built from; borrowed for the call. */
struct statistics_context {
	struct store *store;
	const struct wallclock *clock;
	const char *sources; /* the configured sources, a text[] literal (as_of) */
};

/* Builds the table of PERIOD ("2021-09", "2021-Q3", "2021-H1", "2021") for
 * CENTER (NULL: all centres); cb is called exactly once, possibly before
 * this returns: 400 for a period that is not one or has not begun, 404 for
 * a centre the store does not know, 503 when the store does not answer. */
void statistics_build(const struct statistics_context *ctx, const char *period, const char *center,
		      enum document_format fmt, document_cb cb, void *arg);

#endif
