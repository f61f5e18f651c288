/* fuzz_form — a hand-made form for `report --verify` (daemon/csv_read.c,
 * daemon/form_verify.c) and the quantities on it (daemon/quantity.c), on
 * arbitrary bytes.
 *
 * Invariants checked beyond "no crash, no leak, no UB":
 *  - csv_parse: records xor an error at a line inside the text; records
 *    start on non-decreasing lines inside the text and hold only valid UTF-8;
 *  - form_parse: a form xor problems, each "fuzz.csv:LINE: message" with LINE
 *    inside the text; a form verified against a report without lines gives
 *    one "fuzz.csv:LINE: ..." per disagreement counted;
 *  - quantity_parse on every field: an accepted quantity written back in its
 *    own unit at its own decimals is the number read, its direction is the
 *    one its sign says, and it is comparable with itself. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_read.h"
#include "form_verify.h"
#include "fuzz.h"
#include "quantity.h"

#define PATH "fuzz.csv"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_form: invariant failed: %s (line %d)\n", #cond,      \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static long count_lines(const uint8_t *data, size_t size)
{
	long n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n' || (data[i] == '\r' && (i + 1 == size || data[i + 1] != '\n'));
	return n;
}

static bool valid_utf8(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
		for (int i = 1; i < n; i++)
			if ((p[i] & 0xC0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static void check_quantity(const char *text)
{
	struct quantity q;
	if (!quantity_parse(text, &q))
		return;
	CHECK(quantity_comparable(&q, &q));
	CHECK((quantity_direction(&q) == DIRECTION_LOWER) ==
	      (q.sign == QUANTITY_LE || q.sign == QUANTITY_LT));
	struct dec back;
	int c;
	if (quantity_in_unit_of(frac_of(q.value), &q, q.number.scale, &back))
		CHECK(dec_cmp(back, q.number, &c) && c == 0);
}

static void check_lines(struct config_errors *errs, long lines)
{
	for (size_t i = 0; i < errs->count; i++) {
		const char *e = errs->lines[i];
		CHECK(strncmp(e, PATH ":", sizeof(PATH)) == 0);
		char *end;
		long line = strtol(e + sizeof(PATH), &end, 10);
		CHECK(end != e + sizeof(PATH) && end[0] == ':' && end[1] == ' ');
		CHECK(line >= 1 && line <= lines);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	long lines = count_lines(data, size);
	struct csv_table t;
	int err_line = 0;
	char err[256];
	if (csv_parse((const char *)data, size, &t, &err_line, err, sizeof(err))) {
		int last = 0;
		for (size_t i = 0; i < t.nrecords; i++) {
			CHECK(t.records[i].line > last && t.records[i].line <= lines);
			last = t.records[i].line;
			for (size_t k = 0; k < t.records[i].nfields; k++) {
				CHECK(valid_utf8(t.records[i].fields[k]));
				check_quantity(t.records[i].fields[k]);
			}
		}
	} else {
		CHECK(err_line >= 1 && err_line <= lines && err[0]);
	}
	csv_free(&t);

	struct config_errors errs = {0};
	struct form *f = form_parse(PATH, (const char *)data, size, &errs);
	CHECK((f != NULL) == (errs.count == 0));
	check_lines(&errs, lines);
	config_errors_clear(&errs);
	if (f) {
		struct report_figures rf = {.status = 200};
		struct form_summary sum;
		form_verify(f, &rf, &errs, &sum);
		CHECK(sum.disagreements == errs.count);
		CHECK(sum.rescored <= sum.lines && sum.compared == 0);
		check_lines(&errs, lines);
		config_errors_clear(&errs);
	}
	form_free(f);
	return 0;
}
