/* identity — what the store keeps instead of an expert's or a bidder's
 * identity (SPEC §2): HMAC-SHA-256 of it under the deployment's key, from
 * OpenSSL's libcrypto (already under libpq), never a hash of our own.
 *
 * The key is identity_key_file's (32 bytes or more, not readable by
 * others), or, without one, a random key the daemon makes once and keeps in
 * the store (ggzy.identity, out of the read-only readers' reach). The store
 * records a fingerprint of the key; a daemon with another key is refused
 * rather than counting every person again as new (store.c). The same key
 * salts the fingerprints sources compute of their rows, so that the store's
 * fingerprints reveal nothing of an identity either. */
#ifndef GGZY_IDENTITY_H
#define GGZY_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

#define IDENTITY_KEY_MIN 32
#define IDENTITY_KEY_MAX 1024
#define IDENTITY_HASH_LEN 32 /* SHA-256 */

struct identity_key {
	unsigned char bytes[IDENTITY_KEY_MAX];
	size_t len; /* 0: none yet */
};

/* Reads PATH's key; false with the reason in err. */
bool identity_key_load(const char *path, struct identity_key *key, char *err, size_t errlen)
    __attribute__((warn_unused_result));
/* A new random key of IDENTITY_KEY_MIN bytes; false when the system has no
 * randomness to give. */
bool identity_key_random(struct identity_key *key) __attribute__((warn_unused_result));
/* HMAC-SHA-256 of ID (LEN bytes) under KEY. */
void identity_hash(const struct identity_key *key, const char *id, size_t len,
		   unsigned char out[IDENTITY_HASH_LEN]);
/* The key's fingerprint the store records: 32 hex digits (buf of 33). */
void identity_fingerprint(const struct identity_key *key, char *buf);
/* The salt of the sources' fingerprints: 64 hex digits (buf of 65). */
void identity_salt(const struct identity_key *key, char *buf);
/* LEN bytes as lower-case hex into buf (2 LEN + 1 bytes). */
void identity_hex(const unsigned char *bytes, size_t len, char *buf);
/* Parses hex (2 n digits) into key; false when it is not that. */
bool identity_key_from_hex(const char *hex, struct identity_key *key);

#endif
