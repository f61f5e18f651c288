#include "kept.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static struct kept_slot *slot_of(const struct kept *k, const void *key, size_t key_len)
{
	for (size_t i = 0; i < k->nslots; i++) {
		struct kept_slot *s = &k->slots[i];
		if (s->key && s->key_len == key_len && memcmp(s->key, key, key_len) == 0)
			return s;
	}
	return NULL;
}

const void *kept_find(const struct kept *k, const void *key, size_t key_len, long long version,
		      size_t *len)
{
	const struct kept_slot *s = slot_of(k, key, key_len);
	if (!s || s->version != version)
		return NULL;
	*len = s->len;
	return s->value;
}

void kept_put(struct kept *k, const void *key, size_t key_len, long long version, const void *value,
	      size_t len)
{
	if (len > k->max_value)
		return;
	void *key_copy = xmalloc(key_len ? key_len : 1), *value_copy = xmalloc(len ? len : 1);
	memcpy(key_copy, key, key_len);
	memcpy(value_copy, value, len);
	struct kept_slot *s = slot_of(k, key, key_len);
	if (!s) {
		s = &k->slots[k->next];
		k->next = (k->next + 1) % k->nslots;
	}
	free(s->key);
	free(s->value);
	*s = (struct kept_slot){.key = key_copy,
				.value = value_copy,
				.key_len = key_len,
				.len = len,
				.version = version};
}

void kept_clear(struct kept *k)
{
	for (size_t i = 0; i < k->nslots; i++) {
		free(k->slots[i].key);
		free(k->slots[i].value);
		k->slots[i] = (struct kept_slot){0};
	}
	k->next = 0;
}
