#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

#define D(field) offsetof(struct config, field)
#define S(field) offsetof(struct source_config, field)
#define A(field) offsetof(struct alerts_config, field)

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
     "full per-month comparison period"},
    {"source", "statement_timeout", CFG_DURATION, S(statement_timeout), "30s", false, true,
     "longest a source statement may run"},
    {"alerts", "webhook", CFG_URL, A(webhook), NULL, true, true,
     "Alertmanager v2 API or any webhook (http://)"},
    {"alerts", "evaluate_interval", CFG_DURATION, A(evaluate_interval), "5m", false, true,
     "alert evaluation period"},
    {"alerts", "pacing", CFG_PACING, A(pacing), "linear", false, true, "linear | last_year"},
    {"alerts", "threshold", CFG_RATIO, A(threshold), "0.9", false, true,
     "fire when actual < threshold x expected-by-now"},
};
const size_t config_nkeys = sizeof(config_keys) / sizeof(config_keys[0]);

/* Bounds of the CFG_SIZE and CFG_COUNT keys (a key without a row here takes
 * 0..LONG_MAX). Kept apart so that the key table's rows stay one shape. */
static const struct {
	const char *name;
	long min, max;
} key_bounds[] = {
    {"max_header_size", 1024, 1048576},
    {"max_body_size", 0, 16777216},
    {"max_connections", 1, 100000},
    {"max_series_points", 1, 10000000},
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
	snprintf(full, sizeof(full), "%s:%d: %s", path, line, msg);
	char **grown = realloc(errs->lines, (errs->count + 1) * sizeof(char *));
	if (!grown)
		abort();
	errs->lines = grown;
	errs->lines[errs->count++] = strdup(full);
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

static bool parse_listen(const char *v, char **host, int *port)
{
	const char *colon = strrchr(v, ':');
	if (!colon || colon == v)
		return false;
	char *end;
	long p = strtol(colon + 1, &end, 10);
	if (*end || colon[1] == '\0' || p < 0 || p > 65535)
		return false;
	size_t hl = (size_t)(colon - v);
	if (v[0] == '[' && hl >= 2 && v[hl - 1] == ']') {
		*host = strndup(v + 1, hl - 2);
	} else {
		*host = strndup(v, hl);
	}
	*port = (int)p;
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

/* Stores VALUE into the field of BASE that KEY describes; returns an error
 * message or NULL. */
static const char *set_value(const struct config_key *key, void *base, const char *value,
			     struct config *cfg)
{
	char *field = (char *)base + key->offset;
	switch (key->type) {
	case CFG_STRING:
	case CFG_URL:
	case CFG_FILE:
	case CFG_CONNINFO:
	case CFG_TIMEZONE:
	case CFG_PACING: {
		if (key->type == CFG_URL && strncmp(value, "http://", 7) != 0)
			return "must be an http:// URL";
		if (key->type == CFG_FILE && access(value, R_OK) != 0)
			return "file does not exist or is not readable";
		if (key->type == CFG_TIMEZONE && !timezone_exists(value))
			return "unknown time zone (not in /usr/share/zoneinfo)";
		if (key->type == CFG_PACING && strcmp(value, "linear") != 0 &&
		    strcmp(value, "last_year") != 0)
			return "must be linear or last_year";
		if (key->type == CFG_CONNINFO) {
			char *err = NULL;
			PQconninfoOption *opts = PQconninfoParse(value, &err);
			if (!opts) {
				PQfreemem(err);
				return "not a valid libpq conninfo";
			}
			PQconninfoFree(opts);
		}
		char **slot = (char **)field;
		free(*slot);
		*slot = strdup(value);
		return NULL;
	}
	case CFG_DURATION: {
		long d = config_parse_duration(value);
		if (d <= 0 && strcmp(key->name, "overlap") != 0)
			return "must be a positive duration (e.g. 90, 30s, 5m, 1h, "
			       "1d; at most 366d)";
		if (d < 0)
			return "must be a duration (e.g. 0, 30s, 5m, 1h)";
		*(long *)field = d;
		return NULL;
	}
	case CFG_LISTEN: {
		char *host = NULL;
		int port;
		if (!parse_listen(value, &host, &port))
			return "must be host:port";
		free(cfg->listen_host);
		free(cfg->listen);
		cfg->listen_host = host;
		cfg->listen_port = port;
		cfg->listen = strdup(value);
		return NULL;
	}
	case CFG_LOGLEVEL: {
		int lvl = log_level_parse(value);
		if (lvl < 0)
			return "must be error, warn, info or debug";
		*(int *)field = lvl;
		return NULL;
	}
	case CFG_SIZE:
	case CFG_COUNT: {
		static char msg[128];
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
			snprintf(msg, sizeof(msg), "must be %s from %ld to %ld",
				 key->type == CFG_SIZE ? "a size (bytes, or k or m suffix)"
						       : "a whole number",
				 min, max);
			return msg;
		}
		*(long *)field = n;
		return NULL;
	}
	case CFG_RATIO: {
		char *end;
		errno = 0;
		double r = strtod(value, &end);
		if (errno || *end || end == value || !(r > 0 && r <= 1))
			return "must be a number in (0, 1]";
		*(double *)field = r;
		return NULL;
	}
	}
	return "unhandled key type";
}

static void apply_defaults(const char *section, void *base, struct config *cfg)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(k->section, section) != 0 || !k->default_value)
			continue;
		const char *err = set_value(k, base, k->default_value, cfg);
		if (err)
			abort(); /* a bad default is a programming error */
	}
}

/* Keys written in the file, per section instance, so that a key given with
 * a bad value is reported once (bad value), not twice (and missing). */
struct mentioned {
	size_t count;
	struct {
		const void *base;
		char key[64];
	} items[256];
};

static void mention(struct mentioned *m, const void *base, const char *key)
{
	if (m->count < sizeof(m->items) / sizeof(m->items[0])) {
		m->items[m->count].base = base;
		snprintf(m->items[m->count].key, sizeof(m->items[0].key), "%s", key);
		m->count++;
	}
}

static bool was_mentioned(const struct mentioned *m, const void *base, const char *key)
{
	for (size_t i = 0; i < m->count; i++)
		if (m->items[i].base == base && strcmp(m->items[i].key, key) == 0)
			return true;
	return false;
}

static void check_required(const char *section, const void *base, int line, const char *path,
			   struct config_errors *errs, const char *label,
			   const struct mentioned *seen)
{
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (strcmp(k->section, section) != 0 || !k->required ||
		    was_mentioned(seen, base, k->name))
			continue;
		if (!*(char *const *)((const char *)base + k->offset))
			config_errors_add(errs, path, line, "[%s] is missing required key '%s'",
					  label, k->name);
	}
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

struct config *config_load(const char *path, const char *const *known_sources, size_t nknown,
			   struct config_errors *errs)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		config_errors_add(errs, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	char *text = malloc(CONFIG_MAX_BYTES + 1);
	size_t len = fread(text, 1, CONFIG_MAX_BYTES + 1, f);
	bool failed = ferror(f);
	fclose(f);
	struct config *cfg = NULL;
	if (failed)
		config_errors_add(errs, path, 0, "cannot read: %s", strerror(errno));
	else if (len > CONFIG_MAX_BYTES)
		config_errors_add(errs, path, 0,
				  "larger than %d bytes; is this a configuration file?",
				  CONFIG_MAX_BYTES);
	else
		cfg = config_parse(path, text, len, known_sources, nknown, errs);
	free(text);
	return cfg;
}

struct config *config_parse(const char *path, const char *text, size_t textlen,
			    const char *const *known_sources, size_t nknown,
			    struct config_errors *errs)
{
	const char *cursor = text, *text_end = text + textlen;
	size_t errors_before = errs->count;
	struct config *cfg = calloc(1, sizeof(*cfg));
	cfg->path = strdup(path);
	apply_defaults("daemon", cfg, cfg);

	char line[LINE_MAX_BYTES];
	int lineno = 0;
	int daemon_line = 0, alerts_line = 0;
	bool seen_daemon = false;
	/* Where keys go: the current section's kind and struct. */
	const char *section = NULL;
	void *base = NULL;
	struct source_config *src;
	char seen[64][64];
	size_t nseen = 0;
	static struct mentioned mentioned;
	bool bad_header = false;
	mentioned.count = 0;

	bool too_long;
	while (next_line(&cursor, text_end, line, &too_long)) {
		lineno++;
		if (too_long) {
			config_errors_add(errs, path, lineno, "line too long");
			continue;
		}
		strip_comment(line);
		char *s = trim(line);
		if (!*s)
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close || trim(close + 1)[0]) {
				config_errors_add(errs, path, lineno, "malformed section header");
				section = NULL;
				bad_header = true;
				continue;
			}
			bad_header = false;
			*close = '\0';
			char *name = trim(s + 1);
			nseen = 0;
			section = NULL;
			if (strcmp(name, "daemon") == 0) {
				if (seen_daemon)
					config_errors_add(errs, path, lineno,
							  "duplicate section [daemon]");
				seen_daemon = true;
				daemon_line = lineno;
				section = "daemon";
				base = cfg;
			} else if (strcmp(name, "alerts") == 0) {
				if (cfg->alerts.present)
					config_errors_add(errs, path, lineno,
							  "duplicate section [alerts]");
				cfg->alerts.present = true;
				alerts_line = lineno;
				apply_defaults("alerts", &cfg->alerts, cfg);
				section = "alerts";
				base = &cfg->alerts;
			} else if (strncmp(name, "source", 6) == 0 &&
				   isspace((unsigned char)name[6])) {
				char *sname = trim(name + 6);
				bool known = false;
				for (size_t i = 0; i < nknown; i++)
					known |= strcmp(known_sources[i], sname) == 0;
				if (!known) {
					config_errors_add(
					    errs, path, lineno,
					    "unknown source '%s' (known: trading, deposit, expert)",
					    sname);
					continue;
				}
				if (config_source(cfg, sname)) {
					config_errors_add(errs, path, lineno,
							  "duplicate section [source %s]", sname);
					continue;
				}
				if (cfg->nsources == CONFIG_MAX_SOURCES)
					continue;
				src = &cfg->sources[cfg->nsources++];
				src->name = strdup(sname);
				src->line = lineno;
				apply_defaults("source", src, cfg);
				section = "source";
				base = src;
			} else {
				config_errors_add(errs, path, lineno, "unknown section [%s]", name);
			}
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			config_errors_add(errs, path, lineno, "expected 'key = value'");
			if (section)
				mention(&mentioned, base, s);
			continue;
		}
		*eq = '\0';
		char *key = trim(s);
		char *value = trim(eq + 1);
		if (!section) {
			/* Keys outside a valid section were already reported with
			 * their section, or precede any section. */
			if (!bad_header && !seen_daemon && !cfg->alerts.present && !cfg->nsources)
				config_errors_add(errs, path, lineno,
						  "key '%s' outside any section", key);
			continue;
		}
		mention(&mentioned, base, key);
		const struct config_key *k = find_key(section, key);
		if (!k) {
			config_errors_add(errs, path, lineno, "unknown key '%s' in [%s]", key,
					  section);
			continue;
		}
		bool dup = false;
		for (size_t i = 0; i < nseen; i++)
			dup |= strcmp(seen[i], key) == 0;
		if (dup)
			config_errors_add(errs, path, lineno, "duplicate key '%s'", key);
		else if (nseen < 64)
			snprintf(seen[nseen++], sizeof(seen[0]), "%s", key);
		if (!*value) {
			config_errors_add(errs, path, lineno, "key '%s' has an empty value", key);
			continue;
		}
		const char *err = set_value(k, base, value, cfg);
		if (err)
			config_errors_add(errs, path, lineno, "%s: %s", key, err);
	}

	if (!seen_daemon)
		config_errors_add(errs, path, lineno, "missing section [daemon]");
	else
		check_required("daemon", cfg, daemon_line, path, errs, "daemon", &mentioned);
	for (size_t i = 0; i < cfg->nsources; i++) {
		struct source_config *sc = &cfg->sources[i];
		char label[80];
		snprintf(label, sizeof(label), "source %s", sc->name);
		check_required("source", sc, sc->line, path, errs, label, &mentioned);
	}
	if (cfg->alerts.present)
		check_required("alerts", &cfg->alerts, alerts_line, path, errs, "alerts",
			       &mentioned);

	if (errs->count > errors_before) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

const struct source_config *config_source(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsources; i++)
		if (strcmp(cfg->sources[i].name, name) == 0)
			return &cfg->sources[i];
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
		else
			for (size_t j = 0; j < cfg->nsources; j++)
				free(*(char **)((char *)&cfg->sources[j] + k->offset));
	}
	for (size_t j = 0; j < cfg->nsources; j++)
		free(cfg->sources[j].name);
	free(cfg->listen);
	free(cfg->listen_host);
	free(cfg->path);
	free(cfg);
}
