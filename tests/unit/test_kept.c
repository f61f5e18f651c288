#include <stdlib.h>
#include <string.h>

#include "kept.h"
#include "unit.h"

int main(void)
{
	struct kept_slot slots[3];
	memset(slots, 0, sizeof(slots));
	struct kept k = KEPT_INIT(slots, 8);
	size_t len = 0;

	CHECK(kept_find(&k, "a", 1, 1, &len) == NULL, "empty");
	kept_put(&k, "a", 1, 1, "one", 3);
	const char *v = kept_find(&k, "a", 1, 1, &len);
	CHECK(v && len == 3 && memcmp(v, "one", 3) == 0, "kept");
	CHECK(kept_find(&k, "a", 1, 2, &len) == NULL, "another version is not kept");
	CHECK(kept_find(&k, "ab", 2, 1, &len) == NULL, "another key");
	/* Keys are bytes: an embedded NUL is part of the key. */
	kept_put(&k, "x\0y", 3, 1, "nul", 3);
	CHECK(kept_find(&k, "x\0z", 3, 1, &len) == NULL, "bytes after a NUL count");
	CHECK(kept_find(&k, "x\0y", 3, 1, &len) != NULL, "a key with a NUL");

	/* A key holds one slot: a new version replaces the old. */
	kept_put(&k, "a", 1, 2, "two", 3);
	v = kept_find(&k, "a", 1, 2, &len);
	CHECK(v && memcmp(v, "two", 3) == 0, "replaced");
	CHECK(kept_find(&k, "a", 1, 1, &len) == NULL, "the old version is gone");

	/* Too long: not kept, and what was there stays. */
	kept_put(&k, "a", 1, 3, "123456789", 9);
	CHECK(kept_find(&k, "a", 1, 3, &len) == NULL, "too long is not kept");
	CHECK(kept_find(&k, "a", 1, 2, &len) != NULL, "the kept one stays");

	/* Three slots: a fourth key takes the oldest slot (the first "a"). */
	kept_put(&k, "b", 1, 1, "b", 1);
	kept_put(&k, "c", 1, 1, "c", 1);
	int present = 0;
	const char *keys[] = {"a", "x\0y", "b", "c"};
	const size_t lens[] = {1, 3, 1, 1};
	const long long versions[] = {2, 1, 1, 1};
	for (int i = 0; i < 4; i++)
		present += kept_find(&k, keys[i], lens[i], versions[i], &len) != NULL;
	CHECK(present == 3, "three slots hold three keys (%d)", present);
	CHECK(kept_find(&k, "c", 1, 1, &len) != NULL, "the newest is kept");

	kept_clear(&k);
	CHECK(kept_find(&k, "c", 1, 1, &len) == NULL, "cleared");
	kept_put(&k, "d", 1, 1, "", 0);
	CHECK(kept_find(&k, "d", 1, 1, &len) != NULL && len == 0, "an empty value is kept");
	kept_clear(&k);
	return UNIT_DONE();
}
