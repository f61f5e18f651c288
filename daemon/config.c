#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "document.h"
#include "log.h"
#include "xmalloc.h"

#define D(field) offsetof(struct config, field)
#define S(field) offsetof(struct source_config, field)
#define A(field) offsetof(struct alerts_config, field)
#define F(field) offsetof(struct feed_config, field)

/* The one table of configuration keys (Redis' static_configs[] idea). */
const struct config_key config_keys[] = {
    {"daemon", "listen", CFG_LISTEN, D(listen), "127.0.0.1:9470", false, false,
     "HTTP address host:port; loopback by default"},
    {"daemon", "timezone", CFG_TIMEZONE, D(timezone), "Asia/Shanghai", false, false,
     "IANA time zone that decides day boundaries"},
    {"daemon", "store", CFG_CONNINFO, D(store), NULL, true, false,
     "libpq conninfo of the store database (read-write)"},
    {"daemon", "targets", CFG_FILE, D(targets), NULL, false, true, "targets file (JSON), optional"},
    {"daemon", "api_token_file", CFG_FILE, D(api_token_file), NULL, false, true,
     "file holding the bearer token for POST endpoints, optional"},
    {"daemon", "identity_key_file", CFG_FILE, D(identity_key_file), NULL, false, false,
     "key of the hashes kept for expert and bidder ids (32+ bytes), optional"},
    {"daemon", "sources_dir", CFG_DIR, D(sources_dir), NULL, false, false,
     "directory whose *.conf files hold [source ...] sections, optional"},
    {"daemon", "instance", CFG_NAME, D(instance), NULL, false, false,
     "this daemon's name among several sharing one store (leases), optional"},
    {"daemon", "lease", CFG_DURATION, D(lease), "30s", false, true,
     "how often an instance renews its sources' leases and takes free ones"},
    {"daemon", "max_active_sources", CFG_COUNT, D(max_active_sources), "8", false, true,
     "sources loading, polling or reconciling at once; the others wait their turn"},
    {"daemon", "log_level", CFG_LOGLEVEL, D(log_level), "info", false, true,
     "error | warn | info | debug"},
    {"daemon", "max_header_size", CFG_SIZE, D(max_header_size), "8k", false, true,
     "largest request line and headers of an HTTP request"},
    {"daemon", "max_body_size", CFG_SIZE, D(max_body_size), "64k", false, true,
     "largest HTTP request body"},
    {"daemon", "request_timeout", CFG_DURATION, D(request_timeout), "30s", false, true,
     "longest wait for a whole request, and idle time of a kept-alive connection"},
    {"daemon", "max_connections", CFG_COUNT, D(max_connections), "512", false, true,
     "HTTP connections open at once; more are answered 503 and closed"},
    {"daemon", "max_series_points", CFG_COUNT, D(max_series_points), "10000", false, true,
     "most points one /api/v1/series answer may hold"},
    {"source", "conninfo", CFG_CONNINFO, S(conninfo), NULL, true, true,
     "libpq conninfo of the source (read-only role)"},
    {"source", "interval", CFG_DURATION, S(interval), "60s", false, true,
     "incremental poll period"},
    {"source", "overlap", CFG_DURATION, S(overlap), "5m", false, true,
     "how far behind its watermark a poll looks again"},
    {"source", "reconcile_interval", CFG_DURATION, S(reconcile_interval), "1h", false, true,
     "per-month comparison of the current and the previous year"},
    {"source", "reconcile_old_interval", CFG_DURATION, S(reconcile_old_interval), "1d", false, true,
     "per-month comparison of the years before"},
    {"source", "statement_timeout", CFG_DURATION, S(statement_timeout), "30s", false, true,
     "longest a source statement may run"},
    {"alerts", "webhook", CFG_URL, A(webhook), NULL, true, true,
     "Alertmanager v2 API or any webhook (http://)"},
    {"alerts", "evaluate_interval", CFG_DURATION, A(evaluate_interval), "5m", false, true,
     "alert evaluation period"},
    {"alerts", "pacing", CFG_PACING, A(pacing), "linear", false, true, "linear | last_year"},
    {"alerts", "threshold", CFG_RATIO, A(threshold), "0.9", false, true,
     "fire when actual < threshold x expected-by-now"},
    {"feed", "what", CFG_FEED_WHAT, F(what), NULL, true, true, "statistics | report"},
    {"feed", "schedule", CFG_SCHEDULE, F(schedule), NULL, true, true,
     "monthly D HH:MM | quarterly D HH:MM | halfyearly D HH:MM | yearly MM-DD HH:MM"},
    {"feed", "center", CFG_STRING, F(center), NULL, false, true,
     "a centre, with its descendants; absent: all centres"},
    {"feed", "format", CFG_FORMAT, F(format), "xlsx", false, true, "json | csv | md | xlsx"},
    {"feed", "url", CFG_FEED_URL, F(url), NULL, false, true,
     "POST each period's file there (http:// or https://)"},
    {"feed", "directory", CFG_DIRECTORY, F(directory), NULL, false, true,
     "or write each period's file into this directory, atomically"},
    {"feed", "ca_file", CFG_FILE, F(ca_file), NULL, false, true,
     "CA certificates (PEM) an https:// url is checked against; absent: the system's"},
    {"feed", "timeout", CFG_DURATION, F(timeout), "30s", false, true,
     "longest a whole POST may take"},
    {"feed", "retry_max", CFG_DURATION, F(retry_max), "5m", false, true,
     "longest wait between two attempts (backoff from 1s, doubling)"},
};
const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

/* Bounds of the CFG_SIZE and CFG_COUNT keys (a key without a row here takes
 * 0..LONG_MAX). Kept apart so that the key table's rows stay one shape. */
static const struct {
	const char *name;
	long min, max;
} key_bounds[] = {
    {"max_header_size", 1024, 1048576}, {"max_body_size", 0, 16777216},
    {"max_connections", 1, 100000},	{"max_series_points", 1, 10000000},
    {"max_active_sources", 1, 1000},
};

static void bounds_of(const char *name, long *min, long *max)
{
	*min = 0;
	*max = LONG_MAX;
	for (size_t i = 0; i < sizeof(key_bounds) / sizeof(key_bounds[0]); i++)
		if (strcmp(key_bounds[i].name, name) == 0) {
			*min = key_bounds[i].min;
			*max = key_bounds[i].max;
		}
}

void config_errors_add(struct config_errors *errs, const char *path, int line, const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Line 0: the file as a whole (it cannot be opened, say): the message
	 * names it. */
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%d: %s", path, line, msg);
	else
		snprintf(full, sizeof(full), "%s", msg);
	errs->lines = xreallocarray(errs->lines, errs->count + 1, sizeof(char *));
	errs->lines[errs->count++] = xstrdup(full);
}

void config_errors_clear(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		free(errs->lines[i]);
	free(errs->lines);
	errs->lines = NULL;
	errs->count = 0;
}

long config_parse_duration(const char *text)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	long n = strtol(text, &end, 10);
	if (errno || n < 0)
		return -1;
	long mult = 1;
	if (*end) {
		switch (*end) {
		case 's': mult = 1; break;
		case 'm': mult = 60; break;
		case 'h': mult = 3600; break;
		case 'd': mult = 86400; break;
		default: return -1;
		}
		if (end[1])
			return -1;
	}
	if (n > LONG_MAX / mult || n * mult > 366L * 86400)
		return -1;
	return n * mult;
}

long config_parse_size(const char *text)
{
	char *end;
	if (!isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	long n = strtol(text, &end, 10);
	if (errno || n < 0)
		return -1;
	long mult = 1;
	if (*end) {
		switch (*end) {
		case 'k':
		case 'K': mult = 1024; break;
		case 'm':
		case 'M': mult = 1048576; break;
		default: return -1;
		}
		if (end[1])
			return -1;
	}
	if (n > (1L << 30) / mult)
		return -1;
	return n * mult;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	char *e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* Strips a ';' or '#' comment that starts a line or follows whitespace, so
 * that values such as conninfo passwords may still contain those characters. */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++) {
		if ((*p == ';' || *p == '#') && (p == s || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
	}
}

/* Writes why a value is refused into err; false, for `return reject(...)`. */
static bool reject(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool reject(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return false;
}

static bool parse_listen(const char *v, char **host, int *port, char *err, size_t errlen)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v)
		return reject(err, errlen, "must be host:port, e.g. 127.0.0.1:9470");
	char *end;
	errno = 0;
	long p = strtol(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || !isdigit((unsigned char)colon[1]))
		return reject(err, errlen, "must be host:port, e.g. 127.0.0.1:9470");
	if (errno || p < 1 || p > 65535)
		return reject(err, errlen, "port %.20s is out of range (1 to 65535)", colon + 1);
	size_t hl = (size_t)(colon - v);
	if (v[0] == '[' && hl >= 2 && v[hl - 1] == ']') {
		*host = xstrndup(v + 1, hl - 2);
	} else {
		*host = xstrndup(v, hl);
	}
	*port = (int)p;
	return true;
}

static bool is_directory(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, R_OK | X_OK) == 0;
}

/* A source's NAME or an instance: safe in file names, labels and logs. */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_' ||
		      *s == '-'))
			return false;
	return true;
}

static bool timezone_exists(const char *tz)
{
	if (!tz[0] || tz[0] == '/' || strstr(tz, ".."))
		return false;
	for (const char *p = tz; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
			return false;
	char path[512];
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	return access(path, R_OK) == 0;
}

static const struct config_key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < config_nkeys; i++)
		if (strcmp(config_keys[i].section, section) == 0 &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* The checks of the feed keys' values. */
static bool string_value_ok(enum config_type type, const char *value, char *err, size_t errlen)
{
	switch (type) {
	case CFG_FEED_WHAT:
		if (strcmp(value, "statistics") != 0 && strcmp(value, "report") != 0)
			return reject(err, errlen, "must be statistics or report");
		return true;
	case CFG_FORMAT: {
		enum document_format fmt;
		if (!document_format_parse(value, &fmt))
			return reject(err, errlen, "must be json, csv, md or xlsx");
		return true;
	}
	case CFG_FEED_URL: {
		bool tls = strncmp(value, "https://", 8) == 0;
		if (!tls && strncmp(value, "http://", 7) != 0)
			return reject(err, errlen, "must be an http:// or https:// URL");
		const char *host = value + (tls ? 8 : 7);
		if (!*host || *host == '/' || *host == ':')
			return reject(err, errlen, "names no host");
		return true;
	}
	case CFG_DIRECTORY: {
		struct stat sb;
		if (stat(value, &sb) != 0 || !S_ISDIR(sb.st_mode))
			return reject(err, errlen, "is not an existing directory");
		if (access(value, W_OK | X_OK) != 0)
			return reject(err, errlen, "is not writable");
		return true;
	}
	default: return true;
	}
}

/* Stores VALUE into the field of BASE that KEY describes; false, with the
 * reason in err, when VALUE is not one. */
static bool set_value(const struct config_key *key, void *base, const char *value,
		      struct config *cfg, char *err, size_t errlen)
{
	void *field = (char *)base + key->offset;
	switch (key->type) {
	case CFG_STRING:
	case CFG_NAME:
	case CFG_DIR:
	case CFG_URL:
	case CFG_FILE:
	case CFG_CONNINFO:
	case CFG_TIMEZONE:
	case CFG_PACING:
	case CFG_FEED_WHAT:
	case CFG_FORMAT:
	case CFG_FEED_URL:
	case CFG_DIRECTORY: {
		if (key->type == CFG_URL && strncmp(value, "http://", 7) != 0)
			return reject(err, errlen, "must be an http:// URL");
		if (!string_value_ok(key->type, value, err, errlen))
			return false;
		if (key->type == CFG_FILE && access(value, R_OK) != 0)
			return reject(err, errlen, "file does not exist or is not readable");
		if (key->type == CFG_DIR && !is_directory(value))
			return reject(err, errlen, "not a directory that can be read");
		if (key->type == CFG_NAME && !valid_name(value))
			return reject(err, errlen,
				      "must be 1 to 64 of a-z, 0-9, '_' and '-' (e.g. node-1)");
		if (key->type == CFG_TIMEZONE && !timezone_exists(value))
			return reject(err, errlen,
				      "unknown time zone (not in /usr/share/zoneinfo)");
		if (key->type == CFG_PACING && strcmp(value, "linear") != 0 &&
		    strcmp(value, "last_year") != 0)
			return reject(err, errlen, "must be linear or last_year");
		if (key->type == CFG_CONNINFO) {
			char *why = NULL;
			PQconninfoOption *opts = PQconninfoParse(value, &why);
			if (!opts) {
				PQfreemem(why);
				return reject(err, errlen, "not a valid libpq conninfo");
			}
			PQconninfoFree(opts);
		}
		char **slot = (char **)field;
		free(*slot);
		*slot = xstrdup(value);
		return true;
	}
	case CFG_DURATION: {
		long d = config_parse_duration(value);
		if (d <= 0 && strcmp(key->name, "overlap") != 0)
			return reject(err, errlen,
				      "must be a positive duration (e.g. 90, 30s, 5m, 1h, "
				      "1d; at most 366d)");
		if (d < 0)
			return reject(err, errlen, "must be a duration (e.g. 0, 30s, 5m, 1h)");
		*(long *)field = d;
		return true;
	}
	case CFG_LISTEN: {
		char *host = NULL;
		int port = 0;
		if (!parse_listen(value, &host, &port, err, errlen))
			return false;
		free(cfg->listen_host);
		free(cfg->listen);
		cfg->listen_host = host;
		cfg->listen_port = port;
		cfg->listen = xstrdup(value);
		return true;
	}
	case CFG_LOGLEVEL: {
		int lvl = log_level_parse(value);
		if (lvl < 0)
			return reject(err, errlen, "must be error, warn, info or debug");
		*(int *)field = lvl;
		return true;
	}
	case CFG_SIZE:
	case CFG_COUNT: {
		long n;
		if (key->type == CFG_SIZE) {
			n = config_parse_size(value);
		} else {
			char *end;
			errno = 0;
			n = isdigit((unsigned char)value[0]) ? strtol(value, &end, 10) : -1;
			if (n >= 0 && (errno || *end))
				n = -1;
		}
		long min, max;
		bounds_of(key->name, &min, &max);
		if (n < min || n > max) {
			return reject(err, errlen, "must be %s from %ld to %ld",
				      key->type == CFG_SIZE ? "a size (bytes, or k or m suffix)"
							    : "a whole number",
				      min, max);
		}
		*(long *)field = n;
		return true;
	}
	case CFG_SCHEDULE: {
		struct feed_config *feed = base;
		char why[160];
		if (!schedule_parse(value, &feed->sched, why, sizeof(why)))
			return reject(err, errlen, "%s", why);
		free(feed->schedule);
		feed->schedule = xstrdup(value);
		return true;
	}
	case CFG_RATIO: {
		char *end;
		errno = 0;
		double r = strtod(value, &end);
		if (errno || *end || end == value || !(r > 0 && r <= 1))
			return reject(err, errlen, "must be a number in (0, 1]");
		*(double *)field = r;
		return true;
	}
	}
	return reject(err, errlen, "unhandled key type");
}

static void apply_defaults(const char *section, void *base, struct config *cfg)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(k->section, section) != 0 || !k->default_value)
			continue;
		char err[160];
		if (!set_value(k, base, k->default_value, cfg, err, sizeof(err)))
			abort(); /* a bad default is a programming error */
	}
}

/* The state of one parse (config_parse is reentrant: everything is here). */
struct parser {
	const char *path;
	struct config_errors *errs;
	struct config *cfg;
	const char *const *known_sources;
	size_t nknown;
	int lineno;
	int daemon_line, alerts_line;
	bool seen_daemon;
	bool sources_only; /* a file of sources_dir: [source ...] sections only */
	bool bad_header;   /* the last header was malformed: its keys are not reported */
	/* Where keys go: the current section's kind, struct and name. */
	const char *section;
	void *base;
	char label[96]; /* "daemon", "source trading" */
	/* Keys of the current section instance, to report duplicates. */
	char seen[64][64];
	size_t nseen;
	/* Keys written in the file, per section instance, so that a key given
	 * with a bad value is reported once (bad value), not twice (and
	 * missing). */
	struct {
		const void *base;
		char key[64];
		int line;
	} mentioned[256];
	size_t nmentioned;
};

static void mention(struct parser *p, const char *key)
{
	if (p->nmentioned < sizeof(p->mentioned) / sizeof(p->mentioned[0])) {
		p->mentioned[p->nmentioned].base = p->base;
		snprintf(p->mentioned[p->nmentioned].key, sizeof(p->mentioned[0].key), "%s", key);
		p->mentioned[p->nmentioned].line = p->lineno;
		p->nmentioned++;
	}
}

static bool was_mentioned(const struct parser *p, const void *base, const char *key)
{
	for (size_t i = 0; i < p->nmentioned; i++)
		if (p->mentioned[i].base == base && strcmp(p->mentioned[i].key, key) == 0)
			return true;
	return false;
}

static void check_required(struct parser *p, const char *section, const void *base, int line,
			   const char *label)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(k->section, section) != 0 || !k->required ||
		    was_mentioned(p, base, k->name))
			continue;
		if (!*(char *const *)((const char *)base + k->offset))
			config_errors_add(p->errs, p->path, line,
					  "[%s] is missing required key '%s'", label, k->name);
	}
}

/* The line KEY of the section at BASE was written on (0: not written). */
static int line_of(const struct parser *p, const void *base, const char *key)
{
	for (size_t i = 0; i < p->nmentioned; i++)
		if (p->mentioned[i].base == base && strcmp(p->mentioned[i].key, key) == 0)
			return p->mentioned[i].line;
	return 0;
}

/* What a feed's keys must say together: a destination, one only; a report
 * is a year's, so it runs yearly. */
static void check_feed(struct parser *p, const struct feed_config *f)
{
	char label[96];
	snprintf(label, sizeof(label), "feed %s", f->name);
	check_required(p, "feed", f, f->line, label);
	if (!f->url && !f->directory && !was_mentioned(p, f, "url") &&
	    !was_mentioned(p, f, "directory"))
		config_errors_add(p->errs, p->path, f->line,
				  "[%s] needs a destination: url = ... or directory = ...", label);
	if (f->url && f->directory)
		config_errors_add(p->errs, p->path, line_of(p, f, "directory"),
				  "[%s] has both url and directory; give one", label);
	if (f->what && strcmp(f->what, "report") == 0 && f->schedule &&
	    f->sched.sends != PERIOD_YEAR)
		config_errors_add(p->errs, p->path, line_of(p, f, "schedule"),
				  "[%s] sends the year-end report: its schedule must be 'yearly "
				  "MM-DD HH:MM'",
				  label);
	if (f->ca_file && f->url && strncmp(f->url, "https://", 8) != 0)
		config_errors_add(p->errs, p->path, line_of(p, f, "ca_file"),
				  "[%s] ca_file is for an https:// url", label);
}

/* Edit distance of two short ASCII names, for "did you mean". */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* The key of SECTION closest to NAME, when close enough to be a typo. */
static const char *closest_key(const char *section, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3; /* more edits than this is another word */
	for (size_t i = 0; i < config_nkeys; i++) {
		if (strcmp(config_keys[i].section, section) != 0)
			continue;
		size_t d = edit_distance(name, config_keys[i].name);
		if (d < best_d) {
			best_d = d;
			best = config_keys[i].name;
		}
	}
	return best;
}

/* A [section] header; NAME is what is between the brackets. */
static void parse_header(struct parser *p, char *name)
{
	struct config *cfg = p->cfg;
	p->nseen = 0;
	p->section = NULL;
	bool is_source = strncmp(name, "source", 6) == 0 && isspace((unsigned char)name[6]);
	if (p->sources_only && !is_source) {
		config_errors_add(p->errs, p->path, p->lineno,
				  "[%s] does not belong in a sources_dir file: only [source ...] "
				  "sections do",
				  name);
		return;
	}
	if (strcmp(name, "daemon") == 0) {
		if (p->seen_daemon)
			config_errors_add(p->errs, p->path, p->lineno,
					  "duplicate section [daemon]");
		p->seen_daemon = true;
		p->daemon_line = p->lineno;
		p->section = "daemon";
		p->base = cfg;
	} else if (strcmp(name, "alerts") == 0) {
		if (cfg->alerts.present)
			config_errors_add(p->errs, p->path, p->lineno,
					  "duplicate section [alerts]");
		cfg->alerts.present = true;
		p->alerts_line = p->lineno;
		apply_defaults("alerts", &cfg->alerts, cfg);
		p->section = "alerts";
		p->base = &cfg->alerts;
	} else if (is_source) {
		char *sname = trim(name + 6);
		/* KIND, or KIND.NAME: one of several sources of a kind */
		char *dot = strchr(sname, '.');
		size_t kind_len = dot ? (size_t)(dot - sname) : strlen(sname);
		bool known = false;
		char list[256] = "";
		for (size_t i = 0; i < p->nknown; i++) {
			known |= strlen(p->known_sources[i]) == kind_len &&
				 strncmp(p->known_sources[i], sname, kind_len) == 0;
			size_t used = strlen(list);
			snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
				 p->known_sources[i]);
		}
		if (!known) {
			config_errors_add(p->errs, p->path, p->lineno,
					  "unknown source '%.*s' (known: %s)", (int)kind_len, sname,
					  list);
			return;
		}
		if (dot && !valid_name(dot + 1)) {
			config_errors_add(
			    p->errs, p->path, p->lineno,
			    "source name '%s' after '%.*s.' must be 1 to 64 of a-z, 0-9, "
			    "'_' and '-'",
			    dot + 1, (int)kind_len, sname);
			return;
		}
		const struct source_config *twin = config_source(cfg, sname);
		if (twin) {
			if (strcmp(twin->file, p->path) == 0)
				config_errors_add(p->errs, p->path, p->lineno,
						  "duplicate section [source %s] (also at line %d)",
						  sname, twin->line);
			else
				config_errors_add(p->errs, p->path, p->lineno,
						  "duplicate section [source %s] (also in %s:%d)",
						  sname, twin->file, twin->line);
			return;
		}
		if (cfg->nsources == CONFIG_MAX_SOURCES) {
			config_errors_add(p->errs, p->path, p->lineno,
					  "more than %d sources: is this a configuration?",
					  CONFIG_MAX_SOURCES);
			return;
		}
		if (cfg->nsources == cfg->sources_cap) {
			cfg->sources_cap = cfg->sources_cap ? 2 * cfg->sources_cap : 8;
			cfg->sources =
			    xreallocarray(cfg->sources, cfg->sources_cap, sizeof(*cfg->sources));
		}
		struct source_config *src = xcalloc(1, sizeof(*src));
		cfg->sources[cfg->nsources++] = src;
		src->name = xstrdup(sname);
		src->file = xstrdup(p->path);
		src->line = p->lineno;
		apply_defaults("source", src, cfg);
		p->section = "source";
		p->base = src;
	} else if (strncmp(name, "feed", 4) == 0 && isspace((unsigned char)name[4])) {
		char *fname = trim(name + 4);
		if (!*fname ||
		    strspn(fname, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(fname) ||
		    strlen(fname) > 64) {
			config_errors_add(
			    p->errs, p->path, p->lineno,
			    "feed name '%.64s' must be 1 to 64 of a-z, 0-9, '_' and '-'", fname);
			return;
		}
		if (config_feed(cfg, fname)) {
			config_errors_add(p->errs, p->path, p->lineno,
					  "duplicate section [feed %s]", fname);
			return;
		}
		if (cfg->nfeeds == CONFIG_MAX_FEEDS) {
			config_errors_add(p->errs, p->path, p->lineno, "more than %d feeds",
					  CONFIG_MAX_FEEDS);
			return;
		}
		struct feed_config *feed = &cfg->feeds[cfg->nfeeds++];
		feed->name = xstrdup(fname);
		feed->line = p->lineno;
		apply_defaults("feed", feed, cfg);
		p->section = "feed";
		p->base = feed;
	} else {
		config_errors_add(p->errs, p->path, p->lineno, "unknown section [%s]", name);
		return;
	}
	snprintf(p->label, sizeof(p->label), "%s", name);
}

/* A "key = value" line (S is the trimmed line, holding '=' at EQ). */
static void parse_assignment(struct parser *p, char *s, char *eq)
{
	*eq = '\0';
	char *key = trim(s);
	char *value = trim(eq + 1);
	if (!p->section) {
		/* Keys outside a valid section were already reported with their
		 * section, or precede any section. */
		if (!p->bad_header && !p->seen_daemon && !p->cfg->alerts.present &&
		    !p->cfg->nsources && !p->cfg->nfeeds)
			config_errors_add(p->errs, p->path, p->lineno,
					  "key '%s' outside any section", key);
		return;
	}
	mention(p, key);
	const struct config_key *k = find_key(p->section, key);
	if (!k) {
		const char *near = closest_key(p->section, key);
		if (near)
			config_errors_add(p->errs, p->path, p->lineno,
					  "unknown key '%s' in [%s]; did you mean '%s'?", key,
					  p->label, near);
		else
			config_errors_add(p->errs, p->path, p->lineno, "unknown key '%s' in [%s]",
					  key, p->label);
		return;
	}
	bool dup = false;
	for (size_t i = 0; i < p->nseen; i++)
		dup |= strcmp(p->seen[i], key) == 0;
	if (dup)
		config_errors_add(p->errs, p->path, p->lineno, "duplicate key '%s'", key);
	else if (p->nseen < 64)
		snprintf(p->seen[p->nseen++], sizeof(p->seen[0]), "%s", key);
	if (!*value) {
		config_errors_add(p->errs, p->path, p->lineno, "key '%s' has an empty value", key);
		return;
	}
	char err[160];
	if (!set_value(k, p->base, value, p->cfg, err, sizeof(err)))
		config_errors_add(p->errs, p->path, p->lineno, "%s: %s", key, err);
}

static void parse_line(struct parser *p, char *line)
{
	strip_comment(line);
	char *s = trim(line);
	if (!*s)
		return;
	if (*s == '[') {
		char *close = strchr(s, ']');
		if (!close || trim(close + 1)[0]) {
			config_errors_add(p->errs, p->path, p->lineno, "malformed section header");
			p->section = NULL;
			p->bad_header = true;
			return;
		}
		p->bad_header = false;
		*close = '\0';
		parse_header(p, trim(s + 1));
		return;
	}
	char *eq = strchr(s, '=');
	if (!eq) {
		config_errors_add(p->errs, p->path, p->lineno, "expected 'key = value'");
		if (p->section)
			mention(p, s);
		return;
	}
	parse_assignment(p, s, eq);
}

/* The next line of TEXT into LINE (NUL-terminated, newline kept), as fgets
 * would read it from a file: at most LINE_MAX_BYTES - 1 bytes with the
 * newline; *too_long (and LINE empty) when the line does not fit. A NUL byte
 * ends the line's text, as it would after fgets. */
#define LINE_MAX_BYTES 4096
static bool next_line(const char **p, const char *end, char *line, bool *too_long)
{
	if (*p >= end)
		return false;
	const char *nl = memchr(*p, '\n', (size_t)(end - *p));
	const char *stop = nl ? nl + 1 : end;
	size_t n = (size_t)(stop - *p);
	*too_long = n > LINE_MAX_BYTES - 1;
	if (*too_long)
		n = 0;
	memcpy(line, *p, n);
	line[n] = '\0';
	*p = stop;
	return true;
}

/* PATH's bytes (*len of them, NUL-terminated), or NULL with the reason in
 * errs. */
static char *read_file(const char *path, size_t *len, struct config_errors *errs)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		config_errors_add(errs, path, 0, "cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	char *text = xmalloc(CONFIG_MAX_BYTES + 1);
	*len = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		config_errors_add(errs, path, 0, "cannot read %s: %s", path, strerror(errno));
	} else if (*len > CONFIG_MAX_BYTES) {
		config_errors_add(errs, path, 0,
				  "%s is larger than %d bytes; is this a configuration file?", path,
				  CONFIG_MAX_BYTES);
	} else {
		text[*len] = '\0';
		return text;
	}
	free(text);
	return NULL;
}

struct config *config_load(const char *path, const char *const *known_sources, size_t nknown,
			   struct config_errors *errs)
{
	size_t len;
	char *text = read_file(path, &len, errs);
	struct config *cfg =
	    text ? config_parse(path, text, len, known_sources, nknown, errs) : NULL;
	free(text);
	return cfg;
}

static void parse_text(struct parser *p, const char *text, size_t textlen)
{
	const char *cursor = text, *text_end = text + textlen;
	char line[LINE_MAX_BYTES];
	bool too_long;
	while (next_line(&cursor, text_end, line, &too_long)) {
		p->lineno++;
		if (too_long)
			config_errors_add(p->errs, p->path, p->lineno, "line too long");
		else
			parse_line(p, line);
	}
}

/* The required keys of the sources P's file declared. */
static void check_sources_of(struct parser *p)
{
	for (size_t i = 0; i < p->cfg->nsources; i++) {
		struct source_config *sc = p->cfg->sources[i];
		if (strcmp(sc->file, p->path) != 0)
			continue;
		char label[96];
		snprintf(label, sizeof(label), "source %s", sc->name);
		check_required(p, "source", sc, sc->line, label);
	}
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.conf of sources_dir, in name order, each with [source ...]
 * sections only (one file per source, as a province's platforms come and
 * go). Problems are reported in the file and line where they are. */
static void load_sources_dir(struct parser *main)
{
	const char *dir = main->cfg->sources_dir;
	DIR *d = opendir(dir);
	if (!d) {
		config_errors_add(main->errs, main->path, main->daemon_line,
				  "cannot open sources_dir %s: %s", dir, strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *e; (e = readdir(d));) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len < 6 || strcmp(e->d_name + len - 5, ".conf") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), compare_names);
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s", dir, names[i]);
		size_t len;
		char *text = read_file(path, &len, main->errs);
		if (text) {
			struct parser *p = xcalloc(1, sizeof(*p));
			*p = (struct parser){.path = path,
					     .errs = main->errs,
					     .cfg = main->cfg,
					     .known_sources = main->known_sources,
					     .nknown = main->nknown,
					     .sources_only = true};
			parse_text(p, text, len);
			check_sources_of(p);
			free(p);
		}
		free(text);
		free(path);
		free(names[i]);
	}
	free(names);
}

struct config *config_parse(const char *path, const char *text, size_t textlen,
			    const char *const *known_sources, size_t nknown,
			    struct config_errors *errs)
{
	size_t errors_before = errs->count;
	struct parser *p = xcalloc(1, sizeof(*p));
	*p = (struct parser){
	    .path = path, .errs = errs, .known_sources = known_sources, .nknown = nknown};
	struct config *cfg = p->cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(path);
	apply_defaults("daemon", cfg, cfg);
	parse_text(p, text, textlen);

	if (!p->seen_daemon)
		config_errors_add(errs, path, p->lineno ? p->lineno : 1,
				  "missing section [daemon]");
	else
		check_required(p, "daemon", cfg, p->daemon_line, "daemon");
	check_sources_of(p);
	if (cfg->sources_dir)
		load_sources_dir(p);
	if (cfg->alerts.present)
		check_required(p, "alerts", &cfg->alerts, p->alerts_line, "alerts");
	for (size_t i = 0; i < cfg->nfeeds; i++)
		check_feed(p, &cfg->feeds[i]);
	free(p);
	if (errs->count > errors_before) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

const struct feed_config *config_feed(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nfeeds; i++)
		if (strcmp(cfg->feeds[i].name, name) == 0)
			return &cfg->feeds[i];
	return NULL;
}

const struct source_config *config_source(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i]->name, name) == 0)
			return cfg->sources[i];
	return NULL;
}

static bool str_differs(const char *a, const char *b)
{
	if (!a || !b)
		return a != b;
	return strcmp(a, b) != 0;
}

bool config_restart_needed(const struct config *old, const struct config *new, char *buf,
			   size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (k->reloadable || strcmp(k->section, "daemon") != 0)
			continue;
		const char *a = *(char *const *)((const char *)old + k->offset);
		const char *b = *(char *const *)((const char *)new + k->offset);
		if (str_differs(a, b)) {
			size_t used = strlen(buf);
			snprintf(buf + used, len - used, "%s%s", used ? ", " : "", k->name);
		}
	}
	return buf[0] != '\0';
}

struct config *config_swap(struct config *running, struct config *new)
{
	char keys[256];
	if (config_restart_needed(running, new, keys, sizeof(keys)))
		log_warn("reload: %s changed; a restart is needed for that to apply", keys);
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (k->reloadable || strcmp(k->section, "daemon") != 0)
			continue;
		char **slot_new = (char **)((char *)new + k->offset);
		char **slot_old = (char **)((char *)running + k->offset);
		char *tmp = *slot_new;
		*slot_new = *slot_old;
		*slot_old = tmp;
	}
	/* listen is kept as written and as parsed */
	char *tmp = new->listen_host;
	new->listen_host = running->listen_host;
	running->listen_host = tmp;
	int port = new->listen_port;
	new->listen_port = running->listen_port;
	running->listen_port = port;
	config_free(running);
	return new;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (k->type == CFG_DURATION || k->type == CFG_LOGLEVEL || k->type == CFG_RATIO ||
		    k->type == CFG_LISTEN || k->type == CFG_SIZE || k->type == CFG_COUNT)
			continue;
		if (strcmp(k->section, "daemon") == 0)
			free(*(char **)((char *)cfg + k->offset));
		else if (strcmp(k->section, "alerts") == 0)
			free(*(char **)((char *)&cfg->alerts + k->offset));
		else if (strcmp(k->section, "feed") == 0)
			for (size_t j = 0; j < cfg->nfeeds; j++)
				free(*(char **)((char *)&cfg->feeds[j] + k->offset));
		else
			for (size_t j = 0; j < cfg->nsources; j++)
				free(*(char **)((char *)cfg->sources[j] + k->offset));
	}
	for (size_t j = 0; j < cfg->nsources; j++) {
		free(cfg->sources[j]->name);
		free(cfg->sources[j]->file);
		free(cfg->sources[j]);
	}
	free(cfg->sources);
	for (size_t j = 0; j < cfg->nfeeds; j++)
		free(cfg->feeds[j].name);
	free(cfg->listen);
	free(cfg->listen_host);
	free(cfg->path);
	free(cfg);
}
