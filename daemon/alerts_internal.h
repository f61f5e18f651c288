/* alerts_internal — what the alerts_*.c files share; nothing outside the
 * alerts module includes this. The module is split along its jobs:
 *   alerts.c          the object, its timers and settings, and one
 *                     evaluation from start to save (the driver);
 *   alerts_eval.c     what an evaluation decides for each target (pure: no
 *                     I/O, given figures and the stored state);
 *   alerts_store.c    the alert state in the store (ggzy.alert): read, save,
 *                     what to send, what was acknowledged;
 *   alerts_deliver.c  notifications in Alertmanager v2 format, retried;
 *   alerts_metrics.c  the target series of /metrics. */
#ifndef GGZY_ALERTS_INTERNAL_H
#define GGZY_ALERTS_INTERNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "alerts.h"
#include "indicators.h"
#include "pacing.h"
#include "pg.h"
#include "targets.h"

#define PACE_ALERT "GgzyTargetBehindPace"
#define MISSED_ALERT "GgzyTargetMissed"
/* A missed target is told once; Alertmanager lets it expire after a day. */
#define MISSED_LIFETIME (24 * 3600)

/* What the store remembers of an alert. */
struct stored {
	int year;
	char *center, *indicator, *alertname;
	enum alert_state state;
	time_t since, starts_at, ends_at; /* 0: none */
	bool missed;			  /* GgzyTargetMissed: the figure missed its target */
	bool seen;			  /* touched by this evaluation */
};

/* One target's figures for /metrics. */
struct target_series {
	int year;
	char *center, *indicator;
	const char *metric;
	char target[64], completion[40], pace[40]; /* "" when undefined */
	enum alert_state state;
};

/* The days of one indicator's figure (its period of the year, SPEC §5),
 * which indicator_query.period points into: this year's to today and the
 * same days a year earlier, or a closed year's whole period; and how far
 * through its period today is (pacing's share). */
struct indicator_days {
	char per[4][11];
	char last_from[11], last_to[11]; /* last year's whole period */
	int day, days;			 /* today is day DAY of DAYS */
};

/* The settings an evaluation runs with. */
struct alerts_settings {
	long interval; /* seconds between evaluations */
	enum pacing_mode pacing;
	struct dec threshold;
};

struct evaluation {
	struct alerts *a;
	struct alerts_settings set;
	time_t now;
	int year;
	char today[11];
	long today_day;
	struct targets *targets; /* retained */
	/* entries of the targets file still to evaluate */
	const struct target_year **entries;
	size_t nentries, next;
	struct indicator_query *queries;
	const struct indicator **computed;
	struct indicator_days *days; /* per computed indicator */
	size_t ncomputed;
	struct indicator_figure *first; /* this year's figures, kept while last
					 * year's totals are read */
	struct stored *stored;
	size_t nstored;
	json_t *rows; /* for ggzy.save_alerts */
	struct target_series *series;
	size_t nseries;
	size_t firing;
	alerts_done_cb done;
	void *done_arg;
};

struct alerts {
	struct event_base *base;
	struct store *store;
	const struct wallclock *clock;
	const struct config *cfg;	     /* borrowed; swapped by alerts_reload */
	struct targets *targets;	     /* borrowed; swapped by alerts_reload */
	alerts_metric_ready_fn metric_ready; /* may be NULL: every metric is */
	void *metric_ready_arg;
	struct event *timer, *retry;
	int retry_delay;
	struct webhook *webhook;
	char *webhook_url;
	struct evaluation *running;
	bool delivering;
	bool once;
	bool again; /* poked while an evaluation ran: evaluate once more */
	struct target_series *series;
	size_t nseries;
	size_t firing; /* alerts firing after the last evaluation */
	/* the delivery in flight */
	json_t *sent_keys;
	alerts_done_cb deliver_done;
	void *deliver_arg;
};

/* ---- alerts.c ---- */
struct alerts_settings alerts_settings_of(const struct alerts *a);
/* "all" for the all-centres entry, else its code. */
const char *alerts_center_label(const struct target_year *ty);
json_t *alerts_json_time(time_t t);

/* ---- alerts_eval.c ---- */
/* The pace of a target of the current year: NOW_FIG holds this year's
 * figure to date and last year's to the same day; TOTAL_FIG (last_year
 * pacing only) last year's total. Appends its row and its series. */
void alerts_eval_pace(struct evaluation *ev, const struct target_year *ty,
		      const struct indicator *ind, const struct indicator_days *days,
		      const struct indicator_figure *now_fig,
		      const struct indicator_figure *total_fig);
/* Whether a target of a closed year missed, from its figure over the whole
 * year; re-decided at every evaluation, so a late correction that meets
 * the target resolves the alert. */
void alerts_eval_missed(struct evaluation *ev, const struct target_year *ty,
			const struct indicator *ind, const struct indicator_figure *fig);
/* Pace alerts of the years that have closed end with them; alerts of
 * indicators no longer evaluated are left as stored. */
void alerts_eval_close(struct evaluation *ev);
void alerts_series_free(struct target_series *s, size_t n);

/* ---- alerts_store.c ---- */
typedef void (*alerts_store_cb)(bool ok, void *arg);
/* Reads the stored alerts of EV's year and the one before into ev->stored. */
void alerts_store_read(struct evaluation *ev, alerts_store_cb cb);
/* Saves ev->rows in one statement. */
void alerts_store_save(struct evaluation *ev, alerts_store_cb cb);
/* The alerts to send: every firing pace alert and every change not yet
 * acknowledged. res is borrowed for the callback. */
typedef void (*alerts_outbox_cb)(PGresult *res, const char *error, void *arg);
void alerts_store_outbox(struct alerts *a, alerts_outbox_cb cb);
/* Records that the receiver acknowledged KEYS (a JSON array of {year,
 * center, indicator, alertname, seq}). */
void alerts_store_ack(struct alerts *a, const char *keys, alerts_store_cb cb);

/* ---- alerts_deliver.c ---- */
/* Sends what the store says is due; done(ok) when the receiver
 * acknowledged, or at once without a webhook (ok = true). */
void alerts_deliver(struct alerts *a, alerts_done_cb done, void *arg);
/* Points the notifier at [alerts] webhook (after a reload; not while a
 * delivery is in flight, which calls it again at its end). */
void alerts_deliver_configure(struct alerts *a);

#endif
