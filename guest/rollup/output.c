/* Output root v0 (spec §4) and the agreed output's block. */
#include "hash.h"
#include "oracle.h"
#include "preimage.h"
#include "rollup.h"

/* L2ToL1MessagePasser 0x4200000000000000000000000000000000000016 */
const address_t MESSAGE_PASSER_ADDRESS = {{0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					   0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16}};

void print_hash(const hash32_t *h)
{
	char hex[65];
	hex_encode(hex, h->b, 32);
	rt_printf("0x%s", hex);
}

uint64_t be64_read(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

void be64_write(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void output_root_v0(const hash32_t *state_root, const hash32_t *message_passer_root,
		    const hash32_t *block_hash, hash32_t *out)
{
	uint8_t pre[128];
	memset(pre, 0, 32);
	memcpy(pre + 32, state_root->b, 32);
	memcpy(pre + 64, message_passer_root->b, 32);
	memcpy(pre + 96, block_hash->b, 32);
	keccak256(pre, sizeof(pre), out->b);
}

void fetch_l2_header(const hash32_t *hash, header_t *out)
{
	bytes_t rlp = oracle_fetch_by_hash("l2-block-header", hash);
	if (!header_decode(rlp.data, rlp.len, out))
		fatal_undecodable("L2 block header does not decode as a Cancun header");
	rt_free(rlp.data);
}

void agreed_output_block(const hash32_t *output_root, hash32_t *block_hash, header_t *header)
{
	bytes_t pre = oracle_fetch_by_hash("l2-output", output_root);
	if (pre.len != 128)
		fatal_undecodable("agreed output root preimage is not 128 bytes");
	for (int i = 0; i < 32; i++)
		if (pre.data[i] != 0)
			fatal_undecodable("agreed output root has an unknown version");
	hash32_t state_root;
	memcpy(state_root.b, pre.data + 32, 32);
	memcpy(block_hash->b, pre.data + 96, 32);
	rt_free(pre.data);
	fetch_l2_header(block_hash, header);
	if (!hash_eq(&header->state_root, &state_root))
		fatal_undecodable("agreed output's state root differs from its block's");
}
