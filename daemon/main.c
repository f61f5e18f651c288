/* ggzy-metricsd: arguments, the one event base, signals, and the wiring of
 * store, scheduler, alerts and HTTP server. */
#include <event2/event.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../collectors/collector.h"
#include "alerts.h"
#include "app.h"
#include "config.h"
#include "days.h"
#include "form_verify.h"
#include "feeds.h"
#include "http.h"
#include "indicators.h"
#include "log.h"
#include "publish.h"
#include "pg_array.h"
#include "report.h"
#include "scheduler.h"
#include "statistics.h"
#include "store.h"
#include "targets.h"
#include "xmalloc.h"

#ifndef GGZY_VERSION
#define GGZY_VERSION "0.1.0"
#endif

/* --once and report give an unreachable store this long before giving up. */
#define ONCE_STORE_DEADLINE 5

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: ggzy-metricsd -c FILE [--check | --once] [--now TIMESTAMP]\n"
		"       ggzy-metricsd -c FILE report --year Y [--center C] [--format F]\n"
		"       ggzy-metricsd -c FILE report --year Y [--center C] --verify FORM.csv\n"
		"       ggzy-metricsd -c FILE report --year Y [--center C] --publish\n"
		"       ggzy-metricsd -c FILE statistics --period P [--center C] [--format F]\n"
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
		"      --format F      json (default), csv, md or xlsx (a workbook)\n"
		"      --verify FORM   check a hand-made self-evaluation form (CSV in the\n"
		"                      report's columns): scores, total and grade\n"
		"                      recomputed, figures compared with the store; one\n"
		"                      line per disagreement; exit 0 when all agree, 1\n"
		"                      otherwise, 2 when the form cannot be read\n"
		"      --publish       store the report of a closed year as its next\n"
		"                      immutable version; prints {\"version\",\n"
		"                      \"published_at\", \"sha256\"}; exit 1 for the\n"
		"                      current year\n"
		"\n"
		"  statistics          print the statistics table (月报, 季报, 半年报, 年报)\n"
		"                      from the store to stdout; exit 0 on success\n"
		"      --period P      2021-09 (month), 2021-Q3, 2021-H1 or 2021 (required)\n"
		"      --center C      a centre, with its descendants (default: all)\n"
		"      --format F      json (default), csv, md or xlsx\n"
		"\n"
		"      --version       print the version\n"
		"  -h, --help          this text\n"
		"\n"
		"Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reloads the configuration.\n");
}

/* ---- loading the configuration, the targets and the token ---- */

/* Problems go to stderr at start-up (print), to the log on reload. */
static void report_problems(struct config_errors *errs, bool print)
{
	for (size_t i = 0; i < errs->count; i++) {
		if (print)
			fprintf(stderr, "%s\n", errs->lines[i]);
		else
			log_error("reload: %s", errs->lines[i]);
	}
	config_errors_clear(errs);
}

static struct config *load_config(const char *path, bool print)
{
	/* The sections a configuration may have are the collectors'. */
	const char *names[16];
	size_t n = 0;
	for (size_t i = 0; i < collector_count && n < sizeof(names) / sizeof(names[0]); i++)
		names[n++] = collector_table[i]->name;
	struct config_errors errs = {0};
	struct config *cfg = config_load(path, names, n, &errs);
	report_problems(&errs, print);
	return cfg;
}

/* Loads the configured targets file into *out (NULL when none is
 * configured); false, with every problem reported, when it is invalid. */
static bool load_targets(const struct config *cfg, bool print, struct targets **out)
{
	*out = NULL;
	if (!cfg->targets)
		return true;
	struct config_errors errs = {0};
	*out = targets_load(cfg->targets, &errs);
	report_problems(&errs, print);
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
	*token = xstrdup(buf);
	return true;
}

/* The names of the configured sources, as a text[] literal. */
static char *configured_sources(const struct config *cfg)
{
	struct pg_array a;
	pg_array_begin(&a);
	for (size_t i = 0; i < cfg->nsources; i++)
		if (collector_find(cfg->sources[i]->name))
			pg_array_add(&a, cfg->sources[i]->name);
	return pg_array_end(&a);
}

/* ---- the command line ---- */

struct options {
	const char *config_path, *now_text;
	bool check, once, report, statistics, publish;
	const char *year_text, *center, *format, *verify, *period;
};

/* Fills o; returns -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
	    {"config", required_argument, NULL, 'c'},
	    {"check", no_argument, NULL, 'k'},
	    {"once", no_argument, NULL, 'o'},
	    {"now", required_argument, NULL, 'n'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {"year", required_argument, NULL, 'y'},
	    {"center", required_argument, NULL, 'C'},
	    {"format", required_argument, NULL, 'f'},
	    {"verify", required_argument, NULL, 'v'},
	    {"period", required_argument, NULL, 'p'},
	    {"publish", no_argument, NULL, 'P'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': o->config_path = optarg; break;
		case 'k': o->check = true; break;
		case 'o': o->once = true; break;
		case 'n': o->now_text = optarg; break;
		case 'y': o->year_text = optarg; break;
		case 'C': o->center = optarg; break;
		case 'f': o->format = optarg; break;
		case 'v': o->verify = optarg; break;
		case 'p': o->period = optarg; break;
		case 'P': o->publish = true; break;
		case 'V': printf("ggzy-metricsd %s\n", GGZY_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc && strcmp(argv[optind], "report") == 0) {
		o->report = true;
		optind++;
	} else if (optind < argc && strcmp(argv[optind], "statistics") == 0) {
		o->statistics = true;
		optind++;
	}
	if (optind < argc) {
		fprintf(stderr, "ggzy-metricsd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!o->report && !o->statistics && (o->year_text || o->center || o->format)) {
		fprintf(stderr, "ggzy-metricsd: --year, --center and --format belong to 'report' "
				"(--period, --center and --format to 'statistics')\n");
		return 2;
	}
	if (o->verify && !o->report) {
		fprintf(stderr, "ggzy-metricsd: --verify belongs to 'report'\n");
		return 2;
	}
	if (o->publish && (!o->report || o->verify || o->format)) {
		fprintf(stderr, "ggzy-metricsd: --publish belongs to 'report', without --verify "
				"or --format (every format is stored)\n");
		return 2;
	}
	if (o->verify && o->format) {
		fprintf(stderr, "ggzy-metricsd: report --verify prints disagreements, not a "
				"report: leave out --format\n");
		return 2;
	}
	if ((o->period && !o->statistics) || (o->year_text && o->statistics)) {
		fprintf(stderr, "ggzy-metricsd: --period belongs to 'statistics', --year to "
				"'report'\n");
		return 2;
	}
	if ((o->report || o->statistics) && (o->check || o->once)) {
		fprintf(stderr, "ggzy-metricsd: %s runs alone, not with --check or --once\n",
			o->report ? "report" : "statistics");
		return 2;
	}
	if (!o->config_path) {
		fprintf(stderr, "ggzy-metricsd: -c FILE is required\n");
		usage(stderr);
		return 2;
	}
	return -1;
}

/* ---- the running daemon ---- */

struct runtime {
	struct app app;
	bool once;
	int exit_code;
	struct event *once_deadline;
	/* the report and statistics commands (report: either) */
	bool report;
	const char *period; /* statistics --period; NULL: report */
	int report_year;
	const char *report_center;
	enum document_format report_format;
	struct form *verify; /* report --verify: the form read */
	bool publish;	     /* report --publish */
	const char *verify_path;
};

static int parse_statistics(const struct options *o, struct runtime *rt)
{
	if (!o->period) {
		fprintf(stderr, "ggzy-metricsd: statistics needs --period (2021-09, 2021-Q3, "
				"2021-H1 or 2021)\n");
		return 2;
	}
	rt->report = true;
	rt->period = o->period;
	rt->report_center = o->center;
	if (o->format && !document_format_parse(o->format, &rt->report_format)) {
		fprintf(stderr, "ggzy-metricsd: --format must be json, csv, md or xlsx\n");
		return 2;
	}
	return -1;
}

static int parse_report(const struct options *o, struct runtime *rt)
{
	char *end;
	long year = o->year_text ? strtol(o->year_text, &end, 10) : 0;
	if (!o->year_text || *end || end == o->year_text || year < 1000 || year > 9999) {
		fprintf(stderr, "ggzy-metricsd: report needs --year YYYY\n");
		return 2;
	}
	rt->report = true;
	rt->report_year = (int)year;
	rt->report_center = o->center;
	rt->publish = o->publish;
	if (o->format && !document_format_parse(o->format, &rt->report_format)) {
		fprintf(stderr, "ggzy-metricsd: --format must be json, csv, md or xlsx\n");
		return 2;
	}
	return -1;
}

static void on_report_done(const struct document *r, void *arg)
{
	struct runtime *rt = arg;
	const char *what = rt->period ? "statistics" : "report";
	if (r->status == 200) {
		fwrite(r->body, 1, r->len, stdout);
		if (fflush(stdout) != 0) {
			log_error("%s: cannot write to stdout", what);
			rt->exit_code = 1;
		} else {
			rt->exit_code = 0;
		}
	} else {
		fprintf(stderr, "ggzy-metricsd: %s: %s\n", what, r->message);
		rt->exit_code = r->status == 400 ? 2 : 1;
	}
	event_base_loopexit(rt->app.base, NULL);
}

/* The current JSON report says what moved since its latest published
 * version, as the HTTP API's does. */
static void on_report_json(const struct document *r, void *arg)
{
	struct runtime *rt = arg;
	publish_annotate(rt->app.store, rt->report_year, rt->report_center, r, on_report_done, rt);
}

/* report --publish: the version's number, time and SHA-256 on stdout. */
static void on_published(const struct publish_result *r, void *arg)
{
	struct runtime *rt = arg;
	if (r->status == 200) {
		printf("{\"version\":%d,\"published_at\":\"%s\",\"sha256\":\"%s\"}\n", r->version,
		       r->published_at, r->sha256);
		rt->exit_code = fflush(stdout) == 0 ? 0 : 1;
	} else {
		fprintf(stderr, "ggzy-metricsd: report --publish: %s\n", r->message);
		rt->exit_code = r->status == 400 ? 2 : 1;
	}
	event_base_loopexit(rt->app.base, NULL);
}

/* report --verify: one line per disagreement on stdout, a summary on
 * stderr; exit 0 when all agree, 1 otherwise. */
static void on_verify_figures(const struct report_figures *f, void *arg)
{
	struct runtime *rt = arg;
	if (f->status != 200) {
		fprintf(stderr, "ggzy-metricsd: report: %s\n", f->message);
		rt->exit_code = f->status == 400 ? 2 : 1;
		event_base_loopexit(rt->app.base, NULL);
		return;
	}
	struct config_errors out = {0};
	struct form_summary sum;
	form_verify(rt->verify, f, &out, &sum);
	for (size_t i = 0; i < out.count; i++)
		printf("%s\n", out.lines[i]);
	config_errors_clear(&out);
	bool written = fflush(stdout) == 0;
	if (!f->ty)
		fprintf(stderr,
			"ggzy-metricsd: no targets for %d%s%s: no 实际完成值 compared with the "
			"store, default scoring\n",
			rt->report_year, rt->report_center ? " centre " : "",
			rt->report_center ? rt->report_center : "");
	char verdict[64] = "all agree";
	if (sum.disagreements)
		snprintf(verdict, sizeof(verdict), "%zu disagreement%s", sum.disagreements,
			 sum.disagreements == 1 ? "" : "s");
	fprintf(stderr,
		"ggzy-metricsd: %s: %zu indicator lines, %zu rescored, %zu figures compared with "
		"the store: %s\n",
		rt->verify_path, sum.lines, sum.rescored, sum.compared, verdict);
	rt->exit_code = !written || sum.disagreements ? 1 : 0;
	event_base_loopexit(rt->app.base, NULL);
}

static void on_store_ready(void *arg)
{
	struct runtime *rt = arg;
	if (rt->report && rt->verify) {
		struct report_context ctx = app_report_context(&rt->app);
		report_figures(&ctx, rt->report_year, rt->report_center, on_verify_figures, rt);
		return;
	}
	if (rt->period) {
		struct statistics_context ctx = {
		    .store = rt->app.store, .clock = &rt->app.clock, .sources = rt->app.sources};
		statistics_build(&ctx, rt->period, rt->report_center, rt->report_format,
				 on_report_done, rt);
		return;
	}
	if (rt->report && rt->publish) {
		struct report_context ctx = app_report_context(&rt->app);
		publish_report(&ctx, rt->report_year, rt->report_center, on_published, rt);
		return;
	}
	if (rt->report) {
		struct report_context ctx = app_report_context(&rt->app);
		report_build(&ctx, rt->report_year, rt->report_center, rt->report_format,
			     rt->report_format == DOC_JSON ? on_report_json : on_report_done, rt);
		return;
	}
	scheduler_start(rt->app.sched);
	if (!rt->once) {
		alerts_start(rt->app.alerts);
		feeds_start(rt->app.feeds);
	}
}

static void on_once_feeds_done(bool ok, void *arg)
{
	struct runtime *rt = arg;
	if (!ok)
		log_warn("--once: a feed was not delivered; the next run sends it");
	event_base_loopexit(rt->app.base, NULL);
}

static void on_once_alerts_done(bool ok, void *arg)
{
	struct runtime *rt = arg;
	if (!ok)
		log_warn("--once: alerts were not all evaluated and delivered; the next run "
			 "picks them up");
	/* Then each feed's due periods, one attempt each. */
	feeds_run_once(rt->app.feeds, on_once_feeds_done, rt);
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
	if (store_is_up(rt->app.store) && !store_refused(rt->app.store)) {
		/* Reachable and still migrating: wait on. */
		struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
		evtimer_add(rt->once_deadline, &tv);
		return;
	}
	log_error("%s: the store is not ready after %ds: %s",
		  rt->period   ? "statistics"
		  : rt->report ? "report"
			       : "--once",
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
	struct app *app = &((struct runtime *)arg)->app;
	log_info("SIGHUP: reloading %s", app->cfg->path);
	struct config *cfg = load_config(app->cfg->path, false);
	if (!cfg) {
		log_error("reload: configuration invalid, keeping the running one");
		return;
	}
	char *token;
	struct targets *targets;
	if (!load_token(cfg->api_token_file, &token)) {
		log_error("reload: keeping the running configuration");
		config_free(cfg);
		return;
	}
	if (!load_targets(cfg, false, &targets)) {
		log_error("reload: targets invalid, keeping the running configuration and targets");
		free(token);
		config_free(cfg);
		return;
	}
	targets_free(app->targets);
	app->targets = targets;
	free(app->api_token);
	app->api_token = token;
	app->cfg = config_swap(app->cfg, cfg);
	log_set_level((enum log_level)app->cfg->log_level);
	scheduler_reload(app->sched, app->cfg);
	http_server_reload(app->http);
	alerts_reload(app->alerts, app->cfg, app->targets);
	feeds_reload(app->feeds, app->cfg, app->targets);
	log_info("reload: done");
}


static void on_source_loaded(const char *source, void *arg)
{
	(void)source;
	alerts_poke(((struct app *)arg)->alerts);
	feeds_poke(((struct app *)arg)->feeds);
}

/* Whether every configured source has finished its first poll: a feed's
 * document is made only then. */
static bool sources_loaded(void *arg)
{
	struct app *app = arg;
	for (size_t i = 0; i < app->cfg->nsources; i++)
		if (!scheduler_loaded(app->sched, app->cfg->sources[i]->name))
			return false;
	return true;
}

/* Builds the running parts on cfg and targets (owned from now on). */
static bool start(struct runtime *rt, struct config *cfg, struct targets *targets)
{
	struct app *app = &rt->app;
	app->cfg = cfg;
	app->targets = targets;
	app->sources = configured_sources(cfg);
	if (!load_token(cfg->api_token_file, &app->api_token))
		return false;
	/* The report command's stdout is the report; stderr stays quiet unless
	 * something is wrong. */
	enum log_level level = (enum log_level)cfg->log_level;
	log_set_level(rt->report && level > LOG_WARN ? LOG_WARN : level);
	app->base = event_base_new();
	char *redacted = pg_conninfo_redacted(cfg->store);
	if (!rt->report)
		log_info("ggzy-metricsd %s starting: store %s, time zone %s", GGZY_VERSION,
			 redacted, cfg->timezone);
	free(redacted);
	app->store = store_new(app->base, cfg->store, cfg->timezone, cfg->identity_key_file,
			       on_store_ready, rt);
	if (!rt->report) {
		app->sched = scheduler_new(app->base, cfg, app->store, &app->clock, rt->once,
					   on_once_done, rt);
		app->alerts = alerts_new(app->base, app->store, &app->clock, cfg, targets,
					 app_metric_ready, app);
		scheduler_on_loaded(app->sched, on_source_loaded, app);
		app->feeds = feeds_new(app->base, app->store, &app->clock, cfg, targets,
				       app->sources, sources_loaded, app);
	}
	if (rt->once || rt->report) {
		rt->exit_code = 1; /* until the work says otherwise */
		rt->once_deadline = evtimer_new(app->base, on_once_deadline, rt);
		struct timeval tv = {.tv_sec = ONCE_STORE_DEADLINE, .tv_usec = 0};
		evtimer_add(rt->once_deadline, &tv);
		return true;
	}
	char err[256];
	app->http = http_server_new(app, err, sizeof(err));
	if (!app->http) {
		log_error("%s", err);
		return false;
	}
	log_info("listening on http://%s/", cfg->listen);
	return true;
}

static void stop(struct runtime *rt)
{
	struct app *app = &rt->app;
	http_server_stop(app->http);
	scheduler_stop(app->sched);
	feeds_stop(app->feeds);
	store_free(app->store); /* queries in flight fail into their owners */
	alerts_free(app->alerts);
	feeds_free(app->feeds);
	scheduler_free(app->sched);
	/* Last: the owners above answer their HTTP requests as they fail, and
	 * those requests must still exist (evhttp_free frees them). */
	http_server_free(app->http);
	if (rt->once_deadline)
		event_free(rt->once_deadline);
	if (app->base)
		event_base_free(app->base);
	free(app->api_token);
	free(app->sources);
	api_metrics_free();
	api_series_free();
	indicators_cache_free();
	targets_free(app->targets);
	config_free(app->cfg);
	form_free(rt->verify);
}

/* --check: the configuration, the token file and the targets file, each
 * named when it is fine; every problem was printed while loading. */
static int check(const struct options *o, struct config *cfg, bool targets_ok,
		 struct targets *targets)
{
	char *token;
	bool ok = load_token(cfg->api_token_file, &token) && targets_ok;
	free(token);
	if (ok && targets) {
		size_t n = 0;
		for (size_t i = 0; i < targets->nyears; i++)
			n += targets->years[i].nindicators;
		printf("%s: ok; targets %s: ok (%zu year entries, %zu indicators)\n",
		       o->config_path, cfg->targets, targets->nyears, n);
	} else if (ok) {
		printf("%s: ok (no targets file)\n", o->config_path);
	}
	targets_free(targets);
	config_free(cfg);
	return ok ? 0 : 2;
}

int main(int argc, char **argv)
{
	struct options o = {0};
	int code = parse_options(argc, argv, &o);
	if (code >= 0)
		return code;
	struct runtime rt = {.once = o.once};
	if (o.report && (code = parse_report(&o, &rt)) >= 0)
		return code;
	if (o.statistics && (code = parse_statistics(&o, &rt)) >= 0)
		return code;
	struct config *cfg = load_config(o.config_path, true);
	if (!cfg)
		return 2;
	/* Day boundaries, the current year and --now without an offset are all
	 * in the centre's time zone. */
	setenv("TZ", cfg->timezone, 1);
	tzset();
	rt.app.clock.fixed = o.now_text != NULL;
	if (o.now_text && !days_parse_instant(o.now_text, &rt.app.clock.at)) {
		fprintf(stderr, "ggzy-metricsd: --now: '%s' is not an ISO 8601 timestamp\n",
			o.now_text);
		config_free(cfg);
		return 2;
	}
	struct targets *targets;
	bool targets_ok = load_targets(cfg, true, &targets);
	if (o.check)
		return check(&o, cfg, targets_ok, targets);
	if (!targets_ok) {
		config_free(cfg);
		return 2;
	}
	if (o.verify) {
		/* Read before the store is asked anything: an unreadable form
		 * is told at once. */
		struct config_errors errs = {0};
		rt.verify = form_load(o.verify, &errs);
		rt.verify_path = o.verify;
		report_problems(&errs, true);
		if (!rt.verify) {
			targets_free(targets);
			config_free(cfg);
			return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	if (!start(&rt, cfg, targets)) {
		stop(&rt);
		return rt.app.base ? 1 : 2;
	}
	struct event *signals[3] = {
	    evsignal_new(rt.app.base, SIGTERM, on_stop_signal, &rt),
	    evsignal_new(rt.app.base, SIGINT, on_stop_signal, &rt),
	    evsignal_new(rt.app.base, SIGHUP, on_reload_signal, &rt),
	};
	for (int i = 0; i < 3; i++)
		event_add(signals[i], NULL);
	event_base_dispatch(rt.app.base);
	for (int i = 0; i < 3; i++)
		event_free(signals[i]);
	stop(&rt);
	if (!rt.report)
		log_info("stopped");
	return rt.exit_code;
}
