/* Memory instructions (execution-specs `vm/instructions/memory.py`). */
#include "instructions.h"

/* MSTORE: memory[start : start + 32] = value (big-endian) */
void op_mstore(evm_t *evm)
{
	u256 start_position, v;
	TRY(stack_pop(evm, &start_position));
	TRY(stack_pop(evm, &v));
	uint8_t value[32];
	u256_to_be(&v, value);
	u256 len = u256_from_u64(32);
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &start_position, &len, 1);
	TRY(charge_gas(evm, gas_add(GAS_VERY_LOW, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	memory_write(&evm->memory, &start_position, value, 32);
	evm->pc += 1;
}

/* MSTORE8: memory[start] = value & 0xFF */
void op_mstore8(evm_t *evm)
{
	u256 start_position, value;
	TRY(stack_pop(evm, &start_position));
	TRY(stack_pop(evm, &value));
	u256 one = u256_from_u64(1);
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &start_position, &one, 1);
	TRY(charge_gas(evm, gas_add(GAS_VERY_LOW, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	uint8_t normalized_bytes_value = (uint8_t)(value.w[0] & 0xFF);
	memory_write(&evm->memory, &start_position, &normalized_bytes_value, 1);
	evm->pc += 1;
}

/* MLOAD: the word at memory[start : start + 32] */
void op_mload(evm_t *evm)
{
	u256 start_position;
	TRY(stack_pop(evm, &start_position));
	u256 len = u256_from_u64(32);
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &start_position, &len, 1);
	TRY(charge_gas(evm, gas_add(GAS_VERY_LOW, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	u256 value = u256_from_be(evm->memory.data + (size_t)start_position.w[0], 32);
	TRY(stack_push(evm, &value));
	evm->pc += 1;
}

/* MSIZE: memory size in bytes (always a multiple of 32) */
void op_msize(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->memory.len);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* MCOPY (EIP-5656): memory[destination : +length] = memory[source : +length], overlap-safe */
void op_mcopy(evm_t *evm)
{
	u256 destination, source, length;
	TRY(stack_pop(evm, &destination));
	TRY(stack_pop(evm, &source));
	TRY(stack_pop(evm, &length));
	uint64_t words = words_of(&length);
	uint64_t copy_gas_cost = gas_mul(GAS_COPY, words);
	u256 starts[2] = {source, destination};
	u256 sizes[2] = {length, length};
	extend_memory_t extend_memory = calculate_gas_extend_memory(&evm->memory, starts, sizes, 2);
	TRY(charge_gas(evm, gas_add(gas_add(GAS_VERY_LOW, copy_gas_cost), extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	if (!u256_is_zero(&length)) {
		/* memory_write uses memmove: the read-then-write of the spec */
		memory_write(&evm->memory, &destination,
			     evm->memory.data + (size_t)source.w[0], (size_t)length.w[0]);
	}
	evm->pc += 1;
}
