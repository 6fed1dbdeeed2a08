/* Bitwise instructions (execution-specs `vm/instructions/bitwise.py`). */
#include "instructions.h"

/* first = pop, second = pop, read in place; the result (push) replaces second's slot. */
#define BITWISE_OP(name, first, second, expr)                                              \
	void name(evm_t *evm)                                                              \
	{                                                                                  \
		TRY(stack_need(evm, 2));                                                   \
		u256 *first = stack_slot(evm, 0), *second = stack_slot(evm, 1);            \
		TRY(charge_gas(evm, GAS_VERY_LOW));                                        \
		*second = expr;                                                            \
		stack_drop(evm, 1);                                                        \
		evm->pc += 1;                                                              \
	}

/* AND, OR, XOR */
BITWISE_OP(op_bitwise_and, x, y, u256_and(x, y))
BITWISE_OP(op_bitwise_or, x, y, u256_or(x, y))
BITWISE_OP(op_bitwise_xor, x, y, u256_xor(x, y))
/* BYTE: byte `byte_index` of `word` counted from the most significant; 0 past 31 */
BITWISE_OP(op_get_byte, byte_index, word, u256_byte(byte_index, word))
/* SHL: value << shift, 0 for shift >= 256 */
BITWISE_OP(op_bitwise_shl, shift, value, u256_shl(shift, value))
/* SHR: value >> shift (logical), 0 for shift >= 256 */
BITWISE_OP(op_bitwise_shr, shift, value, u256_shr(shift, value))
/* SAR: arithmetic shift; for shift >= 256, 0 or -1 by the sign */
BITWISE_OP(op_bitwise_sar, shift, signed_value, u256_sar(shift, signed_value))

/* NOT: x = pop, in place; the result replaces it */
void op_bitwise_not(evm_t *evm)
{
	TRY(stack_need(evm, 1));
	u256 *x = stack_slot(evm, 0);
	TRY(charge_gas(evm, GAS_VERY_LOW));
	*x = u256_not(x);
	evm->pc += 1;
}
