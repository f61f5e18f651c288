/* A minimal table-driven test helper (collectd's testing.h in spirit). */
#ifndef GGZY_UNIT_H
#define GGZY_UNIT_H
#include <stdio.h>
#include <string.h>

static int unit_failures, unit_checks;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		unit_checks++;                                                                     \
		if (!(cond)) {                                                                     \
			unit_failures++;                                                           \
			fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);   \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)
#define UNIT_DONE()                                                                                \
	(printf("%d checks, %d failed\n", unit_checks, unit_failures), unit_failures ? 1 : 0)
#endif
