/* The EVM's data (execution-specs `vm/__init__.py`): block and transaction environments,
 * messages and the per-frame Evm. Function names follow the spec (`process_message_call`,
 * `charge_gas`, ...) so that spec and C read side by side. */
#ifndef EVM_VM_H
#define EVM_VM_H

#include "../blocks.h"
#include "../state.h"
#include "../types.h"
#include "../u256.h"
#include "exceptions.h"

#define STACK_DEPTH_LIMIT 1024 /* call depth (interpreter.py) */
#define STACK_LIMIT 1024       /* stack items (stack.py) */

typedef struct {
	uint64_t chain_id;
	state_t *state;
	uint64_t block_gas_limit;
	/* The most recent up to 256 block hashes, oldest first; block_hashes[count-1] is the
	 * parent's hash (BLOCKHASH). Filled lazily by the block-hash provider below. */
	hash32_t (*get_block_hash)(void *ctx, uint64_t number, bool *found);
	void *block_hash_ctx;
	address_t coinbase;
	uint64_t number;
	uint64_t base_fee_per_gas;
	uint64_t time;
	hash32_t prev_randao;
	uint64_t excess_blob_gas;
	hash32_t parent_beacon_block_root;
} block_env_t;

typedef struct {
	address_t origin;
	u256 gas_price; /* effective gas price */
	uint64_t gas;
	/* access_list addresses/keys are applied to the state's access sets before the call. */
	const hash32_t *blob_versioned_hashes;
	size_t blob_versioned_hash_count;
	int64_t index_in_block; /* -1 for system calls */
} tx_env_t;

struct evm;

typedef struct {
	block_env_t *block_env;
	tx_env_t *tx_env;
	address_t caller;
	bool has_target;        /* false: contract creation (target = Bytes0) */
	address_t target;
	address_t current_target;
	uint64_t gas;
	u256 value;
	bytes_t data;
	bool has_code_address;
	address_t code_address;
	bytes_t code;
	uint32_t depth;
	bool should_transfer_value;
	bool is_static;
	struct evm *parent_evm;
} message_t;

typedef struct {
	log_t *items;
	size_t count, cap;
} log_list_t;

typedef struct {
	address_t *items;
	size_t count, cap;
} address_set_t; /* accounts_to_delete (small; linear search) */

typedef struct evm {
	size_t pc; /* the spec's Uint; never past code length + 33, so a size_t (32 bits on MIPS) */
	u256 *stack;        /* STACK_LIMIT items, rt_malloc'd */
	uint32_t stack_len;
	buf_t memory;
	bytes_t code;
	uint64_t gas_left;
	uint8_t *valid_jump_destinations; /* bitmap over code, 1 bit per byte */
	log_list_t logs;
	int64_t refund_counter;
	bool running;
	message_t *message;
	bytes_t output;
	address_set_t accounts_to_delete;
	bytes_t return_data;
	evm_error error;
} evm_t;

/* Result of a top-level message call (interpreter.py MessageCallOutput). */
typedef struct {
	uint64_t gas_left;
	int64_t refund_counter;
	log_list_t logs;
	address_set_t accounts_to_delete;
	evm_error error; /* EVM_OK on success */
	bytes_t return_data;
} message_call_output_t;

/* interpreter.c */
message_call_output_t process_message_call(message_t *message);
evm_t *process_create_message(message_t *message);
evm_t *process_message(message_t *message);
void evm_free(evm_t *evm);
void incorporate_child_on_success(evm_t *evm, evm_t *child);
void incorporate_child_on_error(evm_t *evm, evm_t *child);

/* utils/address.py */
address_t compute_contract_address(const address_t *sender, uint64_t nonce);
address_t compute_create2_contract_address(const address_t *sender, const u256 *salt,
					   const uint8_t *call_data, size_t len);
address_t to_address_masked(const u256 *v);

/* Precompiles (vm/precompiled_contracts/mapping.py): 0x01..0x0a. */
bool is_precompile(const address_t *a);
void run_precompile(evm_t *evm, const address_t *a); /* sets evm->output / evm->error */

#endif
