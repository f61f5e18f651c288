/* gzip_frame — a gzip member (RFC 1952) compressed once and finished many
 * times: /metrics deflates its large figures text once per change (the
 * head: header and deflate data up to a sync flush, byte-aligned, not
 * final), and each reply appends its small live tail as stored deflate
 * blocks, the CRC-32 and the length, without recompressing anything. */
#ifndef GGZY_GZIP_FRAME_H
#define GGZY_GZIP_FRAME_H

#include <stdbool.h>
#include <stddef.h>

struct evbuffer;

struct gzip_head {
	unsigned char *bytes; /* owned; NULL when compression failed */
	size_t len;
	unsigned long crc; /* CRC-32 of the text */
	size_t text_len;
};

/* Compresses TEXT into head; false (head->bytes NULL) when zlib cannot. */
bool gzip_head_make(const char *text, size_t len, struct gzip_head *head);
void gzip_head_free(struct gzip_head *head);
/* Appends to OUT the end of the member HEAD started (NULL: a whole member
 * of TAIL alone): TAIL as stored blocks, the last one final, then the
 * trailer. OUT must already hold head->bytes. */
void gzip_finish(struct evbuffer *out, const struct gzip_head *head, struct evbuffer *tail);
/* Whether an Accept-Encoding header value (may be NULL) takes gzip: a
 * "gzip" coding not refused with q=0. */
bool gzip_accepted(const char *accept_encoding);

#endif
