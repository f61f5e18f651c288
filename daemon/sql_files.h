/* sql_files — the SQL of sql/store and sql/collectors, compiled into the
 * binary (see cmake/embed_sql.cmake). */
#ifndef GGZY_SQL_FILES_H
#define GGZY_SQL_FILES_H

#include <stddef.h>

struct sql_file {
	const char *path; /* relative to sql/, e.g. "store/001_initial.sql" */
	const char *text;
};

extern const struct sql_file sql_files[]; /* sorted by path */
extern const size_t sql_nfiles;

/* The text of sql/PATH; aborts when missing (a build error, not a runtime one). */
const char *sql_text(const char *path);

#endif
