/* The fetch seam (oracle.h) over the preimage client (guest/lib/preimage.h).
 *
 * Everything read by keccak key is hashed again here before anyone sees it, so a host that
 * lies (or a store that holds the wrong bytes) ends the run with exit 2 instead of a verdict.
 */
#include "oracle.h"

#include "hash.h"
#include "preimage.h"

uint64_t oracle_hint_count;
uint64_t oracle_preimage_count;
uint64_t oracle_preimage_bytes;

int64_t oracle_local(uint64_t index, void *buf, uint64_t cap)
{
	uint8_t key[32];
	preimage_local_key(key, index);
	int64_t n = preimage_get_into(key, buf, cap);
	oracle_preimage_count++;
	if (n > 0)
		oracle_preimage_bytes += (uint64_t)n;
	return n;
}

void oracle_hint(const char *type, const uint8_t *payload, size_t len)
{
	size_t tl = strlen(type);
	size_t n = tl + 3 + 2 * len;
	char stack[256];
	char *s = n + 1 <= sizeof stack ? stack : rt_malloc(n + 1);
	if (!s)
		fatal_undecodable("oracle: out of memory for a hint");
	memcpy(s, type, tl);
	s[tl] = ' ';
	s[tl + 1] = '0';
	s[tl + 2] = 'x';
	hex_encode(s + tl + 3, payload, len);
	int rc = preimage_hint(s, (uint32_t)n);
	if (s != stack)
		rt_free(s);
	if (rc != 0)
		fatal_undecodable("oracle: hint I/O failure");
	oracle_hint_count++;
}

bytes_t oracle_keccak_preimage(const hash32_t *hash)
{
	uint8_t key[32], check[32];
	preimage_hash_key(key, PREIMAGE_KEY_KECCAK256, hash->b);
	uint64_t len = 0;
	uint8_t *data = preimage_get(key, &len);
	if (!data)
		fatal_undecodable("oracle: preimage I/O failure (missing preimage?)");
	if (len > (uint64_t)(size_t)-1)
		fatal_undecodable("oracle: preimage too large");
	keccak256(data, (size_t)len, check);
	if (memcmp(check, hash->b, 32) != 0)
		fatal_undecodable("oracle: preimage does not match its keccak256 key");
	oracle_preimage_count++;
	oracle_preimage_bytes += len;
	bytes_t out = {data, (size_t)len};
	return out;
}

bytes_t oracle_fetch_by_hash(const char *hint_type, const hash32_t *hash)
{
	oracle_hint(hint_type, hash->b, 32);
	return oracle_keccak_preimage(hash);
}

bool oracle_precompile(uint8_t address_low_byte, uint64_t required_gas, const uint8_t *input,
		       size_t len, bytes_t *output)
{
	/* address20 ‖ u64be(required_gas) ‖ input: the hint payload and the key's preimage */
	size_t n = 28 + len;
	uint8_t *h = rt_malloc(n);
	if (!h)
		fatal_undecodable("oracle: out of memory for a precompile call");
	memset(h, 0, 19);
	h[19] = address_low_byte;
	for (int i = 0; i < 8; i++)
		h[20 + i] = (uint8_t)(required_gas >> (8 * (7 - i)));
	if (len)
		memcpy(h + 28, input, len);
	oracle_hint("l1-precompile-v2", h, n);
	uint8_t digest[32], key[32];
	keccak256(h, n, digest);
	rt_free(h);
	preimage_hash_key(key, 6, digest);
	uint64_t rlen = 0;
	uint8_t *r = preimage_get(key, &rlen);
	if (!r)
		fatal_undecodable("oracle: precompile result I/O failure");
	if (rlen == 0)
		fatal_undecodable("oracle: empty precompile result");
	if (rlen > (uint64_t)(size_t)-1)
		fatal_undecodable("oracle: precompile result too large");
	oracle_preimage_count++;
	oracle_preimage_bytes += rlen;
	bool ok = r[0] == 1;
	size_t olen = (size_t)rlen - 1;
	if (!ok) {
		rt_free(r);
		output->data = NULL;
		output->len = 0;
		return false;
	}
	memmove(r, r + 1, olen);
	output->data = r;
	output->len = olen;
	return true;
}
