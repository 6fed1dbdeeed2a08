/* The rollup's fault proof program (docs/ROLLUP.md §5-§6), op-program's run order (spec
 * §1.3): boot, the agreed L2 block from the agreed output, derivation from L1 up to the
 * claimed block number, then OutputRootV0(block n) with n = min(claimed, safe head) against
 * the claim.
 *   0  equal (the claim is valid)
 *   1  different
 *   2  inputs that cannot be decoded, a preimage that does not match, a derivation error
 */
#include "oracle.h"
#include "rollup.h"
#include "trie.h"

#define IDENT_L1_HEAD 1
#define IDENT_AGREED_OUTPUT 2
#define IDENT_CLAIMED_OUTPUT 3
#define IDENT_CLAIMED_BLOCK 4
#define IDENT_CHAIN_ID 5

static void read_hash(uint64_t ident, hash32_t *out)
{
	if (oracle_local(ident, out->b, 32) != 32)
		fatal_undecodable("boot key missing or not 32 bytes");
}

static uint64_t read_u64(uint64_t ident)
{
	uint8_t word[8];
	if (oracle_local(ident, word, 8) != 8)
		fatal_undecodable("boot key missing or not 8 bytes");
	return be64_read(word);
}

/* The output root of an L2 block before the agreed one (a claim below the agreed block):
 * its header by walking back, its message passer's storage root from its state. */
static void past_output(const hash32_t *agreed_hash, const header_t *agreed, uint64_t number,
			hash32_t *block_hash, hash32_t *out)
{
	header_t h = *agreed;
	hash32_t hash = *agreed_hash;
	while (h.number > number) {
		hash = h.parent_hash;
		fetch_l2_header(&hash, &h);
	}
	state_t *s = state_open(&h.state_root, h.number);
	hash32_t passer_root;
	storage_root(s, &MESSAGE_PASSER_ADDRESS, &passer_root);
	output_root_v0(&h.state_root, &passer_root, &hash, out);
	*block_hash = hash;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	hash32_t l1_head, agreed_output, claimed_output;
	read_hash(IDENT_L1_HEAD, &l1_head);
	read_hash(IDENT_AGREED_OUTPUT, &agreed_output);
	read_hash(IDENT_CLAIMED_OUTPUT, &claimed_output);
	uint64_t claimed_block = read_u64(IDENT_CLAIMED_BLOCK);
	uint64_t chain_id = read_u64(IDENT_CHAIN_ID);
	rt_printf("rollup: boot l1_head=");
	print_hash(&l1_head);
	rt_printf(" agreed_output=");
	print_hash(&agreed_output);
	rt_printf(" claimed_output=");
	print_hash(&claimed_output);
	rt_printf(" claimed_block=%llu chain_id=%llu\n", (unsigned long long)claimed_block,
		  (unsigned long long)chain_id);
	if (chain_id != ROLLUP_CONFIG.l2_chain_id)
		fatal_undecodable("boot key 5: not this program's L2 chain id");

	hash32_t agreed_hash;
	header_t agreed;
	agreed_output_block(&agreed_output, &agreed_hash, &agreed);

	hash32_t computed, block_hash;
	uint64_t n;
	derive_result_t r;
	memset(&r, 0, sizeof(r));
	if (claimed_block < agreed.number) {
		n = claimed_block;
		past_output(&agreed_hash, &agreed, n, &block_hash, &computed);
	} else {
		derive(&l1_head, &agreed_hash, &agreed, claimed_block, &r);
		n = r.safe.header.number;
		block_hash = r.safe.hash;
		computed = r.output_root;
	}

	bool valid = hash_eq(&computed, &claimed_output);
	rt_printf("rollup: output block=%llu hash=", (unsigned long long)n);
	print_hash(&block_hash);
	rt_printf(" computed=");
	print_hash(&computed);
	rt_printf(" claimed=");
	print_hash(&claimed_output);
	rt_printf("\n");
	rt_printf("rollup: stats blocks=%llu l1_blocks=%llu batches=%llu hints=%llu preimages=%llu "
		  "preimage_bytes=%llu trie_nodes=%llu\n",
		  (unsigned long long)r.blocks_derived, (unsigned long long)r.l1_blocks_read,
		  (unsigned long long)r.batches_read, (unsigned long long)oracle_hint_count,
		  (unsigned long long)oracle_preimage_count,
		  (unsigned long long)oracle_preimage_bytes,
		  (unsigned long long)trie_nodes_resolved);
	rt_printf("rollup: verdict %s\n", valid ? "valid" : "invalid");
	return valid ? 0 : 1;
}
