/* config — the configuration file of SPEC §5: INI parsing against one key
 * table, validation, and every problem reported as "FILE:LINE: message".
 *
 * A struct config is built whole and is immutable afterwards; reload builds a
 * new one and the caller swaps it in only when it is valid (PgBouncer style). */
#ifndef GGZY_CONFIG_H
#define GGZY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "schedule.h"

/* Sources of one daemon: a province has dozens, a city hundreds at most;
 * beyond this a configuration is a mistake. */
#define CONFIG_MAX_SOURCES 10000
#define CONFIG_MAX_FEEDS 32
/* A configuration file is a few kilobytes; anything this large is a mistake. */
#define CONFIG_MAX_BYTES (1024 * 1024)

struct source_config {
	/* "trading", or "trading.NAME" for one of several of a kind (SPEC §12) */
	char *name;
	char *file; /* where its [source NAME] header is: this file, ... */
	int line;   /* ... at this line */
	char *conninfo;
	long interval;		     /* seconds */
	long overlap;		     /* seconds */
	long reconcile_interval;     /* seconds: the current and the previous year */
	long reconcile_old_interval; /* seconds: the years before */
	long statement_timeout;	     /* seconds */
};

/* A [feed NAME] section (SPEC §10): what to send, when, where. */
struct feed_config {
	char *name; /* a-z, 0-9, '_', '-' */
	int line;   /* where its [feed NAME] header is */
	char *what; /* "statistics" | "report" */
	char *schedule;
	struct schedule sched; /* schedule, parsed */
	char *center;	       /* NULL: all centres */
	char *format;	       /* "json" | "csv" | "md" | "xlsx" */
	char *url;	       /* http:// or https://; or */
	char *directory;       /* an existing directory */
	char *ca_file;	       /* https: CA certificates (PEM); NULL: the system's */
	long timeout;	       /* seconds, a whole POST */
	long retry_max;	       /* seconds: the longest wait between attempts */
};

struct alerts_config {
	bool present;
	char *webhook;
	long evaluate_interval;
	char *pacing; /* "linear" | "last_year" */
	double threshold;
};

struct config {
	char *path;
	char *listen; /* as written, "host:port" */
	char *listen_host;
	int listen_port;
	char *timezone;
	char *store;
	char *targets;
	char *api_token_file;
	char *identity_key_file;
	char *sources_dir;	 /* every *.conf there holds [source ...] sections */
	char *instance;		 /* NULL: this daemon is the store's only writer */
	long lease;		 /* seconds: how often an instance renews (or takes) leases */
	long max_active_sources; /* jobs (loads, polls, reconciliations) at once */
	int log_level;
	/* HTTP limits (bytes, seconds, counts); reloadable. */
	long max_header_size;
	long max_body_size;
	long request_timeout;
	long max_connections;
	long max_series_points;
	size_t nsources, sources_cap;
	struct source_config **sources; /* each its own allocation: parsers keep pointers */
	struct alerts_config alerts;
	size_t nfeeds;
	struct feed_config feeds[CONFIG_MAX_FEEDS];
};

/* Problems found while loading, each "FILE:LINE: message". */
struct config_errors {
	size_t count;
	char **lines;
};

/* One row of the key table: exported so that a test can check that every key
 * is documented in config/ggzy-metricsd.conf and the README. */
enum config_type {
	CFG_STRING,
	CFG_FILE, /* a path that must exist and be readable */
	CFG_DURATION,
	CFG_LISTEN,
	CFG_TIMEZONE,
	CFG_LOGLEVEL,
	CFG_CONNINFO,
	CFG_PACING,
	CFG_RATIO,
	CFG_URL,
	CFG_SIZE,      /* bytes, or a k or m suffix (KiB, MiB), within its bounds */
	CFG_COUNT,     /* a whole number within its bounds */
	CFG_DIR,       /* a directory that must exist and be readable */
	CFG_NAME,      /* 1-64 of a-z 0-9 _ - (an instance, a source's NAME) */
	CFG_FEED_WHAT, /* statistics | report */
	CFG_SCHEDULE,  /* schedule.h */
	CFG_FORMAT,    /* json | csv | md | xlsx */
	CFG_FEED_URL,  /* http:// or https:// */
	CFG_DIRECTORY, /* an existing, writable directory */
};

struct config_key {
	const char *section; /* "daemon", "source", "alerts", "feed" */
	const char *name;
	enum config_type type;
	size_t offset; /* within struct config, source_config, alerts_config or feed_config */
	const char *default_value; /* NULL: required (or optional with no default) */
	bool required;
	bool reloadable;
	const char *help;
};
extern const struct config_key config_keys[];
extern const size_t config_nkeys;

/* Loads and validates PATH (and the files of its sources_dir). known_sources
 * lists the source kinds a [source KIND] or [source KIND.NAME] section may
 * use (the collector table's names).
 * Returns a new config (caller frees with config_free) or NULL; every
 * problem is appended to errs in either case. */
struct config *config_load(const char *path, const char *const *known_sources, size_t nknown,
			   struct config_errors *errs) __attribute__((warn_unused_result));
/* The same for TEXT (LEN bytes, need not be NUL-terminated) as if read from
 * PATH: config_load reads the file and calls this (and so does the fuzzer). */
struct config *config_parse(const char *path, const char *text, size_t len,
			    const char *const *known_sources, size_t nknown,
			    struct config_errors *errs) __attribute__((warn_unused_result));
void config_free(struct config *cfg);
void config_errors_clear(struct config_errors *errs);
/* Appends "PATH:LINE: message" (also used by the targets loader); with LINE
 * 0 (the file as a whole) the message alone, which then names the file. */
void config_errors_add(struct config_errors *errs, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The feed section named NAME, or NULL when absent. Borrowed. */
const struct feed_config *config_feed(const struct config *cfg, const char *name);
/* The source section named NAME, or NULL when absent. Borrowed. */
const struct source_config *config_source(const struct config *cfg, const char *name);

/* Parses "90", "90s", "5m", "1h", "2d" into seconds; -1 on error. */
long config_parse_duration(const char *text);
/* Parses "8192", "8k", "1m" into bytes (k and m are 1024 and 1048576); -1 on
 * error or beyond 1 GiB. */
long config_parse_size(const char *text);

/* Keys that differ between two configs but cannot change on reload; writes a
 * comma-separated list into buf and returns true when there is any. */
bool config_restart_needed(const struct config *old, const struct config *new, char *buf,
			   size_t len);
/* Reload (PgBouncer's load_config): NEW, valid, replaces RUNNING, except for
 * the [daemon] keys that need a restart, which keep the values the process
 * runs with (logged: "reload: listen changed; a restart is needed ...").
 * Takes ownership of NEW, frees RUNNING, and returns the configuration to
 * run with. */
struct config *config_swap(struct config *running, struct config *new)
    __attribute__((warn_unused_result));

#endif
