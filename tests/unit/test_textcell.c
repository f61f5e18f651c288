/* textcell: CSV fields as RFC 4180 quotes them, texts a spreadsheet would
 * take for formulas kept as texts, numbers left alone; Markdown cells. */
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "textcell.h"
#include "unit.h"

static const struct {
	const char *cell;
	const char *csv;
} csv_cases[] = {
    {"plain", "plain,"},
    {"", ","},
    {"a,b", "\"a,b\","},
    {"say \"hi\"", "\"say \"\"hi\"\"\","},
    {"two\r\nlines", "\"two\r\nlines\","},
    {"长沙市公共资源交易中心", "长沙市公共资源交易中心,"},
    /* numbers, negative ones and rates included, stay numbers */
    {"-12.34", "-12.34,"},
    {"+5", "+5,"},
    {"-3.2%", "-3.2%,"},
    {"1047309.57", "1047309.57,"},
    /* formulas stay texts */
    {"=1+2", "\"'=1+2\","},
    {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\","},
    {"+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\","},
    {"-2+3", "\"'-2+3\","},
    {"@SUM(A1)", "\"'@SUM(A1)\","},
    {"\tx", "\"'\tx\","},
    {"\rx", "\"'\rx\","},
    {"-", "\"'-\","},
    {"-.5", "\"'-.5\","},
    {"1.", "1.,"}, /* not a formula: a text that begins with a digit */
};

static char *drain(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char *s = malloc(n + 1);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	return s;
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	for (size_t i = 0; i < sizeof(csv_cases) / sizeof(csv_cases[0]); i++) {
		textcell_csv(b, csv_cases[i].cell, false);
		char *got = drain(b);
		CHECK(strcmp(got, csv_cases[i].csv) == 0, "[%s] gave [%s], not [%s]",
		      csv_cases[i].cell, got, csv_cases[i].csv);
		free(got);
	}
	textcell_csv(b, "a", false);
	textcell_csv(b, "b", true);
	char *row = drain(b);
	CHECK(strcmp(row, "a,b\r\n") == 0, "a row ends in CRLF: [%s]", row);
	free(row);

	textcell_md(b, "a|b\nc");
	char *md = drain(b);
	CHECK(strcmp(md, " a\\|b c |") == 0, "markdown cell [%s]", md);
	free(md);
	evbuffer_free(b);
	return UNIT_DONE();
}
