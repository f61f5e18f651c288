/* offload — runs a blocking job (a file written and fsync'd) on a thread of
 * its own, and its completion back on the event loop, so that a slow disk
 * never holds up HTTP, the store or the sources. The thread touches only
 * what the job hands it; the loop does not touch that until done runs.
 * Completion comes through a pipe watched by an ordinary event, so libevent
 * needs no threading support. */
#ifndef GGZY_OFFLOAD_H
#define GGZY_OFFLOAD_H

#include <stdbool.h>

struct event_base;
struct offload;

typedef void (*offload_work_fn)(void *arg); /* on the thread */
typedef void (*offload_done_fn)(void *arg); /* on the loop, afterwards */

/* Starts WORK(ARG) on a new thread; DONE(ARG) is called on the loop once it
 * has finished (never before this returns). NULL when no thread could be
 * started (then nothing runs). The handle is freed after DONE. */
struct offload *offload_start(struct event_base *base, offload_work_fn work, offload_done_fn done,
			      void *arg) __attribute__((warn_unused_result));
/* Waits for the thread and frees the handle without calling DONE (at exit). */
void offload_abandon(struct offload *o);

#endif
