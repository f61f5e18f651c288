#include "identity.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

bool identity_key_load(const char *path, struct identity_key *key, char *err, size_t errlen)
{
	memset(key, 0, sizeof(*key));
	FILE *f = fopen(path, "rb");
	struct stat sb;
	if (!f || fstat(fileno(f), &sb) != 0) {
		snprintf(err, errlen, "identity_key_file %s: cannot read: %s", path,
			 strerror(errno));
		if (f)
			fclose(f);
		return false;
	}
	if (sb.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(err, errlen, "identity_key_file %s: readable by everyone; chmod o-rw it",
			 path);
		fclose(f);
		return false;
	}
	size_t n = fread(key->bytes, 1, sizeof(key->bytes), f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	/* A key written by `openssl rand -hex 32` ends with a newline: the
	 * key is the file's text without it. */
	while (n && (key->bytes[n - 1] == '\n' || key->bytes[n - 1] == '\r'))
		n--;
	if (more || n < IDENTITY_KEY_MIN) {
		snprintf(
		    err, errlen,
		    "identity_key_file %s: a key is %d to %d bytes (%zu%s here); make one with: "
		    "openssl rand -hex 32 > %s",
		    path, IDENTITY_KEY_MIN, IDENTITY_KEY_MAX, n, more ? " and more" : "", path);
		return false;
	}
	key->len = n;
	return true;
}

bool identity_key_random(struct identity_key *key)
{
	memset(key, 0, sizeof(*key));
	if (RAND_bytes(key->bytes, IDENTITY_KEY_MIN) != 1)
		return false;
	key->len = IDENTITY_KEY_MIN;
	return true;
}

void identity_hash(const struct identity_key *key, const char *id, size_t len,
		   unsigned char out[IDENTITY_HASH_LEN])
{
	unsigned int n = IDENTITY_HASH_LEN;
	HMAC(EVP_sha256(), key->bytes, (int)key->len, (const unsigned char *)id, len, out, &n);
}

void identity_hex(const unsigned char *bytes, size_t len, char *buf)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = digits[bytes[i] >> 4];
		buf[2 * i + 1] = digits[bytes[i] & 15];
	}
	buf[2 * len] = '\0';
}

void identity_fingerprint(const struct identity_key *key, char *buf)
{
	static const char label[] = "ggzy-metricsd identity key fingerprint";
	unsigned char h[IDENTITY_HASH_LEN];
	identity_hash(key, label, sizeof(label) - 1, h);
	identity_hex(h, 16, buf);
}

void identity_salt(const struct identity_key *key, char *buf)
{
	static const char label[] = "ggzy-metricsd fingerprint salt";
	unsigned char h[IDENTITY_HASH_LEN];
	identity_hash(key, label, sizeof(label) - 1, h);
	identity_hex(h, IDENTITY_HASH_LEN, buf);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool identity_key_from_hex(const char *hex, struct identity_key *key)
{
	memset(key, 0, sizeof(*key));
	size_t n = strlen(hex);
	if (n % 2 || n / 2 > IDENTITY_KEY_MAX || n / 2 < IDENTITY_KEY_MIN)
		return false;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit(hex[2 * i]), lo = hex_digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		key->bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	key->len = n / 2;
	return true;
}
