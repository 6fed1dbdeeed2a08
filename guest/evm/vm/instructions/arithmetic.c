/* Arithmetic instructions (execution-specs `vm/instructions/arithmetic.py`). The modular and
 * signed arithmetic itself is u256.c's (EVM semantics: x / 0 = 0, SDIV's -2^255 / -1). */
#include "instructions.h"

/* Two operands, one result: the shape of every binary instruction here. The operands are
 * read in place (x = pop, y = pop) and `operation` writes the result (push) into y's slot. */
#define BINARY_OP(name, gas, operation)                                                    \
	void name(evm_t *evm)                                                              \
	{                                                                                  \
		TRY(stack_need(evm, 2));                                                   \
		u256 *x = stack_slot(evm, 0), *y = stack_slot(evm, 1);                     \
		TRY(charge_gas(evm, gas));                                                 \
		operation;                                                                 \
		stack_drop(evm, 1);                                                        \
		evm->pc += 1;                                                              \
	}

/* ADD: x + y mod 2^256 */
BINARY_OP(op_add, GAS_VERY_LOW, u256_add_to(y, x, y))
/* SUB: x - y mod 2^256 */
BINARY_OP(op_sub, GAS_VERY_LOW, u256_sub_to(y, x, y))
/* MUL: x * y mod 2^256 */
BINARY_OP(op_mul, GAS_LOW, u256_mul_to(y, x, y))
/* DIV: dividend // divisor, 0 when divisor is 0 */
BINARY_OP(op_div, GAS_LOW, *y = u256_div(x, y))
/* SDIV: signed quotient rounded toward zero; -2^255 / -1 = -2^255; 0 when divisor is 0 */
BINARY_OP(op_sdiv, GAS_LOW, *y = u256_sdiv(x, y))
/* MOD: x % y, 0 when y is 0 */
BINARY_OP(op_mod, GAS_LOW, *y = u256_mod(x, y))
/* SMOD: sign(x) * (|x| % |y|), 0 when y is 0 */
BINARY_OP(op_smod, GAS_LOW, *y = u256_smod(x, y))

/* ADDMOD: (x + y) % z over the integers (no wrap at 2^256), 0 when z is 0 */
void op_addmod(evm_t *evm)
{
	u256 x, y, z;
	TRY(stack_pop(evm, &x));
	TRY(stack_pop(evm, &y));
	TRY(stack_pop(evm, &z));
	TRY(charge_gas(evm, GAS_MID));
	u256 result = u256_addmod(&x, &y, &z);
	TRY(stack_push(evm, &result));
	evm->pc += 1;
}

/* MULMOD: (x * y) % z over the integers, 0 when z is 0 */
void op_mulmod(evm_t *evm)
{
	u256 x, y, z;
	TRY(stack_pop(evm, &x));
	TRY(stack_pop(evm, &y));
	TRY(stack_pop(evm, &z));
	TRY(charge_gas(evm, GAS_MID));
	u256 result = u256_mulmod(&x, &y, &z);
	TRY(stack_push(evm, &result));
	evm->pc += 1;
}

/* EXP: base ** exponent mod 2^256; gas grows with the exponent's byte length */
void op_exp(evm_t *evm)
{
	u256 base, exponent;
	TRY(stack_pop(evm, &base));
	TRY(stack_pop(evm, &exponent));
	uint64_t exponent_bits = u256_bit_length(&exponent);
	uint64_t exponent_bytes = (exponent_bits + 7) / 8;
	TRY(charge_gas(evm, GAS_EXPONENTIATION + GAS_EXPONENTIATION_PER_BYTE * exponent_bytes));
	u256 result = u256_exp(&base, &exponent);
	TRY(stack_push(evm, &result));
	evm->pc += 1;
}

/* SIGNEXTEND: extend the sign bit of byte `byte_num` (0 = least significant) upwards */
BINARY_OP(op_signextend, GAS_LOW, *y = u256_signextend(x, y))
