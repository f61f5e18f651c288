/* ggzy-metricsd: arguments, the one event base, signals, and the wiring of
 * store, scheduler and HTTP server. */
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../collectors/collector.h"
#include "app.h"
#include "config.h"
#include "alerts.h"
#include "days.h"
#include "http.h"
#include "indicators.h"
#include "log.h"
#include "report.h"
#include "scheduler.h"
#include "store.h"
#include "targets.h"

#ifndef GGZY_VERSION
#define GGZY_VERSION "0.1.0"
#endif

/* --once gives an unreachable store this long before giving up. */
#define ONCE_STORE_DEADLINE 5

/* The sources SPEC §2 names; a section for one without a collector in this
 * build is accepted and ignored with a warning. */
static const char *const spec_sources[] = {"trading", "deposit", "expert"};

time_t app_now(const struct app *app) { return app->has_now ? app->now : time(NULL); }

static void usage(FILE *out)
{
	fprintf(out, "Usage: ggzy-metricsd -c FILE [--check | --once] [--now TIMESTAMP]\n"
		     "       ggzy-metricsd -c FILE report --year Y [--center C] [--format F]\n"
		     "       ggzy-metricsd --version | --help\n"
		     "\n"
		     "Polls the trading, deposit and expert databases of a public resource\n"
		     "trading centre into exact daily figures and serves them over HTTP.\n"
		     "\n"
		     "  -c, --config FILE   configuration file (required)\n"
		     "      --check         validate the configuration and the targets file,\n"
		     "                      print every problem as FILE:LINE: message;\n"
		     "                      exit 0 if valid, 2 if not\n"
		     "      --once          one poll and one reconciliation of every source,\n"
		     "                      then exit: 0 if all succeeded, 1 otherwise\n"
		     "      --now TIMESTAMP behave as if the time were TIMESTAMP (ISO 8601)\n"
		     "\n"
		     "  report              print the year-end report from the store to stdout\n"
		     "                      (no server is started); exit 0 on success\n"
		     "      --year Y        the year (required)\n"
		     "      --center C      a centre, with its descendants (default: all)\n"
		     "      --format F      json (default), csv or md\n"
		     "\n"
		     "      --version       print the version\n"
		     "  -h, --help          this text\n"
		     "\n"
		     "Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the configuration.\n");
}

static struct config *load_config(const char *path, bool print_errors)
{
	struct config_errors errs = {0};
	struct config *cfg =
	    config_load(path, spec_sources, sizeof(spec_sources) / sizeof(spec_sources[0]), &errs);
	for (size_t i = 0; i < errs.count; i++) {
		if (print_errors)
			fprintf(stderr, "%s\n", errs.lines[i]);
		else
			log_error("reload: %s", errs.lines[i]);
	}
	config_errors_clear(&errs);
	return cfg;
}

/* Loads the configured targets file into *out (NULL when none is
 * configured); false, with every problem reported, when it is invalid. */
static bool load_targets(const struct config *cfg, bool print_errors, struct targets **out)
{
	*out = NULL;
	if (!cfg->targets)
		return true;
	struct config_errors errs = {0};
	*out = targets_load(cfg->targets, &errs);
	for (size_t i = 0; i < errs.count; i++) {
		if (print_errors)
			fprintf(stderr, "%s\n", errs.lines[i]);
		else
			log_error("reload: %s", errs.lines[i]);
	}
	config_errors_clear(&errs);
	return *out != NULL;
}

/* Reads the token file; refuses one that others may read. */
static bool load_token(const char *path, char **token)
{
	*token = NULL;
	if (!path)
		return true;
	struct stat sb;
	FILE *f = fopen(path, "r");
	if (!f || fstat(fileno(f), &sb) != 0) {
		log_error("api_token_file %s: cannot read", path);
		if (f)
			fclose(f);
		return false;
	}
	if (sb.st_mode & S_IROTH) {
		log_error("api_token_file %s: readable by everyone; chmod o-r it", path);
		fclose(f);
		return false;
	}
	char buf[512];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (n == 0) {
		log_error("api_token_file %s: empty", path);
		return false;
	}
	*token = strdup(buf);
	return true;
}

struct runtime {
	struct app app;
	bool once;
	int exit_code;
	struct event *once_deadline;
	/* the report command */
	bool report;
	int report_year;
	const char *report_center;
	enum report_format report_format;
};

static void on_report_done(const struct report_result *r, void *arg)
{
	struct runtime *rt = arg;
	if (r->status == 200) {
		fwrite(r->body, 1, r->len, stdout);
		if (fflush(stdout) != 0) {
			log_error("report: cannot write to stdout");
			rt->exit_code = 1;
		} else {
			rt->exit_code = 0;
		}
	} else {
		fprintf(stderr, "ggzy-metricsd: report: %s\n", r->message);
		rt->exit_code = r->status == 400 ? 2 : 1;
	}
	event_base_loopexit(rt->app.base, NULL);
}

static void on_store_ready(void *arg)
{
	struct runtime *rt = arg;
	if (rt->report)
		report_build(&rt->app, rt->report_year, rt->report_center, rt->report_format,
			     on_report_done, rt);
	else
		scheduler_start(rt->app.sched);
	if (!rt->report && !rt->once)
		alerts_start(rt->app.alerts);
}

static void on_once_alerts_done(bool ok, void *arg)
{
	struct runtime *rt = arg;
	if (!ok)
		log_warn("--once: alerts were not all evaluated and delivered; the next run "
			 "picks them up");
	event_base_loopexit(rt->app.base, NULL);
}

static void on_once_done(bool all_ok, void *arg)
{
	struct runtime *rt = arg;
	rt->exit_code = all_ok ? 0 : 1;
	log_info("--once: %s", all_ok ? "every source succeeded" : "a source failed");
	/* Then one evaluation of the targets and one delivery attempt, so that
	 * a replay with --now steps the alerts as the daemon would. */
	alerts_run_once(rt->app.alerts, on_once_alerts_done, rt);
}

static void on_once_deadline(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct runtime *rt = arg;
	if (store_is_ready(rt->app.store))
		return;
	if (store_is_up(rt->app.store) && !store_schema_too_new(rt->app.store)) {
		/* Reachable and still migrating: wait on. */
		struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
		evtimer_add(rt->once_deadline, &tv);
		return;
	}
	log_error("%s: the store is not ready after %ds: %s", rt->report ? "report" : "--once",
		  ONCE_STORE_DEADLINE, store_last_error(rt->app.store));
	rt->exit_code = 1;
	event_base_loopexit(rt->app.base, NULL);
}

static void on_stop_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)what;
	struct runtime *rt = arg;
	log_info("signal %d: shutting down", (int)sig);
	event_base_loopexit(rt->app.base, NULL);
}

static void on_reload_signal(evutil_socket_t sig, short what, void *arg)
{
	(void)sig;
	(void)what;
	struct runtime *rt = arg;
	struct app *app = &rt->app;
	log_info("SIGHUP: reloading %s", app->cfg->path);
	struct config *cfg = load_config(app->cfg->path, false);
	if (!cfg) {
		log_error("reload: configuration invalid, keeping the running one");
		return;
	}
	char *token;
	if (!load_token(cfg->api_token_file, &token)) {
		log_error("reload: keeping the running configuration");
		config_free(cfg);
		return;
	}
	struct targets *targets;
	if (!load_targets(cfg, false, &targets)) {
		log_error("reload: targets invalid, keeping the running configuration and targets");
		free(token);
		config_free(cfg);
		return;
	}
	targets_free(app->targets);
	app->targets = targets;
	char keys[256];
	if (config_restart_needed(app->cfg, cfg, keys, sizeof(keys)))
		log_warn("reload: %s changed; a restart is needed for that to apply", keys);
	log_set_level((enum log_level)cfg->log_level);
	scheduler_reload(app->sched, cfg);
	free(app->api_token);
	app->api_token = token;
	/* Keep the non-reloadable values the process runs with. */
	for (size_t i = 0; i < config_nkeys; i++) {
		const struct config_key *k = &config_keys[i];
		if (k->reloadable || strcmp(k->section, "daemon") != 0)
			continue;
		char **slot_new = (char **)((char *)cfg + k->offset);
		char **slot_old = (char **)((char *)app->cfg + k->offset);
		char *tmp = *slot_new;
		*slot_new = *slot_old;
		*slot_old = tmp;
	}
	config_free(app->cfg);
	app->cfg = cfg;
	http_server_reload(app->http);
	alerts_reload(app->alerts);
	log_info("reload: done");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'}, {"check", no_argument, NULL, 'k'},
	    {"once", no_argument, NULL, 'o'},	      {"now", required_argument, NULL, 'n'},
	    {"version", no_argument, NULL, 'V'},      {"help", no_argument, NULL, 'h'},
	    {"year", required_argument, NULL, 'y'},   {"center", required_argument, NULL, 'C'},
	    {"format", required_argument, NULL, 'f'}, {NULL, 0, NULL, 0},
	};
	const char *config_path = NULL, *now_text = NULL;
	const char *year_text = NULL, *center = NULL, *format = NULL;
	bool check = false, once = false;
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config_path = optarg; break;
		case 'k': check = true; break;
		case 'o': once = true; break;
		case 'n': now_text = optarg; break;
		case 'y': year_text = optarg; break;
		case 'C': center = optarg; break;
		case 'f': format = optarg; break;
		case 'V': printf("ggzy-metricsd %s\n", GGZY_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	struct runtime rt = {.once = once};
	if (optind < argc && strcmp(argv[optind], "report") == 0) {
		rt.report = true;
		optind++;
	}
	if (optind < argc) {
		fprintf(stderr, "ggzy-metricsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!rt.report && (year_text || center || format)) {
		fprintf(stderr,
			"ggzy-metricsd: --year, --center and --format belong to 'report'\n");
		return 2;
	}
	if (rt.report) {
		char *end;
		long year = year_text ? strtol(year_text, &end, 10) : 0;
		if (!year_text || *end || end == year_text || year < 1000 || year > 9999) {
			fprintf(stderr, "ggzy-metricsd: report needs --year YYYY\n");
			return 2;
		}
		rt.report_year = (int)year;
		rt.report_center = center;
		if (format && !report_format_parse(format, &rt.report_format)) {
			fprintf(stderr, "ggzy-metricsd: --format must be json, csv or md\n");
			return 2;
		}
		if (check || once) {
			fprintf(stderr,
				"ggzy-metricsd: report runs alone, not with --check or --once\n");
			return 2;
		}
	}
	if (!config_path) {
		fprintf(stderr, "ggzy-metricsd: -c FILE is required\n");
		usage(stderr);
		return 2;
	}
	struct config *cfg = load_config(config_path, true);
	if (!cfg)
		return 2;
	/* Day boundaries, the current year and --now without an offset are all
	 * in the centre's time zone. */
	setenv("TZ", cfg->timezone, 1);
	tzset();
	if (now_text && !days_parse_instant(now_text, &rt.app.now)) {
		fprintf(stderr, "ggzy-metricsd: --now: '%s' is not an ISO 8601 timestamp\n",
			now_text);
		config_free(cfg);
		return 2;
	}
	rt.app.has_now = now_text != NULL;
	struct targets *targets;
	bool targets_ok = load_targets(cfg, true, &targets);
	if (check) {
		char *token;
		bool ok = load_token(cfg->api_token_file, &token) && targets_ok;
		free(token);
		targets_free(targets);
		config_free(cfg);
		if (!ok)
			return 2;
		printf("%s: ok\n", config_path);
		return 0;
	}
	if (!targets_ok) {
		config_free(cfg);
		return 2;
	}
	log_set_level((enum log_level)cfg->log_level);
	signal(SIGPIPE, SIG_IGN);

	struct app *app = &rt.app;
	app->cfg = cfg;
	app->targets = targets;
	if (!load_token(cfg->api_token_file, &app->api_token)) {
		targets_free(targets);
		config_free(cfg);
		return 2;
	}
	app->base = event_base_new();
	char *redacted = pg_conninfo_redacted(cfg->store);
	if (!rt.report)
		log_info("ggzy-metricsd %s starting: store %s, time zone %s", GGZY_VERSION,
			 redacted, cfg->timezone);
	free(redacted);
	app->store = store_new(app->base, cfg->store, cfg->timezone, on_store_ready, &rt);
	if (!rt.report) {
		app->sched = scheduler_new(app->base, cfg, app->store, once, on_once_done, &rt);
		app->alerts = alerts_new(app);
	}

	struct event *sigterm = evsignal_new(app->base, SIGTERM, on_stop_signal, &rt);
	struct event *sigint = evsignal_new(app->base, SIGINT, on_stop_signal, &rt);
	struct event *sighup = evsignal_new(app->base, SIGHUP, on_reload_signal, &rt);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	event_add(sighup, NULL);

	if (once || rt.report) {
		rt.exit_code = 1; /* until the work says otherwise */
		rt.once_deadline = evtimer_new(app->base, on_once_deadline, &rt);
		struct timeval tv = {.tv_sec = ONCE_STORE_DEADLINE, .tv_usec = 0};
		evtimer_add(rt.once_deadline, &tv);
	} else {
		char err[256];
		app->http = http_server_new(app, err, sizeof(err));
		if (!app->http) {
			log_error("%s", err);
			rt.exit_code = 1;
			goto out;
		}
		log_info("listening on http://%s/", cfg->listen);
	}
	event_base_dispatch(app->base);

out:
	http_server_stop(app->http);
	scheduler_stop(app->sched);
	store_free(app->store); /* queries in flight fail into their owners */
	alerts_free(app->alerts);
	scheduler_free(app->sched);
	/* Last: the owners above answer their HTTP requests as they fail, and
	 * those requests must still exist (evhttp_free frees them). */
	http_server_free(app->http);
	if (rt.once_deadline)
		event_free(rt.once_deadline);
	event_free(sigterm);
	event_free(sigint);
	event_free(sighup);
	event_base_free(app->base);
	free(app->api_token);
	api_metrics_free();
	api_series_free();
	indicators_cache_free();
	targets_free(app->targets);
	config_free(app->cfg);
	if (!rt.report)
		log_info("stopped");
	return rt.exit_code;
}
