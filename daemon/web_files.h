/* web_files — the built-in page of daemon/web/, compiled into the binary
 * (see cmake/embed_web.cmake), each file with its content type and a strong
 * ETag derived from its bytes. */
#ifndef GGZY_WEB_FILES_H
#define GGZY_WEB_FILES_H

#include <stddef.h>

struct web_file {
	const char *path; /* "/index.html", "/dashboard.js", ... */
	const char *content_type;
	const char *etag; /* quoted, e.g. "\"3f2a...\"" */
	const unsigned char *data;
	size_t len;
};

extern const struct web_file web_files[]; /* sorted by path */
extern const size_t web_nfiles;

#endif
