/* webhook — POSTs a JSON body to a URL without blocking the loop: libevent's
 * HTTP client, asynchronous DNS, a deadline on the whole exchange. One
 * request at a time per webhook (the alert notifier never needs more). */
#ifndef GGZY_WEBHOOK_H
#define GGZY_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct webhook;

/* ok: the receiver answered 2xx; detail says what happened otherwise. */
typedef void (*webhook_cb)(bool ok, const char *detail, void *arg);

/* NULL with *error set when URL is not an http:// URL. */
struct webhook *webhook_new(struct event_base *base, const char *url, int timeout_seconds,
			    char *error, size_t errlen);
void webhook_free(struct webhook *w);
bool webhook_busy(const struct webhook *w);
/* Sends BODY (copied); cb is called exactly once, never before this returns.
 * Not while busy. */
void webhook_post(struct webhook *w, const char *body, size_t len, webhook_cb cb, void *arg);

#endif
