/* lease — which sources this daemon polls when several daemons share one
 * store (SPEC §12: `instance`, `lease`). A source's lease is a PostgreSQL
 * advisory lock held by this daemon's lease session on the store
 * (ggzy.take_leases), not a protocol of our own: every `lease` seconds the
 * session keeps what it holds and takes the sources nobody holds; a daemon
 * killed with -9 loses its session, and with it its leases, at once, and the
 * others take its sources at their next round (within one lease period).
 * The session has its own connection: a lost connection is lost leases
 * (told as such), and the next round takes them again. */
#ifndef GGZY_LEASE_H
#define GGZY_LEASE_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct lease;

/* Called after every round with each source and whether this daemon holds
 * it now (false for all when the store did not answer). */
typedef void (*lease_cb)(const char *source, bool held, void *arg);

/* SOURCES (n names) and the strings are copied. Nothing happens before
 * lease_start. */
struct lease *lease_new(struct event_base *base, const char *store_conninfo, const char *instance,
			long period, const char *const *sources, size_t n, lease_cb cb, void *arg);
/* The first round now, then one every period. */
void lease_start(struct lease *l);
void lease_set_period(struct lease *l, long period);
/* Ends the session (the store releases the leases). */
void lease_free(struct lease *l);

#endif
