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

/* In place: an instruction that pops n words and pushes at most n back works on the stack's
 * own slots instead of copying words out and in. stack_need(evm, n) is the spec's n pops,
 * checked at once (StackUnderflowError when fewer than n words; the pops come first in every
 * such instruction, so the error is the spec's); stack_slot(evm, i) is the word the (i+1)-th
 * pop would return (0 = top); stack_drop(evm, k) removes k words once the result is written
 * into the slot that the push would fill (a dropped word stays readable in its slot until the
 * next push). Such an instruction can never overflow. */
static inline bool stack_need(evm_t *evm, uint32_t n)
{
	if (evm->stack_len < n) {
		evm->error = ERR_STACK_UNDERFLOW;
		return false;
	}
	return true;
}

static inline u256 *stack_slot(evm_t *evm, uint32_t i) { return &evm->stack[evm->stack_len - 1 - i]; }

static inline void stack_drop(evm_t *evm, uint32_t k) { evm->stack_len -= k; }

/* push(stack, value) with the value written straight into its slot: the new top slot, or
 * NULL with StackOverflowError when the stack already holds STACK_LIMIT words. */
static inline u256 *stack_push_slot(evm_t *evm)
{
	if (evm->stack_len == STACK_LIMIT) {
		evm->error = ERR_STACK_OVERFLOW;
		return NULL;
	}
	return &evm->stack[evm->stack_len++];
}

#endif
