#include "feeds.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "days.h"
#include "document.h"
#include "feeds_send.h"
#include "feeds_store.h"
#include "log.h"
#include "pg_array.h"
#include "prom.h"
#include "report.h"
#include "schedule.h"
#include "statistics.h"
#include "store.h"
#include "targets.h"
#include "wallclock.h"
#include "xmalloc.h"

/* Periods a start catches up on at most (three years of months). */
#define CATCHUP_MAX 36
/* An idle feed looks at its schedule at least this often (seconds): a clock
 * set forward, or a reload, is noticed within it. */
#define IDLE_RECHECK 3600
/* A document waits this long for the sources' first poll between looks
 * (feeds_poke comes sooner). */
#define SOURCES_RECHECK 5

struct feed {
	struct feeds *owner;
	struct feed_config cfg;		 /* its own copy */
	struct feed_config *pending_cfg; /* a reload waiting for the step in flight */
	bool removed;			 /* its section is gone: freed when idle */
	bool busy;			 /* a step is in flight */
	bool waiting_sources;
	struct event *timer;
	int backoff; /* seconds before the next attempt after a failure */
	struct feed_sender *sender;
	char sender_error[256];
	/* the delivery in hand */
	char period[PERIOD_ID_TEXT];
	char what[16];
	unsigned char *body;
	size_t len;
	char *format, *filename, *content_type, *sha256;
	int attempt;
	/* what the store last said, and the schedule */
	long long pending; /* -1: not read yet */
	long long last_success;
	char last_period[PERIOD_ID_TEXT];
	char *last_error;
	bool up, complained;
	time_t next_run;
	char next_period[PERIOD_ID_TEXT];
	char destination[512]; /* shown: the URL without its query and user, or the directory */
	struct feed *next;
};

struct feeds {
	struct event_base *base;
	struct store *store;
	const struct wallclock *clock;
	const struct config *cfg;
	struct targets *targets;
	const char *sources;
	feeds_ready_fn ready;
	void *ready_arg;
	struct feed *list;
	bool started, stopping;
	/* --once */
	bool once, once_ok;
	size_t once_left;
	feeds_done_cb once_done;
	void *once_arg;
};

/* ---- configuration copies ---- */

static void config_copy(struct feed_config *dst, const struct feed_config *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->what = xstrdup_or_null(src->what);
	dst->schedule = xstrdup_or_null(src->schedule);
	dst->center = xstrdup_or_null(src->center);
	dst->format = xstrdup_or_null(src->format);
	dst->url = xstrdup_or_null(src->url);
	dst->directory = xstrdup_or_null(src->directory);
	dst->ca_file = xstrdup_or_null(src->ca_file);
}

static void config_clear(struct feed_config *c)
{
	free(c->name);
	free(c->what);
	free(c->schedule);
	free(c->center);
	free(c->format);
	free(c->url);
	free(c->directory);
	free(c->ca_file);
	memset(c, 0, sizeof(*c));
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool config_same(const struct feed_config *a, const struct feed_config *b)
{
	return str_eq(a->what, b->what) && str_eq(a->schedule, b->schedule) &&
	       str_eq(a->center, b->center) && str_eq(a->format, b->format) &&
	       str_eq(a->url, b->url) && str_eq(a->directory, b->directory) &&
	       str_eq(a->ca_file, b->ca_file) && a->timeout == b->timeout &&
	       a->retry_max == b->retry_max;
}

/* A URL as shown: scheme, host, port and path; no user, no query. */
static void shown_destination(const struct feed_config *c, char *buf, size_t len)
{
	if (!c->url) {
		snprintf(buf, len, "%s", c->directory ? c->directory : "");
		return;
	}
	const char *rest = strstr(c->url, "://");
	rest = rest ? rest + 3 : c->url;
	const char *at = strchr(rest, '@'), *slash = strchr(rest, '/');
	if (at && (!slash || at < slash))
		rest = at + 1;
	size_t scheme = (size_t)(strstr(c->url, "://") ? strstr(c->url, "://") - c->url : 0);
	snprintf(buf, len, "%.*s://%.*s", (int)scheme, c->url, (int)strcspn(rest, "?#"), rest);
}

static void apply_config(struct feed *fd, const struct feed_config *c)
{
	config_clear(&fd->cfg);
	config_copy(&fd->cfg, c);
	feed_sender_free(fd->sender);
	fd->sender_error[0] = '\0';
	fd->sender =
	    feed_sender_new(fd->owner->base, &fd->cfg, fd->sender_error, sizeof(fd->sender_error));
	if (!fd->sender)
		log_error("feed %s: %s", fd->cfg.name, fd->sender_error);
	shown_destination(&fd->cfg, fd->destination, sizeof(fd->destination));
	fd->backoff = 0;
}

/* ---- time ---- */

static time_t local_instant(long day, int minute)
{
	int y, m, d;
	days_to_civil(day, &y, &m, &d);
	struct tm tm = {.tm_year = y - 1900,
			.tm_mon = m - 1,
			.tm_mday = d,
			.tm_hour = minute / 60,
			.tm_min = minute % 60,
			.tm_isdst = -1};
	return mktime(&tm);
}

static void local_now(time_t t, long *day, int *minute)
{
	struct tm tm;
	localtime_r(&t, &tm);
	*day = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
	*minute = tm.tm_hour * 60 + tm.tm_min;
}

static time_t run_instant(const struct schedule *s, struct period_id p)
{
	long day;
	int minute;
	schedule_run_of(s, p, &day, &minute);
	return local_instant(day, minute);
}

/* ---- steps ---- */

static void tick(struct feed *fd);
static void fetch_next(struct feed *fd);
static void feed_free(struct feed *fd);

static void arm(struct feed *fd, long seconds)
{
	if (fd->owner->once || fd->owner->stopping)
		return;
	struct timeval tv = {.tv_sec = seconds > 0 ? seconds : 0, .tv_usec = 0};
	evtimer_add(fd->timer, &tv);
}

static void drop_delivery(struct feed *fd)
{
	free(fd->body);
	free(fd->format);
	free(fd->filename);
	free(fd->content_type);
	free(fd->sha256);
	fd->body = NULL;
	fd->format = fd->filename = fd->content_type = fd->sha256 = NULL;
	fd->len = 0;
	fd->period[0] = '\0';
}

/* The store's figures of one feed, looked up by name when they arrive (the
 * feed may have been removed meanwhile). */
struct summary_req {
	struct feeds *owner;
	char name[72];
};

static struct feed *find(struct feeds *f, const char *name)
{
	for (struct feed *fd = f->list; fd; fd = fd->next)
		if (strcmp(fd->cfg.name, name) == 0)
			return fd;
	return NULL;
}

static void on_summary(PGresult *res, const char *error, void *arg)
{
	struct summary_req *r = arg;
	struct feed *fd = error ? NULL : find(r->owner, r->name);
	if (fd && PQntuples(res) == 1) {
		fd->pending = atoll(PQgetvalue(res, 0, 1));
		fd->last_success = PQgetisnull(res, 0, 2) ? 0 : atoll(PQgetvalue(res, 0, 2));
		snprintf(fd->last_period, sizeof(fd->last_period), "%s",
			 PQgetisnull(res, 0, 3) ? "" : PQgetvalue(res, 0, 3));
		free(fd->last_error);
		fd->last_error = PQgetisnull(res, 0, 4) ? NULL : xstrdup(PQgetvalue(res, 0, 4));
	}
	free(r);
}

static void refresh_summary(struct feed *fd)
{
	if (fd->owner->stopping)
		return;
	struct summary_req *r = xcalloc(1, sizeof(*r));
	r->owner = fd->owner;
	snprintf(r->name, sizeof(r->name), "%s", fd->cfg.name);
	struct pg_array a;
	pg_array_begin(&a);
	pg_array_add(&a, fd->cfg.name);
	char *names = pg_array_end(&a);
	feeds_store_summary(fd->owner->store, names, on_summary, r);
	free(names);
}

/* --once: this feed is through. */
static void once_finished(struct feed *fd, bool ok)
{
	struct feeds *f = fd->owner;
	if (!f->once || !f->once_left)
		return;
	f->once_ok &= ok;
	if (--f->once_left == 0 && f->once_done) {
		feeds_done_cb done = f->once_done;
		f->once_done = NULL;
		done(f->once_ok, f->once_arg);
	}
}

/* The end of every step: a reload or removal that waited applies now. */
static void step_end(struct feed *fd)
{
	fd->busy = false;
	drop_delivery(fd);
	if (fd->removed) {
		feed_free(fd);
		return;
	}
	if (fd->pending_cfg) {
		apply_config(fd, fd->pending_cfg);
		config_clear(fd->pending_cfg);
		free(fd->pending_cfg);
		fd->pending_cfg = NULL;
		arm(fd, 0);
	}
}

static void step_idle(struct feed *fd)
{
	struct feeds *f = fd->owner;
	time_t now = wallclock_now(f->clock);
	long day;
	int minute;
	local_now(now, &day, &minute);
	struct period_id next = period_id_next(schedule_latest_due(&fd->cfg.sched, day, minute));
	fd->next_run = run_instant(&fd->cfg.sched, next);
	period_id_format(next, fd->next_period);
	long wait = (long)(fd->next_run - now);
	if (wait > IDLE_RECHECK || f->clock->fixed)
		wait = IDLE_RECHECK;
	arm(fd, wait < 1 ? 1 : wait);
	refresh_summary(fd);
	once_finished(fd, true);
	step_end(fd);
}

static void step_failed(struct feed *fd, const char *error)
{
	fd->up = false;
	fd->backoff = fd->backoff ? fd->backoff * 2 : 1;
	if (fd->backoff > fd->cfg.retry_max)
		fd->backoff = (int)fd->cfg.retry_max;
	if (!fd->complained)
		log_warn("feed %s: %s%s%s; retrying with backoff (at most %lds)", fd->cfg.name,
			 fd->period[0] ? fd->period : "", fd->period[0] ? ": " : "", error,
			 fd->cfg.retry_max);
	else
		log_debug("feed %s: %s: %s; next attempt in %ds", fd->cfg.name, fd->period, error,
			  fd->backoff);
	fd->complained = true;
	arm(fd, fd->backoff);
	refresh_summary(fd);
	once_finished(fd, false);
	step_end(fd);
}

static void on_result(PGresult *res, const char *error, void *arg);

static void on_sent(bool ok, const char *to, const char *response, const char *error, void *arg)
{
	struct feed *fd = arg;
	if (ok) {
		log_info("feed %s: %s delivered to %s (%s, attempt %d)", fd->cfg.name, fd->period,
			 fd->destination, response, fd->attempt);
		if (fd->complained)
			log_info("feed %s: delivering again", fd->cfg.name);
		fd->complained = false;
		fd->up = true;
		fd->backoff = 0;
	} else {
		fd->up = false;
		snprintf(fd->sender_error, sizeof(fd->sender_error), "%s",
			 error ? error : "failed");
	}
	if (fd->owner->stopping) {
		step_end(fd);
		return;
	}
	/* The URL as shown (no user, no query: a token there stays out of the
	 * store and the API); a directory feed's file path. */
	feeds_store_result(fd->owner->store, fd->cfg.name, fd->period, ok,
			   fd->cfg.url ? fd->destination : to, response, ok ? NULL : error,
			   on_result, fd);
}

static void on_result(PGresult *res, const char *error, void *arg)
{
	(void)res;
	struct feed *fd = arg;
	if (error) {
		/* Sent (perhaps acknowledged) but not recorded: the next attempt
		 * sends the same bytes with the same Idempotency-Key. */
		step_failed(fd, error);
		return;
	}
	if (!fd->up) {
		step_failed(fd, fd->sender_error);
		return;
	}
	refresh_summary(fd);
	drop_delivery(fd);
	fetch_next(fd); /* the next pending period, at once */
}

static void on_attempt(PGresult *res, const char *error, void *arg)
{
	struct feed *fd = arg;
	if (error) {
		step_failed(fd, error);
		return;
	}
	if (PQntuples(res) != 1) { /* acknowledged meanwhile (another daemon) */
		drop_delivery(fd);
		fetch_next(fd);
		return;
	}
	fd->attempt = atoi(PQgetvalue(res, 0, 0));
	if (!fd->sender) {
		step_failed(fd, fd->sender_error);
		return;
	}
	struct feed_parcel p = {.feed = fd->cfg.name,
				.period = fd->period,
				.format = fd->format,
				.filename = fd->filename,
				.content_type = fd->content_type,
				.sha256 = fd->sha256,
				.body = (const char *)fd->body,
				.len = fd->len,
				.attempt = fd->attempt};
	feed_sender_send(fd->sender, &p, on_sent, fd);
}

static void send_delivery(struct feed *fd)
{
	feeds_store_attempt(fd->owner->store, fd->cfg.name, fd->period, on_attempt, fd);
}

/* The document of the row at COL (format, filename, content_type, body,
 * sha256) into the feed. */
static bool take_document(struct feed *fd, PGresult *res, int col)
{
	size_t n = 0;
	unsigned char *bytes =
	    PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, col + 3), &n);
	if (!bytes)
		return false;
	fd->body = xmalloc(n ? n : 1);
	memcpy(fd->body, bytes, n);
	PQfreemem(bytes);
	fd->len = n;
	fd->format = xstrdup(PQgetvalue(res, 0, col));
	fd->filename = xstrdup(PQgetvalue(res, 0, col + 1));
	fd->content_type = xstrdup(PQgetvalue(res, 0, col + 2));
	fd->sha256 = xstrdup(PQgetvalue(res, 0, col + 4));
	return true;
}

static void on_made(PGresult *res, const char *error, void *arg)
{
	struct feed *fd = arg;
	if (error || PQntuples(res) != 1 || !take_document(fd, res, 0)) {
		step_failed(fd, error ? error : "the store did not keep the document");
		return;
	}
	send_delivery(fd);
}

static void on_built(const struct document *d, void *arg)
{
	struct feed *fd = arg;
	if (d->status != 200) {
		char why[300];
		snprintf(why, sizeof(why), "cannot make the document: %s", d->message);
		step_failed(fd, why);
		return;
	}
	if (fd->owner->stopping) {
		step_end(fd);
		return;
	}
	/* JSON has no download name of its own: the feed's file name. */
	char name[256];
	if (d->filename[0])
		snprintf(name, sizeof(name), "%s", d->filename);
	else
		feed_file_name(fd->cfg.name, fd->period, fd->cfg.format, name, sizeof(name));
	feeds_store_made(fd->owner->store, fd->cfg.name, fd->period, fd->cfg.format, name,
			 d->content_type, d->body, d->len, on_made, fd);
}

static void build(struct feed *fd)
{
	struct feeds *f = fd->owner;
	enum document_format fmt = DOC_XLSX;
	if (!document_format_parse(fd->cfg.format, &fmt))
		fmt = DOC_XLSX;
	if (strcmp(fd->what, "report") == 0) {
		struct report_context ctx = {.store = f->store,
					     .targets = f->targets,
					     .clock = f->clock,
					     .sources = f->sources};
		report_build(&ctx, atoi(fd->period), fd->cfg.center, fmt, on_built, fd);
	} else {
		struct statistics_context ctx = {
		    .store = f->store, .clock = f->clock, .sources = f->sources};
		statistics_build(&ctx, fd->period, fd->cfg.center, fmt, on_built, fd);
	}
}

static void on_next(PGresult *res, const char *error, void *arg)
{
	struct feed *fd = arg;
	if (error) {
		step_failed(fd, error);
		return;
	}
	if (PQntuples(res) == 0) {
		step_idle(fd);
		return;
	}
	snprintf(fd->period, sizeof(fd->period), "%s", PQgetvalue(res, 0, 0));
	snprintf(fd->what, sizeof(fd->what), "%s", PQgetvalue(res, 0, 1));
	if (PQgetvalue(res, 0, 2)[0] == 't') {
		if (!take_document(fd, res, 3)) {
			step_failed(fd, "the stored document cannot be read");
			return;
		}
		send_delivery(fd);
		return;
	}
	if (fd->owner->ready && !fd->owner->ready(fd->owner->ready_arg)) {
		/* Figures made before the sources' first poll would be old. */
		fd->waiting_sources = true;
		arm(fd, SOURCES_RECHECK);
		once_finished(fd, false);
		step_end(fd);
		return;
	}
	fd->waiting_sources = false;
	build(fd);
}

static void fetch_next(struct feed *fd)
{
	if (fd->owner->stopping) {
		step_end(fd);
		return;
	}
	feeds_store_next(fd->owner->store, fd->cfg.name, on_next, fd);
}

static void on_planned(PGresult *res, const char *error, void *arg)
{
	struct feed *fd = arg;
	if (error) {
		step_failed(fd, error);
		return;
	}
	long added = PQntuples(res) == 1 ? atol(PQgetvalue(res, 0, 0)) : 0;
	if (added > 0)
		log_info("feed %s: %ld period(s) due", fd->cfg.name, added);
	fetch_next(fd);
}

/* Makes due every period whose run is at or before now (the store keeps
 * which are new), then delivers the oldest pending one. */
static void tick(struct feed *fd)
{
	struct feeds *f = fd->owner;
	if (fd->busy || fd->removed || f->stopping || !store_is_ready(f->store))
		return;
	fd->busy = true;
	evtimer_del(fd->timer);
	long day;
	int minute;
	local_now(wallclock_now(f->clock), &day, &minute);
	struct period_id p = schedule_latest_due(&fd->cfg.sched, day, minute);
	char texts[CATCHUP_MAX][PERIOD_ID_TEXT];
	const char *periods[CATCHUP_MAX];
	long long runs[CATCHUP_MAX];
	size_t n = CATCHUP_MAX;
	for (size_t i = CATCHUP_MAX; i-- > 0;) {
		period_id_format(p, texts[i]);
		periods[i] = texts[i];
		runs[i] = (long long)run_instant(&fd->cfg.sched, p);
		p = period_id_prev(p);
		if (p.year <= DAYS_MIN_YEAR) { /* nothing before 1901 */
			n = CATCHUP_MAX - i;
			break;
		}
	}
	size_t first = CATCHUP_MAX - n;
	feeds_store_plan(f->store, fd->cfg.name, fd->cfg.what, periods + first, runs + first, n,
			 on_planned, fd);
}

static void on_timer(evutil_socket_t sock, short what, void *arg)
{
	(void)sock;
	(void)what;
	tick(arg);
}

/* ---- the object ---- */

static struct feed *feed_new(struct feeds *f, const struct feed_config *c)
{
	struct feed *fd = xcalloc(1, sizeof(*fd));
	fd->owner = f;
	fd->pending = -1;
	fd->up = true;
	fd->timer = evtimer_new(f->base, on_timer, fd);
	apply_config(fd, c);
	fd->next = f->list;
	f->list = fd;
	return fd;
}

static void feed_unlink(struct feed *fd)
{
	for (struct feed **pp = &fd->owner->list; *pp; pp = &(*pp)->next)
		if (*pp == fd) {
			*pp = fd->next;
			return;
		}
}

static void feed_free(struct feed *fd)
{
	feed_unlink(fd);
	event_free(fd->timer);
	feed_sender_free(fd->sender);
	drop_delivery(fd);
	if (fd->pending_cfg) {
		config_clear(fd->pending_cfg);
		free(fd->pending_cfg);
	}
	config_clear(&fd->cfg);
	free(fd->last_error);
	free(fd);
}

struct feeds *feeds_new(struct event_base *base, struct store *store, const struct wallclock *clock,
			const struct config *cfg, struct targets *targets, const char *sources,
			feeds_ready_fn ready, void *ready_arg)
{
	struct feeds *f = xcalloc(1, sizeof(*f));
	*f = (struct feeds){.base = base,
			    .store = store,
			    .clock = clock,
			    .cfg = cfg,
			    .targets = targets,
			    .sources = sources,
			    .ready = ready,
			    .ready_arg = ready_arg};
	/* The list in configuration order: added from the last. */
	for (size_t i = cfg->nfeeds; i-- > 0;)
		feed_new(f, &cfg->feeds[i]);
	return f;
}

void feeds_start(struct feeds *f)
{
	f->started = true;
	for (struct feed *fd = f->list; fd; fd = fd->next)
		arm(fd, 0);
}

void feeds_poke(struct feeds *f)
{
	if (!f || !f->started)
		return;
	for (struct feed *fd = f->list; fd; fd = fd->next)
		if (fd->waiting_sources && !fd->busy)
			arm(fd, 0);
}

void feeds_reload(struct feeds *f, const struct config *cfg, struct targets *targets)
{
	f->cfg = cfg;
	f->targets = targets;
	for (struct feed *fd = f->list, *next; fd; fd = next) {
		next = fd->next;
		if (config_feed(cfg, fd->cfg.name))
			continue;
		log_info("feed %s: removed from the configuration", fd->cfg.name);
		if (fd->busy)
			fd->removed = true;
		else
			feed_free(fd);
	}
	for (size_t i = cfg->nfeeds; i-- > 0;) {
		const struct feed_config *c = &cfg->feeds[i];
		struct feed *fd = find(f, c->name);
		if (fd && fd->removed) {
			fd->removed = false; /* back before it went */
		}
		if (!fd) {
			fd = feed_new(f, c);
			log_info("feed %s: added", c->name);
			if (f->started)
				arm(fd, 0);
			continue;
		}
		if (config_same(&fd->cfg, c))
			continue;
		if (fd->busy) {
			if (fd->pending_cfg)
				config_clear(fd->pending_cfg);
			else
				fd->pending_cfg = xcalloc(1, sizeof(*fd->pending_cfg));
			config_copy(fd->pending_cfg, c);
		} else {
			apply_config(fd, c);
			if (f->started)
				arm(fd, 0);
		}
	}
	/* Keep the configuration order. */
	struct feed *sorted = NULL, **tail = &sorted;
	for (size_t i = 0; i < cfg->nfeeds; i++) {
		struct feed *fd = find(f, cfg->feeds[i].name);
		if (fd) {
			feed_unlink(fd);
			fd->next = NULL;
			*tail = fd;
			tail = &fd->next;
		}
	}
	*tail = f->list; /* those removed but still busy */
	f->list = sorted;
}

void feeds_run_once(struct feeds *f, feeds_done_cb done, void *arg)
{
	f->once = true;
	f->once_ok = true;
	f->once_done = done;
	f->once_arg = arg;
	f->once_left = 0;
	for (struct feed *fd = f->list; fd; fd = fd->next)
		f->once_left++;
	if (!f->once_left) {
		f->once_done = NULL;
		done(true, arg);
		return;
	}
	for (struct feed *fd = f->list, *next; fd; fd = next) {
		next = fd->next;
		if (!store_is_ready(f->store) || fd->busy)
			once_finished(fd, false);
		else
			tick(fd);
	}
}

void feeds_stop(struct feeds *f)
{
	if (f)
		f->stopping = true;
}

void feeds_free(struct feeds *f)
{
	if (!f)
		return;
	while (f->list)
		feed_free(f->list);
	free(f);
}

size_t feeds_count(const struct feeds *f)
{
	size_t n = 0;
	for (const struct feed *fd = f ? f->list : NULL; fd; fd = fd->next)
		n += !fd->removed;
	return n;
}

void feeds_status(const struct feeds *f, size_t i, struct feed_status *out)
{
	const struct feed *fd = f->list;
	for (size_t k = 0; fd; fd = fd->next)
		if (!fd->removed && k++ == i)
			break;
	if (!fd) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = (struct feed_status){.name = fd->cfg.name,
				    .what = fd->cfg.what,
				    .schedule = fd->cfg.schedule,
				    .center = fd->cfg.center,
				    .format = fd->cfg.format,
				    .destination = fd->destination,
				    .up = fd->up,
				    .pending = fd->pending,
				    .last_success = (time_t)fd->last_success,
				    .last_period = fd->last_period,
				    .last_error = fd->last_error,
				    .next_run = fd->next_run,
				    .next_period = fd->next_period};
}

void feeds_write_metrics(const struct feeds *f, struct evbuffer *out)
{
	size_t n = feeds_count(f);
	if (!n)
		return;
	static const struct {
		const char *name, *help;
	} series[] = {
	    {"ggzy_feed_up", "1 when the feed's last attempt succeeded (or none failed yet)"},
	    {"ggzy_feed_last_success_timestamp_seconds",
	     "Unix time of the feed's last acknowledged delivery (0: never)"},
	    {"ggzy_feed_pending_deliveries", "periods of the feed due and not yet acknowledged"},
	};
	for (size_t k = 0; k < sizeof(series) / sizeof(series[0]); k++) {
		evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s gauge\n", series[k].name,
				    series[k].help, series[k].name);
		for (size_t i = 0; i < n; i++) {
			struct feed_status st;
			feeds_status(f, i, &st);
			if (k == 2 && st.pending < 0)
				continue; /* not read from the store yet */
			evbuffer_add_printf(out, "%s{feed=\"", series[k].name);
			prom_escape(out, st.name);
			evbuffer_add_printf(out, "\"} %lld\n",
					    k == 0   ? (long long)st.up
					    : k == 1 ? (long long)st.last_success
						     : st.pending);
		}
	}
}

char *feeds_names(const struct feeds *f)
{
	struct pg_array a;
	pg_array_begin(&a);
	for (const struct feed *fd = f ? f->list : NULL; fd; fd = fd->next)
		if (!fd->removed)
			pg_array_add(&a, fd->cfg.name);
	return pg_array_end(&a);
}
