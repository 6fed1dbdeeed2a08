/* Jump destination analysis (execution-specs `vm/runtime.py`). */
#include "instructions/instructions.h"

uint8_t *get_valid_jump_destinations(const uint8_t *code, size_t len)
{
	uint8_t *valid_jump_destinations = rt_calloc(len / 8 + 1, 1);
	if (!valid_jump_destinations)
		rt_panic("evm: out of memory (jump destinations)");
	size_t pc = 0;
	while (pc < len) {
		uint8_t current_opcode = code[pc];
		/* Bytes that are no opcode are skipped like any one-byte instruction: the
		 * interpreter raises InvalidOpcode if it reaches them. */
		if (current_opcode == OP_JUMPDEST) {
			valid_jump_destinations[pc / 8] |= (uint8_t)(1u << (pc % 8));
		} else if (current_opcode >= OP_PUSH1 && current_opcode <= OP_PUSH32) {
			/* skip the PUSH data */
			size_t push_data_size = current_opcode - OP_PUSH1 + 1;
			pc += push_data_size;
		}
		pc += 1;
	}
	return valid_jump_destinations;
}
