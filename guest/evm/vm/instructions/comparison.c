/* Comparison instructions (execution-specs `vm/instructions/comparison.py`). */
#include "instructions.h"

#define COMPARE_OP(name, expr)                                                             \
	void name(evm_t *evm)                                                              \
	{                                                                                  \
		u256 left, right;                                                          \
		TRY(stack_pop(evm, &left));                                                \
		TRY(stack_pop(evm, &right));                                               \
		TRY(charge_gas(evm, GAS_VERY_LOW));                                        \
		u256 result = u256_from_u64((expr) ? 1 : 0);                               \
		TRY(stack_push(evm, &result));                                             \
		evm->pc += 1;                                                              \
	}

/* LT: left < right, unsigned */
COMPARE_OP(op_less_than, u256_cmp(&left, &right) < 0)
/* SLT: left < right, two's complement */
COMPARE_OP(op_signed_less_than, u256_scmp(&left, &right) < 0)
/* GT: left > right, unsigned */
COMPARE_OP(op_greater_than, u256_cmp(&left, &right) > 0)
/* SGT: left > right, two's complement */
COMPARE_OP(op_signed_greater_than, u256_scmp(&left, &right) > 0)
/* EQ */
COMPARE_OP(op_equal, u256_eq(&left, &right))

/* ISZERO */
void op_is_zero(evm_t *evm)
{
	u256 x;
	TRY(stack_pop(evm, &x));
	TRY(charge_gas(evm, GAS_VERY_LOW));
	u256 result = u256_from_u64(u256_is_zero(&x) ? 1 : 0);
	TRY(stack_push(evm, &result));
	evm->pc += 1;
}
