/* fuzz_config — the configuration parser (SPEC §5) on arbitrary bytes.
 *
 * Invariants checked beyond "no crash, no leak, no UB":
 *  - exactly one outcome: a config and no problem, or NULL and problems;
 *  - every problem is "fuzz.conf:LINE: message" with LINE within the text;
 *  - an accepted config has what the daemon relies on: a listen port in
 *    0..65535, a store, a time zone, at most CONFIG_MAX_SOURCES sources, each
 *    of a known kind, a conninfo and positive periods;
 *  - parsing is deterministic (a second parse gives the same problems). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define PATH "fuzz.conf"

static const char *const sources[] = {"trading", "deposit", "expert"};

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_config: invariant failed: %s\n", #cond);             \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static long count_lines(const uint8_t *data, size_t size)
{
	long n = 1;
	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n;
}

static void check_errors(const struct config_errors *errs, long lines)
{
	for (size_t i = 0; i < errs->count; i++) {
		const char *e = errs->lines[i];
		CHECK(strncmp(e, PATH ":", sizeof(PATH)) == 0);
		char *end;
		long line = strtol(e + sizeof(PATH), &end, 10);
		CHECK(end != e + sizeof(PATH) && end[0] == ':' && end[1] == ' ' && end[2]);
		CHECK(line >= 1 && line <= lines);
	}
}

static void check_config(const struct config *cfg)
{
	CHECK(cfg->listen && cfg->listen_host);
	CHECK(cfg->listen_port >= 0 && cfg->listen_port <= 65535);
	CHECK(cfg->store && cfg->timezone);
	CHECK(cfg->nsources <= CONFIG_MAX_SOURCES);
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct source_config *sc = cfg->sources[i];
		bool known = false;
		for (size_t k = 0; k < sizeof(sources) / sizeof(sources[0]); k++)
			known |= strncmp(sc->name, sources[k], strlen(sources[k])) == 0 &&
				 (sc->name[strlen(sources[k])] == '\0' ||
				  sc->name[strlen(sources[k])] == '.');
		CHECK(known);
		CHECK(config_source(cfg, sc->name) == sc);
		CHECK(sc->conninfo);
		CHECK(sc->interval > 0 && sc->reconcile_interval > 0 && sc->statement_timeout > 0);
		CHECK(sc->overlap >= 0);
	}
	if (cfg->alerts.present) {
		CHECK(cfg->alerts.evaluate_interval > 0);
		CHECK(cfg->alerts.threshold > 0 && cfg->alerts.threshold <= 1);
	}
	char buf[256];
	CHECK(!config_restart_needed(cfg, cfg, buf, sizeof(buf)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = {0}, again = {0};
	struct config *cfg = config_parse(PATH, (const char *)data, size, sources, 3, &errs);
	CHECK((cfg != NULL) == (errs.count == 0));
	check_errors(&errs, count_lines(data, size));
	if (cfg)
		check_config(cfg);
	struct config *cfg2 = config_parse(PATH, (const char *)data, size, sources, 3, &again);
	CHECK(again.count == errs.count);
	for (size_t i = 0; i < errs.count; i++)
		CHECK(strcmp(again.lines[i], errs.lines[i]) == 0);
	config_free(cfg);
	config_free(cfg2);
	config_errors_clear(&errs);
	config_errors_clear(&again);
	return 0;
}
