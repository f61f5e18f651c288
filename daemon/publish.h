/* publish — published versions of the year-end report (SPEC §11): a closed
 * year's report stored as an immutable, numbered version (every format's
 * bytes, the SHA-256 of its JSON, and the snapshot of the row images it was
 * made from: migration 013), read back byte for byte, the current report's
 * JSON annotated with what moved since the latest version, and the source
 * rows that changed after a version. The HTTP handlers (api_publish.c,
 * api_report.c) and the `report` command call these, so they give the
 * same answers. Everything runs on the store's asynchronous connections:
 * documents are read on the reader, a version is written on the writer in
 * one statement (one transaction: a kill -9 leaves a whole version or none).
 *
 * A centre of NULL is all centres (stored as ''). Every callback is called
 * exactly once, possibly before the call returns; what it is handed is
 * borrowed for the call. */
#ifndef GGZY_PUBLISH_H
#define GGZY_PUBLISH_H

#include <jansson.h>

#include "document.h"
#include "report.h"

struct store;

struct publish_result {
	int status; /* 200, or the HTTP status of the problem (409: the year is open) */
	const char *code;
	char message[256];
	int version;
	char published_at[40]; /* ISO 8601 in the configured zone */
	char sha256[65];       /* hex, of the JSON document's bytes */
};
typedef void (*publish_cb)(const struct publish_result *r, void *arg);

/* Builds the report of YEAR (closed: before the current year of ctx's
 * clock) for CENTER in every format and stores it as the next version.
 * When the figures move while the documents are made, they are made again
 * (a few times, then 503). ctx is copied; its targets are retained. */
void publish_report(const struct report_context *ctx, int year, const char *center, publish_cb cb,
		    void *arg);

/* VERSION of YEAR and CENTER in FMT, the bytes as published (404: no such
 * version). */
void publish_document(struct store *st, int year, const char *center, int version,
		      enum document_format fmt, document_cb cb, void *arg);

/* D, the current report's JSON (status 200), with "published": {"version",
 * "published_at", "changed": [{"name", "published", "actual"}]} added for
 * the latest version of YEAR and CENTER, when there is one; D unchanged
 * otherwise (also when the store cannot tell). */
void publish_annotate(struct store *st, int year, const char *center, const struct document *d,
		      document_cb cb, void *arg);

/* The source rows whose contribution to YEAR (CENTER) changed after VERSION
 * (0: the latest) was published: body {"version", "changes": [...]} (a new
 * reference the callback borrows), or NULL with status and message. */
typedef void (*publish_changes_cb)(int status, const char *code, const char *message, json_t *body,
				   void *arg);
void publish_changes(struct store *st, int year, const char *center, int version,
		     publish_changes_cb cb, void *arg);

#endif
