#include "feeds_send.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "offload.h"
#include "webhook.h"
#include "xmalloc.h"

struct feed_sender {
	struct event_base *base;
	char *url, *directory;
	struct webhook *hook;
	/* the send in flight */
	feed_sent_cb cb;
	void *arg;
	struct offload *writing;
	struct file_job *job;
};

/* A directory write, handed to the thread. */
struct file_job {
	struct feed_sender *s;
	char *body;
	size_t len;
	char path[1024], tmp[1100];
	bool ok;
	char error[300];
};

void feed_file_name(const char *feed, const char *period, const char *ext, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s.%s", feed, period, ext);
}

struct feed_sender *feed_sender_new(struct event_base *base, const struct feed_config *cfg,
				    char *err, size_t errlen)
{
	struct feed_sender *s = xcalloc(1, sizeof(*s));
	s->base = base;
	if (cfg->url) {
		struct webhook_options o = {.timeout_seconds = (int)cfg->timeout,
					    .ca_file = cfg->ca_file};
		s->hook = webhook_new_opt(base, cfg->url, &o, err, errlen);
		if (!s->hook) {
			free(s);
			return NULL;
		}
		s->url = xstrdup(cfg->url);
	} else {
		s->directory = xstrdup(cfg->directory);
	}
	return s;
}

void feed_sender_free(struct feed_sender *s)
{
	if (!s)
		return;
	if (s->writing) {
		offload_abandon(s->writing);
		free(s->job->body);
		free(s->job);
	}
	webhook_free(s->hook);
	free(s->url);
	free(s->directory);
	free(s);
}

/* ---- url ---- */

static void on_posted(bool ok, const char *detail, void *arg)
{
	struct feed_sender *s = arg;
	feed_sent_cb cb = s->cb;
	s->cb = NULL;
	cb(ok, s->url, detail, ok ? NULL : detail, s->arg);
}

static void post(struct feed_sender *s, const struct feed_parcel *p)
{
	char disposition[300], key[200], attempt[16];
	snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", p->filename);
	snprintf(key, sizeof(key), "ggzy-%s-%s", p->feed, p->period);
	snprintf(attempt, sizeof(attempt), "%d", p->attempt);
	const char *headers[] = {"Content-Disposition",
				 disposition,
				 "Idempotency-Key",
				 key,
				 "X-Ggzy-Feed",
				 p->feed,
				 "X-Ggzy-Period",
				 p->period,
				 "X-Ggzy-Attempt",
				 attempt,
				 "X-Ggzy-Sha256",
				 p->sha256,
				 NULL};
	webhook_post_as(s->hook, p->content_type, headers, p->body, p->len, on_posted, s);
}

/* ---- directory ---- */

static bool write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* On the thread: temporary file, fsync, rename, fsync of the directory.
 * A reader of the directory sees the whole file or none. */
static void write_file(void *arg)
{
	struct file_job *j = arg;
	const char *step = "create";
	int fd = open(j->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	bool ok = fd >= 0;
	if (ok && !(step = "write", write_all(fd, j->body, j->len)))
		ok = false;
	if (ok && (step = "fsync", fsync(fd) != 0))
		ok = false;
	if (fd >= 0 && close(fd) != 0 && ok) {
		step = "close";
		ok = false;
	}
	if (ok && (step = "rename", rename(j->tmp, j->path) != 0))
		ok = false;
	if (!ok) {
		snprintf(j->error, sizeof(j->error), "%s %s: %s", step, j->tmp, strerror(errno));
		unlink(j->tmp);
		return;
	}
	/* The rename itself must survive a crash: fsync the directory. */
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", j->path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	int dfd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		snprintf(j->error, sizeof(j->error), "fsync of %s: %s", dir, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return;
	}
	close(dfd);
	j->ok = true;
}

static void on_written(void *arg)
{
	struct file_job *j = arg;
	struct feed_sender *s = j->s;
	s->writing = NULL;
	s->job = NULL;
	feed_sent_cb cb = s->cb;
	s->cb = NULL;
	cb(j->ok, j->path, j->ok ? "written" : NULL, j->ok ? NULL : j->error, s->arg);
	free(j->body);
	free(j);
}

/* A failure reported from a fresh loop turn, as every outcome is. */
struct later {
	struct feed_sender *s;
	char error[300];
};

static void on_later(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	struct later *l = arg;
	feed_sent_cb cb = l->s->cb;
	l->s->cb = NULL;
	cb(false, l->s->directory ? l->s->directory : l->s->url, NULL, l->error, l->s->arg);
	free(l);
}

static void fail_later(struct feed_sender *s, const char *error)
{
	struct later *l = xcalloc(1, sizeof(*l));
	l->s = s;
	snprintf(l->error, sizeof(l->error), "%s", error);
	struct timeval now = {0, 0};
	event_base_once(s->base, -1, EV_TIMEOUT, on_later, l, &now);
}

static void write_to_directory(struct feed_sender *s, const struct feed_parcel *p)
{
	struct file_job *j = xcalloc(1, sizeof(*j));
	j->s = s;
	char name[256];
	feed_file_name(p->feed, p->period, p->format, name, sizeof(name));
	snprintf(j->path, sizeof(j->path), "%s/%s", s->directory, name);
	snprintf(j->tmp, sizeof(j->tmp), "%s/.%s.tmp-%ld", s->directory, name, (long)getpid());
	j->body = xmalloc(p->len ? p->len : 1);
	memcpy(j->body, p->body, p->len);
	j->len = p->len;
	s->job = j;
	s->writing = offload_start(s->base, write_file, on_written, j);
	if (!s->writing) {
		s->job = NULL;
		free(j->body);
		free(j);
		fail_later(s, "cannot start a thread to write the file");
	}
}

void feed_sender_send(struct feed_sender *s, const struct feed_parcel *p, feed_sent_cb cb,
		      void *arg)
{
	s->cb = cb;
	s->arg = arg;
	if (s->hook)
		post(s, p);
	else
		write_to_directory(s, p);
}
