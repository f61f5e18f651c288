#include "gzip_frame.h"

#include <event2/buffer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "xmalloc.h"

static const unsigned char gzip_header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

bool gzip_head_make(const char *text, size_t len, struct gzip_head *head)
{
	memset(head, 0, sizeof(*head));
	head->text_len = len;
	head->crc = crc32(0L, (const Bytef *)text, (uInt)len);
	z_stream zs;
	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) !=
	    Z_OK)
		return false;
	size_t cap = sizeof(gzip_header) + deflateBound(&zs, (uLong)len) + 64;
	head->bytes = xmalloc(cap);
	memcpy(head->bytes, gzip_header, sizeof(gzip_header));
	zs.next_in = (Bytef *)(uintptr_t)text; /* zlib does not write to it */
	zs.avail_in = (uInt)len;
	zs.next_out = head->bytes + sizeof(gzip_header);
	zs.avail_out = (uInt)(cap - sizeof(gzip_header));
	int rc = deflate(&zs, Z_SYNC_FLUSH);
	bool ok = (rc == Z_OK || rc == Z_BUF_ERROR) && zs.avail_in == 0 && zs.avail_out != 0;
	if (ok) {
		head->len = cap - zs.avail_out;
	} else {
		/* cannot happen with deflateBound's room; plain text then */
		free(head->bytes);
		head->bytes = NULL;
	}
	deflateEnd(&zs);
	return ok;
}

void gzip_head_free(struct gzip_head *head)
{
	free(head->bytes);
	head->bytes = NULL;
}

static void put_le(unsigned char *p, unsigned long v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void gzip_finish(struct evbuffer *out, const struct gzip_head *head, struct evbuffer *tail)
{
	size_t tlen = evbuffer_get_length(tail);
	const unsigned char *t = evbuffer_pullup(tail, -1);
	uLong crc = crc32(0L, t, (uInt)tlen);
	if (head)
		crc = crc32_combine(head->crc, crc, (z_off_t)tlen);
	else
		evbuffer_add(out, gzip_header, sizeof(gzip_header));
	size_t off = 0;
	do {
		size_t n = tlen - off > 65535 ? 65535 : tlen - off;
		unsigned char hdr[5];
		hdr[0] = off + n == tlen ? 1 : 0; /* BFINAL, BTYPE 00 (stored) */
		put_le(hdr + 1, n, 2);
		put_le(hdr + 3, ~n & 0xffff, 2);
		evbuffer_add(out, hdr, sizeof(hdr));
		evbuffer_add(out, t + off, n);
		off += n;
	} while (off < tlen);
	unsigned char trailer[8];
	put_le(trailer, crc, 4);
	put_le(trailer + 4, (unsigned long)((head ? head->text_len : 0) + tlen) & 0xffffffffUL, 4);
	evbuffer_add(out, trailer, sizeof(trailer));
}

bool gzip_accepted(const char *ae)
{
	for (const char *p = ae; p && (p = strstr(p, "gzip")) != NULL; p += 4) {
		const char *q = p + 4;
		while (*q == ' ')
			q++;
		if (*q != ';')
			return true;
		q++;
		while (*q == ' ')
			q++;
		if (strncmp(q, "q=0", 3) != 0 || strspn(q + 3, ".0") != strcspn(q + 3, ", "))
			return true;
	}
	return false;
}
