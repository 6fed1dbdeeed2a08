/* The operand stack (execution-specs `vm/stack.py`). */
#include "stack.h"

bool stack_pop(evm_t *evm, u256 *out)
{
	if (evm->stack_len == 0) {
		evm->error = ERR_STACK_UNDERFLOW;
		return false;
	}
	evm->stack_len--;
	*out = evm->stack[evm->stack_len];
	return true;
}

bool stack_push(evm_t *evm, const u256 *value)
{
	if (evm->stack_len == STACK_LIMIT) {
		evm->error = ERR_STACK_OVERFLOW;
		return false;
	}
	evm->stack[evm->stack_len] = *value;
	evm->stack_len++;
	return true;
}
