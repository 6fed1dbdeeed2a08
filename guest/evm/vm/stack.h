/* The operand stack (execution-specs `vm/stack.py`): at most STACK_LIMIT words, kept in the
 * Evm (evm->stack is a heap array of STACK_LIMIT u256, evm->stack_len the count).
 * The spec's `pop(stack)` / `push(stack, value)` are stack_pop / stack_push here (the
 * instruction modules' own `pop` is an opcode); both set evm->error and return false where the
 * spec raises. */
#ifndef EVM_VM_STACK_H
#define EVM_VM_STACK_H

#include "vm.h"

/* Inline: every instruction pops and pushes (stack.c holds the external definitions). */

/* Pops the top word into *out; StackUnderflowError when empty. */
inline bool stack_pop(evm_t *evm, u256 *out)
{
	if (evm->stack_len == 0) {
		evm->error = ERR_STACK_UNDERFLOW;
		return false;
	}
	evm->stack_len--;
	*out = evm->stack[evm->stack_len];
	return true;
}

/* Pushes a word; StackOverflowError when the stack already holds STACK_LIMIT words. */
inline bool stack_push(evm_t *evm, const u256 *value)
{
	if (evm->stack_len == STACK_LIMIT) {
		evm->error = ERR_STACK_OVERFLOW;
		return false;
	}
	evm->stack[evm->stack_len] = *value;
	evm->stack_len++;
	return true;
}

#endif
