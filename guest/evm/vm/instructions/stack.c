/* Stack instructions (execution-specs `vm/instructions/stack.py`). */
#include "instructions.h"

/* POP: drop the top word */
void op_pop(evm_t *evm)
{
	TRY(stack_need(evm, 1));
	stack_drop(evm, 1);
	TRY(charge_gas(evm, GAS_BASE));
	evm->pc += 1;
}

/* U256.from_be_bytes(buffer_read(code, start, num_bytes)) for the immediates that are longer
 * than 4 bytes or cut short by the end of code (out of line: the common path keeps a small
 * frame). */
__attribute__((noinline)) static u256 push_data(const evm_t *evm, size_t start, unsigned num_bytes)
{
	if (num_bytes <= evm->code.len - start) /* inside the code: read it in place */
		return u256_from_be(evm->code.data + start, num_bytes);
	uint8_t data[32];
	u256 start_position = u256_from_u64(start);
	buffer_read(data, evm->code.data, evm->code.len, &start_position, num_bytes);
	return u256_from_be(data, num_bytes);
}

/* PUSHn: push the n bytes after the opcode (zero-padded past the end of code) */
void push_n(evm_t *evm, unsigned num_bytes)
{
	if (num_bytes == 0)
		TRY(charge_gas(evm, GAS_BASE));
	else
		TRY(charge_gas(evm, GAS_VERY_LOW));
	/* data_to_push = U256.from_be_bytes(buffer_read(code, pc + 1, num_bytes)) */
	size_t start = evm->pc + 1;
	if (num_bytes <= 4 && num_bytes <= evm->code.len - start) { /* pc < code.len: no wrap */
		/* PUSH0..PUSH4 inside the code (nearly every PUSH): assembled in a register and
		 * written straight into the new top slot */
		const uint8_t *immediate = evm->code.data + start;
		uint32_t data_to_push = 0;
		for (unsigned k = 0; k < num_bytes; k++)
			data_to_push = data_to_push << 8 | immediate[k];
		u256 *slot = stack_push_slot(evm);
		TRY(slot);
		*slot = u256_from_u64(data_to_push);
	} else {
		u256 data_to_push = push_data(evm, start, num_bytes);
		TRY(stack_push(evm, &data_to_push));
	}
	evm->pc += 1 + num_bytes;
}

/* DUPn: push a copy of the n-th word from the top (item_number = n - 1) */
void dup_n(evm_t *evm, unsigned item_number)
{
	TRY(charge_gas(evm, GAS_VERY_LOW));
	if (item_number >= evm->stack_len) {
		evm->error = ERR_STACK_UNDERFLOW;
		return;
	}
	const u256 *data_to_duplicate = stack_slot(evm, item_number);
	u256 *slot = stack_push_slot(evm);
	TRY(slot);
	*slot = *data_to_duplicate;
	evm->pc += 1;
}

/* SWAPn: exchange the top word with the (n+1)-th (item_number = n) */
void swap_n(evm_t *evm, unsigned item_number)
{
	TRY(charge_gas(evm, GAS_VERY_LOW));
	if (item_number >= evm->stack_len) {
		evm->error = ERR_STACK_UNDERFLOW;
		return;
	}
	u256 *top = stack_slot(evm, 0);
	u256 *other = stack_slot(evm, item_number);
	for (int i = 0; i < 4; i++) { /* limb by limb: no 32-byte temporary in memory */
		uint64_t t = top->w[i];
		top->w[i] = other->w[i];
		other->w[i] = t;
	}
	evm->pc += 1;
}

void op_push(evm_t *evm) { push_n(evm, evm->code.data[evm->pc] - OP_PUSH0); }
void op_dup(evm_t *evm) { dup_n(evm, evm->code.data[evm->pc] - OP_DUP1); }
void op_swap(evm_t *evm) { swap_n(evm, evm->code.data[evm->pc] - OP_SWAP1 + 1); }
