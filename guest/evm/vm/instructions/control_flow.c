/* Control flow instructions (execution-specs `vm/instructions/control_flow.py`). */
#include "instructions.h"

/* Is `dest` a JUMPDEST opcode (not push data)? The bitmap is runtime.c's. */
static bool is_valid_jump_destination(const evm_t *evm, const u256 *dest)
{
	if (!u256_fits_u64(dest) || dest->w[0] >= evm->code.len)
		return false;
	size_t d = (size_t)dest->w[0];
	return (evm->valid_jump_destinations[d / 8] >> (d % 8)) & 1;
}

/* STOP: halt with success and no output */
void op_stop(evm_t *evm)
{
	evm->running = false;
	evm->pc += 1;
}

/* JUMP */
void op_jump(evm_t *evm)
{
	TRY(stack_need(evm, 1));
	const u256 *jump_dest = stack_slot(evm, 0);
	stack_drop(evm, 1);
	TRY(charge_gas(evm, GAS_MID));
	if (!is_valid_jump_destination(evm, jump_dest)) {
		evm->error = ERR_INVALID_JUMP_DEST;
		return;
	}
	evm->pc = jump_dest->w[0];
}

/* JUMPI: jump when the condition is non-zero */
void op_jumpi(evm_t *evm)
{
	TRY(stack_need(evm, 2));
	const u256 *jump_dest = stack_slot(evm, 0), *conditional_value = stack_slot(evm, 1);
	stack_drop(evm, 2);
	TRY(charge_gas(evm, GAS_HIGH));
	uint64_t destination;
	if (u256_is_zero(conditional_value)) {
		destination = evm->pc + 1;
	} else if (!is_valid_jump_destination(evm, jump_dest)) {
		evm->error = ERR_INVALID_JUMP_DEST;
		return;
	} else {
		destination = jump_dest->w[0];
	}
	evm->pc = destination;
}

/* PC: the address of this instruction */
void op_pc(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->pc);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* GAS: gas left after paying for this instruction */
void op_gas_left(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->gas_left);
	TRY(stack_push(evm, &v));
	evm->pc += 1;
}

/* JUMPDEST: marks a valid jump target; does nothing else */
void op_jumpdest(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_JUMPDEST));
	evm->pc += 1;
}
