/* prom — the Prometheus text exposition format's escaping, for every module
 * that writes series (/metrics, the alerts' target series). */
#ifndef GGZY_PROM_H
#define GGZY_PROM_H

struct evbuffer;

/* Appends V escaped as a label value: backslash, double quote and line
 * feed as \\, \" and \n. */
void prom_escape(struct evbuffer *out, const char *v);

#endif
