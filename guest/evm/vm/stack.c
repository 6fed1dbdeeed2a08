/* The operand stack (execution-specs `vm/stack.py`): pop and push are defined inline in
 * stack.h; these are their external definitions (C11 6.7.4). */
#include "stack.h"

extern inline bool stack_pop(evm_t *evm, u256 *out);
extern inline bool stack_push(evm_t *evm, const u256 *value);
