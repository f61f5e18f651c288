/* stream_sql — the generic queries of a stream, composed once from the
 * wrappers of sql/collectors/stream_*.sql and the stream's declaration
 * (collector.h). The texts are the binary's own, never a request's; every
 * value travels as a bound parameter ($1 the time zone, $2 the salt, then
 * the wrapper's). */
#ifndef GGZY_STREAM_SQL_H
#define GGZY_STREAM_SQL_H

#include "collector.h"

struct stream_sql {
	char *rows;	  /* every row (a first load); no more parameters */
	char *changed;	  /* rows updated after $3 (a poll) */
	char *keys;	  /* rows with the keys $3 (text[]) */
	char *months;	  /* per month from $3: rows, fingerprint sum */
	char *month_keys; /* keys and fingerprints of months $3, event time in [$4, $5) */
	char *count;	  /* how many rows a load will read */
};

/* Fills q with new texts for stream sd (free them with stream_sql_free). */
void stream_sql_compose(const struct stream_def *sd, struct stream_sql *q);
void stream_sql_free(struct stream_sql *q);

#endif
