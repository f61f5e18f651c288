/* replay_main — runs a fuzz target without libFuzzer: every file named on the
 * command line, or every file of a directory named there, is fed once to
 * LLVMFuzzerTestOneInput (in a buffer of exactly its size, so that the
 * sanitizers see any read past the end). This turns each corpus into a
 * regression test of the ordinary builds (gcc, and gcc with ASan + UBSan). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "xmalloc.h"

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	size_t cap = 4096, len = 0;
	uint8_t *buf = xmalloc(cap);
	size_t got;
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			buf = xreallocarray(buf, cap *= 2, 1);
	}
	fclose(f);
	/* Exactly len bytes, so an overread is an error the sanitizer reports. */
	uint8_t *exact = xmalloc(len);
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	int files = 0, failed = 0;
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			failed += replay_file(argv[i]) != 0;
			files++;
			continue;
		}
		DIR *dir = opendir(argv[i]);
		if (!dir) {
			perror(argv[i]);
			return 1;
		}
		char **names = NULL;
		size_t n = 0;
		struct dirent *e;
		while ((e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			names = xreallocarray(names, n + 1, sizeof(*names));
			size_t plen = strlen(argv[i]) + strlen(e->d_name) + 2;
			names[n] = xmalloc(plen);
			snprintf(names[n++], plen, "%s/%s", argv[i], e->d_name);
		}
		closedir(dir);
		if (n)
			qsort(names, n, sizeof(*names), by_name);
		for (size_t k = 0; k < n; k++) {
			fprintf(stderr, "replay %s\n", names[k]);
			failed += replay_file(names[k]) != 0;
			files++;
			free(names[k]);
		}
		free(names);
	}
	printf("%d input(s) replayed, %d unreadable\n", files, failed);
	/* An empty corpus would make this test pass while testing nothing. */
	return files == 0 || failed ? 1 : 0;
}
