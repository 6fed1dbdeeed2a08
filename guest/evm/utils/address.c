/* Address utilities (execution-specs `utils/address.py`): CREATE and CREATE2 addresses and
 * the 160-bit truncation of stack words. */
#include "hash.h"
#include "vm/vm.h"

address_t to_address_masked(const u256 *v)
{
	uint8_t be[32];
	u256_to_be(v, be);
	address_t a;
	memcpy(a.b, be + 12, 20);
	return a;
}

/* keccak256(rlp([address, nonce]))[12:]. The RLP is short enough to write by hand: a 20-byte
 * string (0x94 ++ address) and the nonce as a minimal big-endian integer, in a list whose
 * payload stays below 56 bytes. */
address_t compute_contract_address(const address_t *sender, uint64_t nonce)
{
	uint8_t rlp[1 + 21 + 9];
	size_t n = 1;
	rlp[n++] = 0x80 + 20;
	memcpy(rlp + n, sender->b, 20);
	n += 20;
	if (nonce == 0) {
		rlp[n++] = 0x80;
	} else if (nonce < 0x80) {
		rlp[n++] = (uint8_t)nonce;
	} else {
		unsigned len = 0;
		for (uint64_t v = nonce; v; v >>= 8)
			len++;
		rlp[n++] = (uint8_t)(0x80 + len);
		for (unsigned i = 0; i < len; i++)
			rlp[n++] = (uint8_t)(nonce >> (8 * (len - 1 - i)));
	}
	rlp[0] = (uint8_t)(0xc0 + (n - 1));
	uint8_t hash[32];
	keccak256(rlp, n, hash);
	address_t a;
	memcpy(a.b, hash + 12, 20);
	return a;
}

/* keccak256(0xff ++ sender ++ salt ++ keccak256(init_code))[12:] */
address_t compute_create2_contract_address(const address_t *sender, const u256 *salt,
					   const uint8_t *call_data, size_t len)
{
	uint8_t preimage[1 + 20 + 32 + 32];
	preimage[0] = 0xff;
	memcpy(preimage + 1, sender->b, 20);
	u256_to_be(salt, preimage + 21);
	keccak256(call_data, len, preimage + 53);
	uint8_t hash[32];
	keccak256(preimage, sizeof(preimage), hash);
	address_t a;
	memcpy(a.b, hash + 12, 20);
	return a;
}
