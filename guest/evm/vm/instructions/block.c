/* Block instructions (execution-specs `vm/instructions/block.py`). */
#include "instructions.h"

/* BLOCKHASH: the hash of one of the 256 most recent complete blocks, else 0 */
void op_block_hash(evm_t *evm)
{
	u256 block_number;
	TRY(stack_pop(evm, &block_number));
	TRY(charge_gas(evm, GAS_BLOCK_HASH));
	const block_env_t *env = evm->message->block_env;
	uint64_t current_block_number = env->number;
	u256 current_block_hash = u256_zero();
	/* current <= number, or current > number + 256: zero */
	if (u256_fits_u64(&block_number) && block_number.w[0] < current_block_number &&
	    current_block_number - block_number.w[0] <= 256) {
		bool found = false;
		hash32_t h = env->get_block_hash(env->block_hash_ctx, block_number.w[0], &found);
		if (found)
			current_block_hash = u256_from_hash(&h);
	}
	TRY(stack_push(evm, &current_block_hash));
	evm->pc += 1;
}

/* COINBASE */
void op_coinbase(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_address(&evm->message->block_env->coinbase);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* TIMESTAMP */
void op_timestamp(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->message->block_env->time);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* NUMBER */
void op_number(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->message->block_env->number);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* PREVRANDAO */
void op_prev_randao(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_hash(&evm->message->block_env->prev_randao);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* GASLIMIT: the block's gas limit */
void op_gas_limit(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->message->block_env->block_gas_limit);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* CHAINID */
void op_chain_id(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->message->block_env->chain_id);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}
