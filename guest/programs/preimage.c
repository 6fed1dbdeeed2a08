/* Preimage round trip: read local key 1 (a 32-byte keccak256 hash), hint the host with
 * "keccak 0x<hex>", fetch the type-2 preimage of that hash and verify it.
 * Exit 0 on success, 1 if the data does not hash to the key, 2 on an I/O failure. */
#include "hash.h"
#include "preimage.h"
#include "rt.h"

static uint32_t fnv1a32(const uint8_t *p, uint64_t n)
{
	uint32_t h = 0x811c9dc5u;
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x01000193u;
	return h;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint8_t key[32], hash[32];
	preimage_local_key(key, 1);
	int64_t got = preimage_get_into(key, hash, sizeof(hash));
	if (got != 32) {
		rt_printf("preimage: local key 1 is not a 32-byte hash (%ld)\n", (long)got);
		return 2;
	}
	/* op-program's hint syntax, which faultproof.preimage's router parses. */
	char hint[9 + 64 + 1] = "keccak 0x";
	hex_encode(hint + 9, hash, 32);
	if (preimage_hint_str(hint)) {
		rt_puts("preimage: hint failed");
		return 2;
	}
	rt_printf("preimage: hash %s\n", hint + 9);
	preimage_hash_key(key, PREIMAGE_KEY_KECCAK256, hash);
	uint64_t len;
	uint8_t *data = preimage_get(key, &len);
	if (!data) {
		rt_puts("preimage: read failed");
		return 2;
	}
	uint8_t check[32];
	keccak256(data, (size_t)len, check);
	if (memcmp(check, hash, 32) != 0) {
		rt_printf("preimage: keccak mismatch for %lu bytes\n", (unsigned long)len);
		return 1;
	}
	rt_printf("preimage: %lu bytes, keccak ok, fnv1a %08x\n", (unsigned long)len,
		  fnv1a32(data, len));
	rt_free(data);
	return 0;
}
