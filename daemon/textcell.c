#include "textcell.h"

#include <event2/buffer.h>
#include <string.h>

void textcell_csv(struct evbuffer *out, const char *v, bool last)
{
	if (strpbrk(v, ",\"\r\n")) {
		evbuffer_add(out, "\"", 1);
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
