/* Preimage-oracle client (see preimage.h for the wire protocol). */
#include "preimage.h"

#include "hash.h"
#include "rt.h"

void preimage_local_key(uint8_t key[32], uint64_t index)
{
	memset(key, 0, 32);
	key[0] = PREIMAGE_KEY_LOCAL;
	for (int i = 0; i < 8; i++)
		key[31 - i] = (uint8_t)(index >> (8 * i));
}

void preimage_hash_key(uint8_t key[32], uint8_t type, const uint8_t hash[32])
{
	memcpy(key, hash, 32);
	key[0] = type;
}

int preimage_hint(const void *hint, uint32_t len)
{
	uint8_t prefix[4] = {(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8),
			     (uint8_t)len};
	if (rt_write_all(FD_HINT_WRITE, prefix, 4) || rt_write_all(FD_HINT_WRITE, hint, len))
		return -1;
	/* The VMs fake the ack without writing memory: its value carries no meaning. */
	uint8_t ack;
	return rt_read_full(FD_HINT_READ, &ack, 1);
}

int preimage_hint_str(const char *hint)
{
	return preimage_hint(hint, (uint32_t)strlen(hint));
}

static int request(const uint8_t key[32], uint64_t *len)
{
	if (rt_write_all(FD_PREIMAGE_WRITE, key, 32))
		return -1;
	uint8_t prefix[8];
	if (rt_read_full(FD_PREIMAGE_READ, prefix, 8))
		return -1;
	uint64_t n = 0;
	for (int i = 0; i < 8; i++)
		n = (n << 8) | prefix[i];
	*len = n;
	return 0;
}

uint8_t *preimage_get(const uint8_t key[32], uint64_t *len)
{
	uint64_t n;
	*len = 0;
	if (request(key, &n) || n > (uint64_t)(size_t)-1 / 2)
		return NULL;
	uint8_t *buf = rt_malloc(n ? (size_t)n : 1);
	if (!buf)
		return NULL;
	if (rt_read_full(FD_PREIMAGE_READ, buf, (size_t)n)) {
		rt_free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

int64_t preimage_get_into(const uint8_t key[32], void *buf, uint64_t cap)
{
	uint64_t n;
	if (request(key, &n))
		return -1;
	uint64_t take = n < cap ? n : cap;
	if (rt_read_full(FD_PREIMAGE_READ, buf, (size_t)take))
		return -1;
	uint8_t sink[64];
	for (uint64_t left = n - take; left;) {
		size_t step = left < sizeof(sink) ? (size_t)left : sizeof(sink);
		if (rt_read_full(FD_PREIMAGE_READ, sink, step))
			return -1;
		left -= step;
	}
	return n > cap ? -1 : (int64_t)n;
}

static uint8_t *get_verified(uint8_t type, const uint8_t hash[32], uint64_t *len,
			     void (*fn)(const void *, size_t, uint8_t *))
{
	uint8_t key[32], got[32];
	preimage_hash_key(key, type, hash);
	uint8_t *data = preimage_get(key, len);
	if (!data)
		return NULL;
	fn(data, (size_t)*len, got);
	if (memcmp(got, hash, 32) != 0) {
		rt_free(data);
		*len = 0;
		return NULL;
	}
	return data;
}

uint8_t *preimage_get_keccak256(const uint8_t hash[32], uint64_t *len)
{
	return get_verified(PREIMAGE_KEY_KECCAK256, hash, len, keccak256);
}

uint8_t *preimage_get_sha256(const uint8_t hash[32], uint64_t *len)
{
	return get_verified(PREIMAGE_KEY_SHA256, hash, len, sha256);
}

void hex_encode(char *out, const uint8_t *data, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[data[i] >> 4];
		out[2 * i + 1] = digits[data[i] & 15];
	}
	out[2 * n] = '\0';
}
