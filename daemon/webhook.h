/* webhook — POSTs a body to a URL without blocking the loop: libevent's
 * HTTP client, asynchronous DNS, HTTPS through libevent's OpenSSL
 * bufferevents (the server's certificate checked against the system's CAs
 * or a CA file, and against the URL's host), and a deadline on the whole
 * exchange: a receiver that accepts the connection and never answers is
 * given up on at the timeout. One request at a time per webhook (the alert
 * notifier and each feed never need more). */
#ifndef GGZY_WEBHOOK_H
#define GGZY_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct webhook;

/* ok: the receiver answered 2xx; detail says what happened otherwise
 * ("HTTP 503", "no answer from ...", "timed out after 30s", a TLS error). */
typedef void (*webhook_cb)(bool ok, const char *detail, void *arg);

struct webhook_options {
	int timeout_seconds;
	const char *ca_file; /* https: PEM CA certificates; NULL: the system's */
};

/* An http:// or https:// URL; NULL with *error set when URL is neither or
 * the CA file cannot be read. */
struct webhook *webhook_new_opt(struct event_base *base, const char *url,
				const struct webhook_options *opts, char *error, size_t errlen);
/* An http:// URL only (the alert notifier's). */
struct webhook *webhook_new(struct event_base *base, const char *url, int timeout_seconds,
			    char *error, size_t errlen);
void webhook_free(struct webhook *w);
bool webhook_busy(const struct webhook *w);
/* Sends BODY (copied) as JSON; cb is called exactly once, never before this
 * returns. Not while busy. */
void webhook_post(struct webhook *w, const char *body, size_t len, webhook_cb cb, void *arg);
/* The same with CONTENT_TYPE and extra HEADERS (name, value, ..., NULL;
 * NULL: none), copied. */
void webhook_post_as(struct webhook *w, const char *content_type, const char *const *headers,
		     const char *body, size_t len, webhook_cb cb, void *arg);
/* The HTTP status of the last answer, 0 when there was none. */
int webhook_last_status(const struct webhook *w);

#endif
