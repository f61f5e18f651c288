/* feeds_send — a feed's destination (SPEC §10): `url`, an HTTP or HTTPS
 * POST of the file (webhook.h: never blocking, a deadline on the whole
 * exchange) acknowledged by a 2xx; or `directory`, the file written
 * atomically (a temporary file in the directory, fsync, rename to
 * FEED-PERIOD.EXT, fsync of the directory) on a thread (offload.h), so a
 * slow disk never holds up the loop. A POST carries the file's name
 * (Content-Disposition), its SHA-256 and an Idempotency-Key that is the
 * same for every attempt of one feed and period, so that a receiver that
 * acknowledged a send the daemon could not record (kill -9 in between)
 * can tell the re-send of the same bytes. */
#ifndef GGZY_FEEDS_SEND_H
#define GGZY_FEEDS_SEND_H

#include <stdbool.h>
#include <stddef.h>

struct event_base;
struct feed_config;
struct feed_sender;

/* What is sent; borrowed for the call. */
struct feed_parcel {
	const char *feed, *period;
	const char *format; /* the file's extension */
	const char *filename, *content_type, *sha256;
	const char *body;
	size_t len;
	int attempt;
};

/* ok: acknowledged. TO: the URL or the file's path; RESPONSE: "HTTP 201"
 * or "written"; ERROR: why not (NULL when ok). Borrowed for the call. */
typedef void (*feed_sent_cb)(bool ok, const char *to, const char *response, const char *error,
			     void *arg);

/* NULL with err set when the destination cannot be used (a bad URL, a CA
 * file that cannot be read). CFG is copied. */
struct feed_sender *feed_sender_new(struct event_base *base, const struct feed_config *cfg,
				    char *err, size_t errlen);
/* Waits for a file being written (its callback is not called). */
void feed_sender_free(struct feed_sender *s);
/* cb is called exactly once, never before this returns. One at a time. */
void feed_sender_send(struct feed_sender *s, const struct feed_parcel *p, feed_sent_cb cb,
		      void *arg);
/* "FEED-PERIOD.EXT": the name of a period's file in a directory feed. */
void feed_file_name(const char *feed, const char *period, const char *ext, char *buf, size_t len);

#endif
