/* The EVM block program: reads the boot keys, verifies the claimed block on top of the agreed
 * parent, exits with the verdict (guest/evm/README.md):
 *   0  the claimed block is the valid successor of the parent
 *   1  it is not
 *   2  inputs that cannot be decoded or do not match their hashes (fatal_undecodable)
 * In state-test mode (ident 6, only behind the custom-chain sentinel) the exit code is 0
 * whatever the verdict: the caller reads the computed fields from stdout. */
#include "fork.h"
#include "oracle.h"

#define IDENT_AGREED_BLOCK_HASH 2
#define IDENT_CLAIMED_BLOCK_HASH 3
#define IDENT_CHAIN_ID 5
#define IDENT_CHAIN_CONFIG 6
#define CUSTOM_CHAIN_ID_INDICATOR UINT64_MAX

static void read_hash(uint64_t ident, hash32_t *out)
{
	if (oracle_local(ident, out->b, 32) != 32)
		fatal_undecodable("boot key (block hash) missing or not 32 bytes");
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
	hash32_t parent_hash, claimed_hash;
	read_hash(IDENT_AGREED_BLOCK_HASH, &parent_hash);
	read_hash(IDENT_CLAIMED_BLOCK_HASH, &claimed_hash);

	uint8_t word[9];
	if (oracle_local(IDENT_CHAIN_ID, word, 8) != 8)
		fatal_undecodable("boot key 5 (chain id) missing or not 8 bytes");
	chain_config_t config;
	config.chain_id = be64(word);
	config.mode = MODE_VERIFY_BLOCK;
	config.rules = NULL; /* Ethereum; the rollup program (guest/rollup/) uses the OP rules */
	if (config.chain_id == CUSTOM_CHAIN_ID_INDICATOR) {
		if (oracle_local(IDENT_CHAIN_CONFIG, word, 9) != 9)
			fatal_undecodable("boot key 6 (chain id, mode) missing or not 9 bytes");
		config.chain_id = be64(word);
		if (word[8] > MODE_STATE_TEST)
			fatal_undecodable("boot key 6: unknown mode");
		config.mode = (exec_mode)word[8];
	}

	verdict v = verify_block(&parent_hash, &claimed_hash, &config);
	if (config.mode == MODE_STATE_TEST)
		return 0;
	return v == VERDICT_VALID ? 0 : 1;
}
