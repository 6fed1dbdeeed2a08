/* KECCAK256 (execution-specs `vm/instructions/keccak.py`). */
#include "hash.h"
#include "instructions.h"

/* KECCAK256: hash memory[start : start + size] */
void op_keccak(evm_t *evm)
{
	u256 memory_start_index, size;
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &size));
	uint64_t words = words_of(&size);
	uint64_t word_gas_cost = gas_mul(GAS_KECCAK256_WORD, words);
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	TRY(charge_gas(evm, gas_add(gas_add(GAS_KECCAK256, word_gas_cost), extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	/* memory_read_bytes without the copy: the range is inside memory (or empty) */
	const uint8_t *data = u256_is_zero(&size) ? NULL : evm->memory.data + (size_t)memory_start_index.w[0];
	size_t len = u256_is_zero(&size) ? 0 : (size_t)size.w[0];
	hash32_t hashed;
	keccak256(data, len, hashed.b);
	u256 v = u256_from_hash(&hashed);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}
