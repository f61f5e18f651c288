/* kept — answers kept while the store's figures version (store_version) has
 * not moved: a ring of (key, version, value) byte strings in slots the
 * caller provides. A key holds one slot at most; a new key takes the oldest
 * slot. Used by the series API (JSON bodies) and the indicator figures. */
#ifndef GGZY_KEPT_H
#define GGZY_KEPT_H

#include <stddef.h>

struct kept_slot {
	void *key, *value; /* owned; NULL: empty */
	size_t key_len, len;
	long long version;
};

struct kept {
	struct kept_slot *slots;
	size_t nslots;
	size_t max_value; /* longer values are not kept */
	size_t next;	  /* the slot a new key takes */
};

#define KEPT_INIT(slot_array, max)                                                                 \
	{                                                                                          \
		.slots = (slot_array), .nslots = sizeof(slot_array) / sizeof((slot_array)[0]),     \
		.max_value = (max)                                                                 \
	}

/* The value kept for KEY at exactly VERSION, or NULL; valid until the next
 * kept_put or kept_clear. */
const void *kept_find(const struct kept *k, const void *key, size_t key_len, long long version,
		      size_t *len);
/* Keeps a copy of VALUE for KEY at VERSION (replacing what KEY held); does
 * nothing when VALUE is too long or memory is short. */
void kept_put(struct kept *k, const void *key, size_t key_len, long long version, const void *value,
	      size_t len);
/* Empties every slot (at exit, for leak checkers). */
void kept_clear(struct kept *k);

#endif
