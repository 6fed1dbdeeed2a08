/* Bitwise instructions (execution-specs `vm/instructions/bitwise.py`). */
#include "instructions.h"

#define BITWISE_OP(name, first, second, expr)                                              \
	void name(evm_t *evm)                                                              \
	{                                                                                  \
		u256 first, second;                                                        \
		TRY(stack_pop(evm, &first));                                               \
		TRY(stack_pop(evm, &second));                                              \
		TRY(charge_gas(evm, GAS_VERY_LOW));                                        \
		u256 result = expr;                                                        \
		TRY(stack_push(evm, &result));                                             \
		evm->pc += 1;                                                              \
	}

/* AND, OR, XOR */
BITWISE_OP(op_bitwise_and, x, y, u256_and(&x, &y))
BITWISE_OP(op_bitwise_or, x, y, u256_or(&x, &y))
BITWISE_OP(op_bitwise_xor, x, y, u256_xor(&x, &y))
/* BYTE: byte `byte_index` of `word` counted from the most significant; 0 past 31 */
BITWISE_OP(op_get_byte, byte_index, word, u256_byte(&byte_index, &word))
/* SHL: value << shift, 0 for shift >= 256 */
BITWISE_OP(op_bitwise_shl, shift, value, u256_shl(&shift, &value))
/* SHR: value >> shift (logical), 0 for shift >= 256 */
BITWISE_OP(op_bitwise_shr, shift, value, u256_shr(&shift, &value))
/* SAR: arithmetic shift; for shift >= 256, 0 or -1 by the sign */
BITWISE_OP(op_bitwise_sar, shift, signed_value, u256_sar(&shift, &signed_value))

/* NOT */
void op_bitwise_not(evm_t *evm)
{
	u256 x;
	TRY(stack_pop(evm, &x));
	TRY(charge_gas(evm, GAS_VERY_LOW));
	u256 result = u256_not(&x);
	TRY(stack_push(evm, &result));
	evm->pc += 1;
}
