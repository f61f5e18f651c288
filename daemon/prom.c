#include "prom.h"

#include <event2/buffer.h>
#include <string.h>

void prom_escape(struct evbuffer *out, const char *v)
{
	while (*v) {
		size_t run = strcspn(v, "\\\"\n");
		evbuffer_add(out, v, run);
		v += run;
		if (!*v)
			break;
		evbuffer_add(out, *v == '\n' ? "\\n" : *v == '"' ? "\\\"" : "\\\\", 2);
		v++;
	}
}
