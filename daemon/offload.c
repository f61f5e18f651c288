#include "offload.h"

#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "xmalloc.h"

struct offload {
	pthread_t thread;
	int pipe[2];
	struct event *ev;
	offload_work_fn work;
	offload_done_fn done;
	void *arg;
};

static void *run(void *p)
{
	struct offload *o = p;
	o->work(o->arg);
	char one = 1;
	while (write(o->pipe[1], &one, 1) < 0) {
	}
	return NULL;
}

static void release(struct offload *o)
{
	pthread_join(o->thread, NULL);
	event_free(o->ev);
	close(o->pipe[0]);
	close(o->pipe[1]);
	free(o);
}

static void on_finished(evutil_socket_t fd, short what, void *p)
{
	(void)fd;
	(void)what;
	struct offload *o = p;
	offload_done_fn done = o->done;
	void *arg = o->arg;
	release(o);
	done(arg);
}

struct offload *offload_start(struct event_base *base, offload_work_fn work, offload_done_fn done,
			      void *arg)
{
	struct offload *o = xcalloc(1, sizeof(*o));
	if (pipe(o->pipe) != 0) {
		free(o);
		return NULL;
	}
	fcntl(o->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(o->pipe[1], F_SETFD, FD_CLOEXEC);
	o->work = work;
	o->done = done;
	o->arg = arg;
	o->ev = event_new(base, o->pipe[0], EV_READ, on_finished, o);
	if (pthread_create(&o->thread, NULL, run, o) != 0) {
		event_free(o->ev);
		close(o->pipe[0]);
		close(o->pipe[1]);
		free(o);
		return NULL;
	}
	event_add(o->ev, NULL);
	return o;
}

void offload_abandon(struct offload *o)
{
	if (o)
		release(o);
}
