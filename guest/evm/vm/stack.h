/* The operand stack (execution-specs `vm/stack.py`): at most STACK_LIMIT words, kept in the
 * Evm (evm->stack is a heap array of STACK_LIMIT u256, evm->stack_len the count).
 * The spec's `pop(stack)` / `push(stack, value)` are stack_pop / stack_push here (the
 * instruction modules' own `pop` is an opcode); both set evm->error and return false where the
 * spec raises. */
#ifndef EVM_VM_STACK_H
#define EVM_VM_STACK_H

#include "vm.h"

/* Pops the top word into *out; StackUnderflowError when empty. */
bool stack_pop(evm_t *evm, u256 *out);
/* Pushes a word; StackOverflowError when the stack already holds STACK_LIMIT words. */
bool stack_push(evm_t *evm, const u256 *value);

#endif
