/* Block validation and execution (execution-specs `fork.py`, Cancun): state_transition,
 * validate_header, apply_body, process_transaction, check_transaction, the EIP-4788
 * beacon-roots system call, withdrawals. */
#ifndef EVM_FORK_H
#define EVM_FORK_H

#include "blocks.h"
#include "state.h"
#include "types.h"

/* The chain's execution rules: Ethereum's, or the OP Stack's (docs/ROLLUP.md §3): deposit
 * transactions (type 0x7E), the base fee credited to `base_fee_recipient` instead of burned,
 * deposit receipts with depositNonce and depositReceiptVersion 1, and the EIP-1559
 * parameters. */
typedef struct {
	bool op_stack;
	uint64_t eip1559_denominator; /* Ethereum 8, OP Canyon 250 */
	uint64_t eip1559_elasticity;  /* Ethereum 2, OP 6 */
	address_t base_fee_recipient; /* op_stack: the BaseFeeVault 0x4200..0019 */
} chain_rules_t;

extern const chain_rules_t ETHEREUM_RULES;

typedef enum {
	MODE_VERIFY_BLOCK = 0, /* the claimed block must be the valid successor of the parent */
	MODE_STATE_TEST = 1,   /* execute the block's transactions on the parent's state and report
				  (no header consensus checks, no system calls, invalid txs skipped) */
} exec_mode;

typedef struct {
	uint64_t chain_id;
	exec_mode mode;
	const chain_rules_t *rules; /* NULL: ETHEREUM_RULES */
} chain_config_t;

typedef enum {
	VERDICT_VALID = 0,
	VERDICT_INVALID = 1,
} verdict;

/* Fetches both headers and everything else through the oracle, executes, compares, prints
 * the computed fields and the verdict. Undecodable inputs never return (fatal_undecodable). */
verdict verify_block(const hash32_t *parent_hash, const hash32_t *claimed_hash,
		     const chain_config_t *config);

/* ---- Building a block (the rollup program: derived blocks have no claimed header) ---- */

/* What the block producer chose; the rest of the header is computed. */
typedef struct {
	address_t coinbase;
	uint64_t timestamp;
	uint64_t gas_limit;
	hash32_t prev_randao;
	hash32_t parent_beacon_block_root;
} block_template_t;

typedef struct {
	const chain_rules_t *rules;
	uint64_t chain_id;
	state_t *state; /* the parent's post-state; the block's changes are applied to it */
	hash32_t parent_hash;
	header_t parent;
	/* BLOCKHASH provider (vm.h block_env_t); NULL: only the parent's hash is known. */
	hash32_t (*get_block_hash)(void *ctx, uint64_t number, bool *found);
	void *block_hash_ctx;
} build_env_t;

typedef struct {
	bool valid;
	size_t bad_index;   /* !valid: the first invalid transaction */
	const char *reason; /* !valid: why */
	header_t header;    /* valid: the complete header (number parent+1) */
	hash32_t hash;      /* valid: keccak(rlp(header)) */
	uint64_t tx_count;
} built_block_t;

/* The EIP-4788 call, then `txs` (trie values, in order) on env->state, then every header
 * field. An invalid transaction makes the block invalid; the state is then partly changed
 * and must be discarded by the caller. Prints the `evm: tx` lines. */
void build_block(const build_env_t *env, const block_template_t *t, const bytes_t *txs,
		 size_t count, built_block_t *out);

/* calculate_base_fee_per_gas with the rules' denominator and elasticity (fits 64 bits for
 * any parent fee below 2^63). */
uint64_t next_base_fee(const chain_rules_t *rules, const header_t *parent);

#endif
