#include "textcell.h"

#include <ctype.h>
#include <event2/buffer.h>
#include <string.h>

/* An amount, a count or a rate as the tables print them: a sign, digits,
 * a fraction, a percent sign. */
static bool is_number(const char *v)
{
	if (*v == '-' || *v == '+')
		v++;
	if (!isdigit((unsigned char)*v))
		return false;
	while (isdigit((unsigned char)*v))
		v++;
	if (*v == '.') {
		v++;
		if (!isdigit((unsigned char)*v))
			return false;
		while (isdigit((unsigned char)*v))
			v++;
	}
	if (*v == '%')
		v++;
	return *v == '\0';
}

/* Whether a spreadsheet would read V as a formula (OWASP's CSV injection):
 * a text from a source row (a key, a centre's name) must stay a text. */
static bool formula_like(const char *v)
{
	return *v != '\0' && strchr("=+-@\t\r", *v) && !is_number(v);
}

void textcell_csv(struct evbuffer *out, const char *v, bool last)
{
	bool guard = formula_like(v);
	if (guard || strpbrk(v, ",\"\r\n")) {
		evbuffer_add(out, guard ? "\"'" : "\"", guard ? 2 : 1);
		for (; *v; v++) {
			if (*v == '"')
				evbuffer_add(out, "\"", 1);
			evbuffer_add(out, v, 1);
		}
		evbuffer_add(out, "\"", 1);
	} else {
		evbuffer_add(out, v, strlen(v));
	}
	evbuffer_add(out, last ? "\r\n" : ",", last ? 2 : 1);
}

void textcell_md(struct evbuffer *out, const char *v)
{
	evbuffer_add(out, " ", 1);
	for (; *v; v++) {
		if (*v == '|')
			evbuffer_add(out, "\\|", 2);
		else if (*v == '\n' || *v == '\r')
			evbuffer_add(out, " ", 1);
		else
			evbuffer_add(out, v, 1);
	}
	evbuffer_add(out, " |", 2);
}
