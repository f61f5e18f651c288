/* GET / and the page's assets: the built-in dashboard, served from the bytes
 * compiled into the binary (web_files.h), so it works on a network with no
 * way out. Every file carries a strong ETag; a matching If-None-Match gets a
 * 304 with no body. The Content-Security-Policy allows only this origin: the
 * page cannot load, or be made to load, anything from elsewhere. */
#include <event2/buffer.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "http.h"
#include "web_files.h"

/* 'self' for everything the page uses; no inline script or style, no
 * plug-ins, no framing, no form posts. SVG is drawn through the DOM. */
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
			  "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
			  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

static const struct web_file *find_file(const char *path)
{
	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (size_t i = 0; i < web_nfiles; i++)
		if (strcmp(web_files[i].path, path) == 0)
			return &web_files[i];
	return NULL;
}

/* If-None-Match is "*" or a comma-separated list of entity tags; it uses
 * weak comparison (RFC 9110 13.1.2), so W/"x" matches "x". */
static bool etag_matches(const char *header, const char *etag)
{
	size_t elen = strlen(etag);
	const char *p = header;
	while (*p) {
		p += strspn(p, " \t,");
		if (*p == '*')
			return true;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		size_t n = strcspn(p, ",");
		size_t t = n;
		while (t > 0 && (p[t - 1] == ' ' || p[t - 1] == '\t'))
			t--;
		if (t == elen && memcmp(p, etag, elen) == 0)
			return true;
		p += n;
	}
	return false;
}

void api_page(struct evhttp_request *req, struct app *app)
{
	(void)app;
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	const struct web_file *f = find_file(path);
	if (!f) { /* the route table and daemon/web/ disagree: a build error */
		http_reply_error(req, 404, "not_found", "no such endpoint");
		return;
	}
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);
	evhttp_add_header(h, "ETag", f->etag);
	/* Revalidate every time: a new daemon build must show its new page at
	 * once, and the 304 makes that cheap. */
	evhttp_add_header(h, "Cache-Control", "no-cache");
	evhttp_add_header(h, "Content-Security-Policy", csp);
	evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
	evhttp_add_header(h, "Referrer-Policy", "no-referrer");
	const char *inm =
	    evhttp_find_header(evhttp_request_get_input_headers(req), "If-None-Match");
	if (inm && etag_matches(inm, f->etag)) {
		evhttp_send_reply(req, 304, "Not Modified", NULL);
		return;
	}
	evhttp_add_header(h, "Content-Type", f->content_type);
	struct evbuffer *buf = evbuffer_new();
	evbuffer_add_reference(buf, f->data, f->len, NULL, NULL);
	evhttp_send_reply(req, 200, "OK", buf);
	evbuffer_free(buf);
}
