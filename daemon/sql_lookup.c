#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql_files.h"

const char *sql_text(const char *path)
{
	for (size_t i = 0; i < sql_nfiles; i++)
		if (strcmp(sql_files[i].path, path) == 0)
			return sql_files[i].text;
	fprintf(stderr, "internal error: sql/%s is not compiled in\n", path);
	abort();
}
