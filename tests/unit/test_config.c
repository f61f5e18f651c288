#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static const char *const sources[] = {"trading", "deposit", "expert"};

static const char *write_file(const char *text)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/ggzy-test-config-%d.conf", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

/* Each case: a file and the "LINE: message" fragments its errors must hold,
 * in order ("" for a valid file). */
static const struct {
	const char *text;
	const char *expect[5];
} cases[] = {
    {"[daemon]\nstore = dbname=s\n", {NULL}},
    {"[daemon]\nstore = dbname=s\n[source trading]\nconninfo = dbname=t\ninterval = 5m\n"
     "overlap = 0\n[source deposit]\nconninfo = dbname=d\n[source expert]\nconninfo = dbname=e\n"
     "[alerts]\nwebhook = http://127.0.0.1:9093/api/v2/alerts\npacing = last_year\nthreshold = "
     "0.8\n",
     {NULL}},
    {"[daemon]\nstore = dbname=s\nbogus = 1\n", {":3: unknown key 'bogus' in [daemon]", NULL}},
    {"[daemon]\nstore = dbname=s\n[nope]\nx = 1\n", {":3: unknown section [nope]", NULL}},
    {"[daemon]\n", {":1: [daemon] is missing required key 'store'", NULL}},
    {"[daemon]\nstore = dbname=s\n[source trading]\ninterval = 10x\n",
     {":4: interval: must be a positive duration",
      ":3: [source trading] is missing required key 'conninfo'", NULL}},
    {"[daemon]\nstore = dbname=s\n[source payroll]\nconninfo = x=1\n",
     {":3: unknown source 'payroll'", NULL}},
    {"[daemon]\nstore = dbname=s\ntimezone = Mars/Olympus\nlisten = nowhere\n",
     {":3: timezone: unknown time zone", ":4: listen: must be host:port", NULL}},
    {"[daemon]\nstore = dbname=s\nlog_level = loud\n", {":3: log_level: must be error", NULL}},
    {"[daemon]\nstore = 'unterminated\n", {":2: store: not a valid libpq conninfo", NULL}},
    {"[daemon]\nstore = dbname=s\nstore = dbname=t\n", {":3: duplicate key 'store'", NULL}},
    {"[daemon]\nstore = dbname=s\n[alerts]\nwebhook = ftp://x\nthreshold = 2\n",
     {":4: webhook: must be an http:// URL", ":5: threshold: must be a number in (0, 1]", NULL}},
    {"store = dbname=s\n[daemon]\nstore = dbname=s\n",
     {":1: key 'store' outside any section", NULL}},
    {"[daemon\nstore = dbname=s\n",
     {":1: malformed section header", ":2: missing section [daemon]", NULL}},
    {"[daemon]\nstore = dbname=s\n[source trading]\nconninfo = dbname=t\n[source trading]\n",
     {":5: duplicate section [source trading]", NULL}},
    {"[daemon]\nstore = dbname=s password=a#b;c\n", {NULL}},
    {"[daemon]\nstore = dbname=s\ntargets = /nonexistent/targets.json\n",
     {":3: targets: file does not exist", NULL}},
    {"[daemon]\nstore\n", {":2: expected 'key = value'", NULL}},
    {"[daemon]\nstore = dbname=s\nmax_header_size = 16k\nmax_body_size = 0\nrequest_timeout = 5s\n"
     "max_connections = 20\nmax_series_points = 100\n",
     {NULL}},
    {"[daemon]\nstore = dbname=s\nmax_header_size = 100\nmax_body_size = 1g\n"
     "max_connections = 0\n",
     {":3: max_header_size: must be a size", ":4: max_body_size: must be a size",
      ":5: max_connections: must be a whole number from 1", NULL}},
    {"[daemon]\nstore = dbname=s\nmax_series_points = lots\nrequest_timeout = 0\n",
     {":3: max_series_points: must be a whole number", ":4: request_timeout: must be a positive",
      NULL}},
    /* 21: feeds (SPEC §10) */
    {"[daemon]\nstore = dbname=s\n[feed province-monthly]\nwhat = statistics\n"
     "schedule = monthly 5 09:00\ncenter = 433100\nurl = https://example.org/upload\n"
     "[feed yearly_report]\nwhat = report\nschedule = yearly 01-15 08:30\nformat = csv\n"
     "directory = /tmp\ntimeout = 10s\nretry_max = 1m\n",
     {NULL}},
    {"[daemon]\nstore = dbname=s\n[feed Bad!]\nwhat = statistics\n",
     {":3: feed name 'Bad!' must be 1 to 64 of a-z", NULL}},
    {"[daemon]\nstore = dbname=s\n[feed m]\nwhat = stats\nschedule = weekly 1 09:00\n"
     "format = pdf\nurl = ftp://x/\n",
     {":4: what: must be statistics or report", ":5: schedule: must be 'monthly D HH:MM'",
      ":6: format: must be json, csv, md or xlsx", ":7: url: must be an http:// or https://",
      NULL}},
    {"[daemon]\nstore = dbname=s\n[feed r]\nwhat = report\nschedule = monthly 5 09:00\n"
     "directory = /tmp\n",
     {":5: [feed r] sends the year-end report: its schedule must be 'yearly", NULL}},
    {"[daemon]\nstore = dbname=s\n[feed a]\nwhat = statistics\nschedule = monthly 5 09:00\n",
     {":3: [feed a] needs a destination", NULL}},
    {"[daemon]\nstore = dbname=s\n[feed a]\nwhat = statistics\nschedule = monthly 5 09:00\n"
     "url = http://127.0.0.1:9/x\ndirectory = /tmp\n",
     {":7: [feed a] has both url and directory", NULL}},
    {"[daemon]\nstore = dbname=s\n[feed a]\nwhat = statistics\nshedule = monthly 5 09:00\n"
     "directory = /nonexistent/feeds\n",
     {":5: unknown key 'shedule' in [feed a]; did you mean 'schedule'?",
      ":6: directory: is not an existing directory",
      ":3: [feed a] is missing required key 'schedule'", NULL}},
    {"[daemon]\nstore = dbname=s\n[feed a]\nwhat = statistics\nschedule = monthly 32 09:00\n"
     "directory = /tmp\n[feed a]\n",
     {":5: schedule: the day '32' must be 1 to 31", ":7: duplicate section [feed a]", NULL}},
    {"[daemon]\nstore = dbname=s\n[feed a]\nwhat = statistics\nschedule = monthly 1 00:00\n"
     "url = http://127.0.0.1:9/x\nca_file = /etc/hostname\n",
     {":7: [feed a] ca_file is for an https:// url", NULL}},
};

static void check_documented(const char *srcdir, const char *file)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s", srcdir, file);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return;
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	for (size_t i = 0; i < config_nkeys; i++) {
		char needle[128];
		snprintf(needle, sizeof(needle), "%s = ", config_keys[i].name);
		CHECK(strstr(text, needle) != NULL, "key %s is not documented in %s",
		      config_keys[i].name, file);
	}
}

/* The README's configuration table (section "## Configuration": | section |
 * key | default | meaning |) against the key table, row by row: every key has
 * a row under its section, whose default is the table's default in backticks,
 * "required..." for a required key without one, and prose (not a backticked
 * value) for an optional key without one; and every row names a known key. A
 * row with an empty section cell continues the section above it. */
static void check_readme_defaults(const char *srcdir)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/README.md", srcdir);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot open %s", path);
	if (!f)
		return;
	static char text[1 << 20];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	char *p = strstr(text, "\n## Configuration\n");
	CHECK(p != NULL, "README has a Configuration section");
	if (!p)
		return;
	char *end = strstr(p + 1, "\n## ");
	if (end)
		*end = '\0';
	bool seen[256] = {false};
	CHECK(config_nkeys <= 256, "key table fits");
	char section[64] = "";
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, "| ", 2) != 0 || strncmp(line, "| section", 9) == 0 ||
		    strncmp(line, "|---", 4) == 0)
			continue;
		char *cells[4] = {NULL};
		char *c = line + 1;
		for (int k = 0; k < 4 && c; k++) {
			char *bar = strchr(c, '|');
			if (bar)
				*bar = '\0';
			while (*c == ' ')
				c++;
			char *e = c + strlen(c);
			while (e > c && e[-1] == ' ')
				*--e = '\0';
			cells[k] = c;
			c = bar ? bar + 1 : NULL;
		}
		if (!cells[3])
			continue; /* not a row of this table */
		char *sec = strstr(cells[0], "`[");
		if (sec)
			sscanf(sec + 2, "%63[a-z_]", section);
		char key[64];
		if (sscanf(cells[1], "`%63[a-z_0-9] = `", key) != 1) {
			CHECK(false, "README configuration row without a `key = `: %s", cells[1]);
			continue;
		}
		const struct config_key *k = NULL;
		for (size_t i = 0; i < config_nkeys; i++)
			if (strcmp(config_keys[i].section, section) == 0 &&
			    strcmp(config_keys[i].name, key) == 0) {
				k = &config_keys[i];
				seen[i] = true;
			}
		CHECK(k != NULL, "README documents [%s] %s, which the daemon does not know",
		      section, key);
		if (!k)
			continue;
		const char *d = cells[2];
		if (k->default_value) {
			char want[256];
			snprintf(want, sizeof(want), "`%s`", k->default_value);
			CHECK(strncmp(d, want, strlen(want)) == 0,
			      "README default of [%s] %s is '%s', the daemon's is %s", section, key,
			      d, want);
		} else if (k->required) {
			CHECK(strncmp(d, "required", 8) == 0,
			      "README default of required [%s] %s is '%s', not 'required'", section,
			      key, d);
		} else {
			CHECK(d[0] != '`' && d[0] != '\0',
			      "README default of [%s] %s is '%s'; it has none (say so)", section,
			      key, d);
		}
	}
	for (size_t i = 0; i < config_nkeys; i++)
		CHECK(seen[i], "README's configuration table lacks [%s] %s", config_keys[i].section,
		      config_keys[i].name);
}

int main(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config_errors errs = {0};
		const char *path = write_file(cases[i].text);
		struct config *cfg = config_load(path, sources, 3, &errs);
		size_t nexpect = 0;
		while (cases[i].expect[nexpect])
			nexpect++;
		CHECK((cfg != NULL) == (nexpect == 0), "case %zu: valid=%d", i, cfg != NULL);
		CHECK(errs.count == nexpect, "case %zu: %zu errors, expected %zu (first: %s)", i,
		      errs.count, nexpect, errs.count ? errs.lines[0] : "-");
		for (size_t e = 0; e < nexpect && e < errs.count; e++) {
			CHECK(strncmp(errs.lines[e], path, strlen(path)) == 0, "prefix %s",
			      errs.lines[e]);
			CHECK(strstr(errs.lines[e], cases[i].expect[e]) != NULL,
			      "case %zu: '%s' lacks '%s'", i, errs.lines[e], cases[i].expect[e]);
		}
		if (cfg && i == 1) {
			const struct source_config *t = config_source(cfg, "trading");
			CHECK(t && t->interval == 300 && t->overlap == 0 &&
				  t->reconcile_interval == 3600 && t->statement_timeout == 30,
			      "trading durations");
			CHECK(cfg->listen_port == 9470 &&
				  strcmp(cfg->listen_host, "127.0.0.1") == 0,
			      "listen default");
			CHECK(cfg->alerts.present && cfg->alerts.threshold == 0.8, "alerts");
		}
		if (cfg && i == 0)
			CHECK(cfg->max_header_size == 8192 && cfg->max_body_size == 65536 &&
				  cfg->request_timeout == 30 && cfg->max_connections == 512 &&
				  cfg->max_series_points == 10000,
			      "HTTP limit defaults");
		if (cfg && i == 18)
			CHECK(cfg->max_header_size == 16384 && cfg->max_body_size == 0 &&
				  cfg->request_timeout == 5 && cfg->max_connections == 20 &&
				  cfg->max_series_points == 100,
			      "HTTP limits set");
		if (cfg && i == 21) {
			const struct feed_config *m = config_feed(cfg, "province-monthly");
			const struct feed_config *y = config_feed(cfg, "yearly_report");
			CHECK(cfg->nfeeds == 2 && m && y, "two feeds");
			if (m && y) {
				CHECK(strcmp(m->what, "statistics") == 0 &&
					  strcmp(m->format, "xlsx") == 0 &&
					  strcmp(m->center, "433100") == 0 && m->timeout == 30 &&
					  m->retry_max == 300 && m->sched.sends == PERIOD_MONTH &&
					  m->sched.day == 5 && m->sched.minute == 540 &&
					  !m->directory &&
					  strcmp(m->url, "https://example.org/upload") == 0,
				      "monthly feed and its defaults");
				CHECK(y->sched.sends == PERIOD_YEAR && y->sched.month == 1 &&
					  y->sched.day == 15 && y->sched.minute == 510 &&
					  strcmp(y->format, "csv") == 0 && !y->center &&
					  y->timeout == 10 && y->retry_max == 60 &&
					  strcmp(y->directory, "/tmp") == 0,
				      "yearly report feed");
			}
		}
		if (cfg && i == 15)
			CHECK(strcmp(cfg->store, "dbname=s password=a#b;c") == 0,
			      "comment chars in value: %s", cfg->store);
		config_free(cfg);
		config_errors_clear(&errs);
		unlink(path);
	}
	static const struct {
		const char *text;
		long seconds;
	} durations[] = {{"90", 90},	 {"30s", 30},  {"5m", 300}, {"1h", 3600},
			 {"2d", 172800}, {"0", 0},     {"-1", -1},  {"5x", -1},
			 {"m", -1},	 {"400d", -1}, {"5m5", -1}, {"", -1}};
	for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
		CHECK(config_parse_duration(durations[i].text) == durations[i].seconds, "%s",
		      durations[i].text);
	if (argc > 1) {
		check_documented(argv[1], "config/ggzy-metricsd.conf");
		check_documented(argv[1], "README.md");
		check_readme_defaults(argv[1]);
	}
	return UNIT_DONE();
}
