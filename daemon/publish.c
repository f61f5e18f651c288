#include "publish.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "sql_files.h"
#include "store.h"
#include "targets.h"
#include "wallclock.h"
#include "xmalloc.h"

/* The figures moved this many times while the documents were made: give up
 * (a store that changes every few milliseconds is being loaded). */
#define PUBLISH_ATTEMPTS 5

static char *hex_encode(const char *body, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char *text = xmalloc(2 * len + 1);
	for (size_t i = 0; i < len; i++) {
		text[2 * i] = hex[(unsigned char)body[i] >> 4];
		text[2 * i + 1] = hex[(unsigned char)body[i] & 15];
	}
	text[2 * len] = '\0';
	return text;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes TEXT (hex digits) into a new buffer; false when it is not hex. */
static bool hex_decode(const char *text, char **out, size_t *len)
{
	size_t n = strlen(text);
	if (n % 2)
		return false;
	char *buf = xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(buf);
			return false;
		}
		buf[i] = (char)(hi << 4 | lo);
	}
	buf[n / 2] = '\0';
	*out = buf;
	*len = n / 2;
	return true;
}

/* ---- publishing ---- */

/* The formats stored, in the order they are made (the columns of
 * ggzy.publish_report's parameters). */
static const enum document_format publish_formats[] = {DOC_JSON, DOC_CSV, DOC_MD, DOC_XLSX};
#define NFORMATS (sizeof(publish_formats) / sizeof(publish_formats[0]))

enum publish_state { PUBLISH_VERSION, PUBLISH_DOCUMENTS, PUBLISH_STORING };

struct publish_job {
	enum publish_state state;
	struct report_context ctx; /* targets retained */
	int year;
	char *center; /* NULL: all */
	publish_cb cb;
	void *arg;
	int attempts;
	long long store_version;
	size_t made; /* documents made in this attempt */
	char *body[NFORMATS];
	size_t len[NFORMATS];
};

static void publish_clear(struct publish_job *j)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		free(j->body[i]);
		j->body[i] = NULL;
		j->len[i] = 0;
	}
	j->made = 0;
}

static void publish_free(struct publish_job *j)
{
	publish_clear(j);
	targets_free(j->ctx.targets);
	free(j->center);
	free(j);
}

static void publish_fail(struct publish_job *j, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void publish_fail(struct publish_job *j, int status, const char *code, const char *fmt, ...)
{
	struct publish_result r = {.status = status, .code = code};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r.message, sizeof(r.message), fmt, ap);
	va_end(ap);
	j->cb(&r, j->arg);
	publish_free(j);
}

static void publish_attempt(struct publish_job *j);

static void on_published(PGresult *res, const char *error, void *arg)
{
	struct publish_job *j = arg;
	if (error) {
		log_warn("publish %d: the store refused the version: %s", j->year, error);
		publish_fail(j, 503, "store_unavailable", "the version could not be stored");
		return;
	}
	if (PQntuples(res) != 1) {
		/* The figures moved after the documents were made: again. */
		log_info("publish %d: the figures moved while the report was made; again", j->year);
		publish_clear(j);
		publish_attempt(j);
		return;
	}
	struct publish_result r = {.status = 200, .version = atoi(PQgetvalue(res, 0, 0))};
	if (r.version == 0) {
		publish_fail(j, 409, "loading",
			     "a source is still loading its history: publish once it is loaded");
		return;
	}
	wallclock_format_local((time_t)atof(PQgetvalue(res, 0, 1)), r.published_at,
			       sizeof(r.published_at));
	snprintf(r.sha256, sizeof(r.sha256), "%s", PQgetvalue(res, 0, 2));
	log_info("publish %d%s%s: version %d stored (sha256 %s)", j->year,
		 j->center ? " centre " : "", j->center ? j->center : "", r.version, r.sha256);
	j->cb(&r, j->arg);
	publish_free(j);
}

static void publish_store(struct publish_job *j)
{
	j->state = PUBLISH_STORING;
	char year[16], version[32];
	snprintf(year, sizeof(year), "%d", j->year);
	snprintf(version, sizeof(version), "%lld", j->store_version);
	char *hex[NFORMATS];
	for (size_t i = 0; i < NFORMATS; i++)
		hex[i] = j->body[i] ? hex_encode(j->body[i], j->len[i]) : NULL;
	const char *params[7] = {year,	 j->center ? j->center : "", hex[0], hex[1], hex[2], hex[3],
				 version};
	store_query_writer(j->ctx.store,
			   "SELECT version, published_at, sha256 FROM ggzy.publish_report("
			   "$1::integer, $2::text, decode($3, 'hex'), decode($4, 'hex'), "
			   "decode($5, 'hex'), decode($6, 'hex'), $7::bigint)",
			   7, params, on_published, j);
	for (size_t i = 0; i < NFORMATS; i++)
		free(hex[i]);
}

static void make_next(struct publish_job *j);

static void on_document(const struct document *d, void *arg)
{
	struct publish_job *j = arg;
	if (d->status != 200) {
		publish_fail(j, d->status, d->code, "%s", d->message);
		return;
	}
	j->body[j->made] = xmalloc(d->len + 1);
	memcpy(j->body[j->made], d->body, d->len);
	j->body[j->made][d->len] = '\0';
	j->len[j->made] = d->len;
	j->made++;
	make_next(j);
}

static void make_next(struct publish_job *j)
{
	if (j->made == NFORMATS) {
		publish_store(j);
		return;
	}
	report_build(&j->ctx, j->year, j->center, publish_formats[j->made], on_document, j);
}

static void on_store_version(bool ok, long long version, void *arg)
{
	struct publish_job *j = arg;
	if (!ok) {
		publish_fail(j, 503, "store_unavailable", "the store did not answer");
		return;
	}
	j->store_version = version;
	j->state = PUBLISH_DOCUMENTS;
	make_next(j);
}

/* The figures' version first, then every document on the reader (a read
 * that starts after it): if the version is still the store's when the
 * writer stores them, they show the figures of that version. */
static void publish_attempt(struct publish_job *j)
{
	if (++j->attempts > PUBLISH_ATTEMPTS) {
		publish_fail(j, 503, "store_busy",
			     "the figures kept moving while the report was made; try again");
		return;
	}
	j->state = PUBLISH_VERSION;
	store_version(j->ctx.store, on_store_version, j);
}

void publish_report(const struct report_context *ctx, int year, const char *center, publish_cb cb,
		    void *arg)
{
	struct publish_job *j = xcalloc(1, sizeof(*j));
	j->ctx = *ctx;
	j->ctx.targets = targets_retain(ctx->targets);
	j->year = year;
	j->center = xstrdup_or_null(center);
	j->cb = cb;
	j->arg = arg;
	char today[11];
	int this_year = wallclock_day(wallclock_now(ctx->clock), today);
	if (year > this_year) {
		publish_fail(j, 400, "bad_parameter", "year %d has not begun", year);
		return;
	}
	if (year == this_year) {
		publish_fail(j, 409, "year_open",
			     "year %d is not closed yet: only a closed year is published", year);
		return;
	}
	publish_attempt(j);
}

/* ---- a published version's bytes ---- */

struct document_job {
	int year, version;
	char center[65];
	enum document_format fmt;
	document_cb cb;
	void *arg;
};

static void document_error(struct document_job *j, int status, const char *code, const char *msg)
{
	struct document d = {.status = status, .code = code};
	snprintf(d.message, sizeof(d.message), "%s", msg);
	j->cb(&d, j->arg);
	free(j);
}

static void on_published_document(PGresult *res, const char *error, void *arg)
{
	struct document_job *j = arg;
	if (error) {
		log_warn("report %d version %d: store query failed: %s", j->year, j->version,
			 error);
		document_error(j, 503, "store_unavailable", "the store did not answer");
		return;
	}
	if (PQntuples(res) != 1) {
		char msg[160];
		snprintf(msg, sizeof(msg), "year %d%s%s has no published version %d", j->year,
			 j->center[0] ? " centre " : "", j->center, j->version);
		document_error(j, 404, "unknown_version", msg);
		return;
	}
	if (PQgetisnull(res, 0, 0)) {
		document_error(j, 404, "unknown_format",
			       "this version was published without that format");
		return;
	}
	struct document d = {.status = 200, .content_type = document_content_type(j->fmt)};
	if (!hex_decode(PQgetvalue(res, 0, 0), &d.body, &d.len)) {
		document_error(j, 500, "bad_document", "the stored document is not readable");
		return;
	}
	if (j->fmt != DOC_JSON) {
		char code[65] = "";
		document_code_append(code, sizeof(code), j->center[0] ? j->center : "all");
		snprintf(d.filename, sizeof(d.filename), "ggzy-report-%d-%s-v%d.%s", j->year, code,
			 j->version, document_format_name(j->fmt));
	}
	j->cb(&d, j->arg);
	free(d.body);
	free(j);
}

void publish_document(struct store *st, int year, const char *center, int version,
		      enum document_format fmt, document_cb cb, void *arg)
{
	struct document_job *j = xcalloc(1, sizeof(*j));
	j->year = year;
	j->version = version;
	snprintf(j->center, sizeof(j->center), "%s", center ? center : "");
	j->fmt = fmt;
	j->cb = cb;
	j->arg = arg;
	char y[16], v[16];
	snprintf(y, sizeof(y), "%d", year);
	snprintf(v, sizeof(v), "%d", version);
	const char *params[4] = {y, j->center, v, document_format_name(fmt)};
	store_query(st, sql_text("queries/published_document.sql"), 4, params,
		    on_published_document, j);
}

/* ---- the current report, annotated ---- */

struct annotate_job {
	struct document d; /* the current report, body owned */
	document_cb cb;
	void *arg;
};

static void annotate_finish(struct annotate_job *j)
{
	j->cb(&j->d, j->arg);
	free(j->d.body);
	free(j);
}

/* The "changed" list: every current indicator whose figure ("actual")
 * differs from the one of the same name in the published document. */
static json_t *changed_list(json_t *published, json_t *current)
{
	json_t *out = json_array();
	json_t *then = json_object_get(published, "indicators");
	json_t *now = json_object_get(current, "indicators");
	size_t i;
	json_t *ind;
	json_array_foreach(now, i, ind)
	{
		const char *name = json_string_value(json_object_get(ind, "name"));
		json_t *actual = json_object_get(ind, "actual");
		size_t k;
		json_t *old, *found = NULL;
		json_array_foreach(then, k, old)
		{
			const char *n = json_string_value(json_object_get(old, "name"));
			if (name && n && strcmp(name, n) == 0) {
				found = old;
				break;
			}
		}
		json_t *was = found ? json_object_get(found, "actual") : NULL;
		if (!name || (was && actual && json_equal(was, actual)))
			continue;
		json_array_append_new(out, json_pack("{s:s, s:O, s:O}", "name", name, "published",
						     was ? was : json_null(), "actual",
						     actual ? actual : json_null()));
	}
	return out;
}

static void on_latest(PGresult *res, const char *error, void *arg)
{
	struct annotate_job *j = arg;
	if (error) {
		log_warn("report: reading the published versions failed: %s", error);
		annotate_finish(j);
		return;
	}
	if (PQntuples(res) != 1) {
		annotate_finish(j); /* nothing published */
		return;
	}
	json_t *published = json_loads(PQgetvalue(res, 0, 2), 0, NULL);
	json_t *current = json_loadb(j->d.body, j->d.len, 0, NULL);
	if (!published || !current) {
		json_decref(published);
		json_decref(current);
		annotate_finish(j);
		return;
	}
	char at[40];
	wallclock_format_local((time_t)atoll(PQgetvalue(res, 0, 1)), at, sizeof(at));
	json_object_set_new(current, "published",
			    json_pack("{s:i, s:s, s:o}", "version", atoi(PQgetvalue(res, 0, 0)),
				      "published_at", at, "changed",
				      changed_list(published, current)));
	/* As report.c writes the report. */
	char *text =
	    json_dumps(current, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(published);
	json_decref(current);
	if (text) {
		free(j->d.body);
		j->d.body = text;
		j->d.len = strlen(text);
	}
	annotate_finish(j);
}

void publish_annotate(struct store *st, int year, const char *center, const struct document *d,
		      document_cb cb, void *arg)
{
	if (d->status != 200) {
		cb(d, arg);
		return;
	}
	struct annotate_job *j = xcalloc(1, sizeof(*j));
	j->d = *d;
	j->d.body = xmalloc(d->len + 1);
	memcpy(j->d.body, d->body, d->len);
	j->d.body[d->len] = '\0';
	j->cb = cb;
	j->arg = arg;
	char y[16];
	snprintf(y, sizeof(y), "%d", year);
	const char *params[2] = {y, center ? center : ""};
	store_query(st, sql_text("queries/published_latest.sql"), 2, params, on_latest, j);
}

/* ---- what moved after a version ---- */

struct changes_job {
	int year, version;
	publish_changes_cb cb;
	void *arg;
};

static void on_changes(PGresult *res, const char *error, void *arg)
{
	struct changes_job *j = arg;
	if (error || PQntuples(res) != 1) {
		log_warn("report %d changes: store query failed: %s", j->year,
			 error ? error : "no row");
		j->cb(503, "store_unavailable", "the store did not answer", NULL, j->arg);
	} else if (PQgetisnull(res, 0, 0)) {
		char msg[128];
		if (j->version)
			snprintf(msg, sizeof(msg), "year %d has no published version %d", j->year,
				 j->version);
		else
			snprintf(msg, sizeof(msg), "year %d has no published version", j->year);
		j->cb(404, "unknown_version", msg, NULL, j->arg);
	} else {
		json_t *changes = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
		if (!changes) {
			j->cb(500, "bad_changes", "the store's answer is not JSON", NULL, j->arg);
		} else {
			json_t *body = json_pack("{s:i, s:o}", "version",
						 atoi(PQgetvalue(res, 0, 0)), "changes", changes);
			j->cb(200, NULL, NULL, body, j->arg);
			json_decref(body);
		}
	}
	free(j);
}

void publish_changes(struct store *st, int year, const char *center, int version,
		     publish_changes_cb cb, void *arg)
{
	struct changes_job *j = xcalloc(1, sizeof(*j));
	j->year = year;
	j->version = version;
	j->cb = cb;
	j->arg = arg;
	char y[16], v[16];
	snprintf(y, sizeof(y), "%d", year);
	snprintf(v, sizeof(v), "%d", version);
	const char *params[3] = {y, center ? center : "", version ? v : NULL};
	store_query(st, sql_text("queries/published_changes.sql"), 3, params, on_changes, j);
}
