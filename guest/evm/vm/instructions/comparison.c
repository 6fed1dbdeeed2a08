/* Comparison instructions (execution-specs `vm/instructions/comparison.py`). */
#include "instructions.h"

/* left = pop, right = pop, read in place; the result (push) replaces right's slot. */
#define COMPARE_OP(name, expr)                                                             \
	void name(evm_t *evm)                                                              \
	{                                                                                  \
		TRY(stack_need(evm, 2));                                                   \
		const u256 *left = stack_slot(evm, 0);                                     \
		u256 *right = stack_slot(evm, 1);                                          \
		TRY(charge_gas(evm, GAS_VERY_LOW));                                        \
		*right = u256_from_u64((expr) ? 1 : 0);                                    \
		stack_drop(evm, 1);                                                        \
		evm->pc += 1;                                                              \
	}

/* LT: left < right, unsigned */
COMPARE_OP(op_less_than, u256_cmp(left, right) < 0)
/* SLT: left < right, two's complement */
COMPARE_OP(op_signed_less_than, u256_scmp(left, right) < 0)
/* GT: left > right, unsigned */
COMPARE_OP(op_greater_than, u256_cmp(left, right) > 0)
/* SGT: left > right, two's complement */
COMPARE_OP(op_signed_greater_than, u256_scmp(left, right) > 0)
/* EQ */
COMPARE_OP(op_equal, u256_eq(left, right))

/* ISZERO: x = pop, in place; the result replaces it */
void op_is_zero(evm_t *evm)
{
	TRY(stack_need(evm, 1));
	u256 *x = stack_slot(evm, 0);
	TRY(charge_gas(evm, GAS_VERY_LOW));
	*x = u256_from_u64(u256_is_zero(x) ? 1 : 0);
	evm->pc += 1;
}
