/* xmalloc — allocation that cannot fail (tmux's xmalloc.c, Redis' zmalloc):
 * every allocation of the daemon goes through these, and running out of
 * memory logs one line and aborts, instead of ~100 call sites each either
 * checking (and handling it differently) or dereferencing NULL. A daemon
 * that cannot allocate a few bytes cannot keep its promises anyway; systemd
 * restarts it, and the store makes a restart lose nothing.
 *
 * The results are owned by the caller and freed with free(). */
#ifndef GGZY_XMALLOC_H
#define GGZY_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size) __attribute__((malloc, returns_nonnull));
void *xcalloc(size_t n, size_t size) __attribute__((malloc, returns_nonnull));
/* n elements of size bytes each, checked for overflow (reallocarray). */
void *xreallocarray(void *ptr, size_t n, size_t size) __attribute__((returns_nonnull));
char *xstrdup(const char *s) __attribute__((malloc, returns_nonnull));
/* The first n bytes of s (or fewer, up to a NUL), NUL-terminated. */
char *xstrndup(const char *s, size_t n) __attribute__((malloc, returns_nonnull));
/* s, or NULL when s is NULL. */
char *xstrdup_or_null(const char *s) __attribute__((malloc));

#endif
