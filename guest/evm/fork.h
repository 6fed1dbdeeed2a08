/* Block validation and execution (execution-specs `fork.py`, Cancun): state_transition,
 * validate_header, apply_body, process_transaction, check_transaction, the EIP-4788
 * beacon-roots system call, withdrawals. */
#ifndef EVM_FORK_H
#define EVM_FORK_H

#include "blocks.h"
#include "types.h"

typedef enum {
	MODE_VERIFY_BLOCK = 0, /* the claimed block must be the valid successor of the parent */
	MODE_STATE_TEST = 1,   /* execute the block's transactions on the parent's state and report
				  (no header consensus checks, no system calls, invalid txs skipped) */
} exec_mode;

typedef struct {
	uint64_t chain_id;
	exec_mode mode;
} chain_config_t;

typedef enum {
	VERDICT_VALID = 0,
	VERDICT_INVALID = 1,
} verdict;

/* Fetches both headers and everything else through the oracle, executes, compares, prints
 * the computed fields and the verdict. Undecodable inputs never return (fatal_undecodable). */
verdict verify_block(const hash32_t *parent_hash, const hash32_t *claimed_hash,
		     const chain_config_t *config);

#endif
