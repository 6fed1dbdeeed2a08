/* The fault proof program of the demo rollup ("hashchain rollup").
 *
 * The rollup: L2 state is 32 bytes; block n applies its transaction batch as
 *     state_n = keccak256(state_{n-1} || batch_n)
 * and commits to it with the output root
 *     output_n = keccak256(uint256_be(n) || state_n || tape_root)
 * where tape_root = keccak256(batch hash of block 1 || batch hash of block 2 || ...) is the
 * rollup's input tape, fixed at genesis. (A production rollup reads its batches from L1 via the
 * L1 head, local key 1; the embedded demo chain cannot serve L1 header preimages, so the tape is
 * committed in every output root instead and the agreed output root vouches for it.)
 *
 * Inputs come only from the preimage oracle, as local keys (the dispute game's local data):
 *   2 = agreed starting output root, 3 = disputed output root,
 *   4 = disputed L2 block number (uint64_be).
 * The program re-derives the output at the disputed block from the agreed one and exits
 * 0 when it matches the disputed output root and 1 when it does not (2 on bad inputs).
 * Every preimage is verified against its hash before use.
 */
#include "hash.h"
#include "preimage.h"
#include "rt.h"

static int local32(uint64_t ident, uint8_t out[32])
{
	uint8_t key[32];
	preimage_local_key(key, ident);
	return preimage_get_into(key, out, 32) == 32 ? 0 : -1;
}

static uint8_t *keccak_preimage(const uint8_t hash[32], uint64_t *len)
{
	char hint[9 + 64 + 1] = "keccak 0x";
	hex_encode(hint + 9, hash, 32);
	if (preimage_hint_str(hint))
		return 0;
	return preimage_get_keccak256(hash, len);
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	uint8_t agreed[32], disputed[32], numbuf[8];
	if (local32(2, agreed) || local32(3, disputed)) {
		rt_puts("rollup: missing local inputs");
		return 2;
	}
	uint8_t key[32];
	preimage_local_key(key, 4);
	if (preimage_get_into(key, numbuf, 8) != 8) {
		rt_puts("rollup: missing disputed block number");
		return 2;
	}
	uint64_t target = be64(numbuf);

	uint64_t len;
	uint8_t *out_pre = keccak_preimage(agreed, &len);
	if (!out_pre || len != 96) {
		rt_puts("rollup: agreed output root has no 96-byte preimage");
		return 2;
	}
	uint64_t block = be64(out_pre + 24);
	uint8_t buf[96];
	memcpy(buf, out_pre + 32, 32); /* buf[0..32) = state */
	uint8_t tape_root[32];
	memcpy(tape_root, out_pre + 64, 32);

	uint64_t nbatches;
	uint8_t *batches = keccak_preimage(tape_root, &nbatches);
	if (!batches || nbatches % 32) {
		rt_puts("rollup: bad batch list");
		return 2;
	}
	nbatches /= 32;
	/* Blocks with no batch on L1 yet cannot be derived: the chain stays at its safe head. */
	if (target > nbatches)
		target = nbatches;
	rt_printf("rollup: deriving blocks %lu..%lu\n", (unsigned long)(block + 1), (unsigned long)target);
	while (block < target) {
		uint64_t blen;
		uint8_t *batch = keccak_preimage(batches + 32 * block, &blen);
		if (!batch) {
			rt_puts("rollup: batch preimage missing");
			return 2;
		}
		uint8_t *joined = rt_malloc(32 + blen);
		memcpy(joined, buf, 32);
		memcpy(joined + 32, batch, blen);
		keccak256(joined, 32 + blen, buf);
		rt_free(joined);
		rt_free(batch);
		block++;
	}
	memcpy(buf + 32, buf, 32);
	memset(buf, 0, 32);
	for (int i = 0; i < 8; i++)
		buf[31 - i] = (uint8_t)(block >> (8 * i));
	memcpy(buf + 64, tape_root, 32);
	uint8_t output[32];
	keccak256(buf, 96, output);
	int ok = memcmp(output, disputed, 32) == 0;
	rt_printf("rollup: block %lu output %s\n", (unsigned long)block, ok ? "matches" : "does NOT match");
	return ok ? 0 : 1;
}
