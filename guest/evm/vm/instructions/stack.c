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

/* buffer_read(code, start, num_bytes) for an immediate that runs past the end of code (rare:
 * out of line, so the common path needs no 32-byte buffer in its frame). */
__attribute__((noinline)) static u256 push_data_past_end(const evm_t *evm, size_t start,
							  unsigned num_bytes)
{
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
	/* data_to_push = buffer_read(code, pc + 1, num_bytes): read straight from the code when
	 * the immediate lies inside it (always, but for a PUSH cut short by the end of code) */
	u256 data_to_push;
	size_t start = evm->pc + 1;
	if (num_bytes <= evm->code.len - start) { /* pc < code.len, so no wrap */
		const uint8_t *immediate = evm->code.data + start;
		if (num_bytes <= 4) { /* PUSH0..PUSH4: the value fits a 32-bit register */
			uint32_t v = 0;
			for (unsigned k = 0; k < num_bytes; k++)
				v = v << 8 | immediate[k];
			data_to_push = u256_from_u64(v);
		} else {
			data_to_push = u256_from_be(immediate, num_bytes);
		}
	} else {
		data_to_push = push_data_past_end(evm, start, num_bytes);
	}
	u256 *slot = stack_push_slot(evm);
	TRY(slot);
	*slot = data_to_push;
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
