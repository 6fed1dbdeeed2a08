/* EVM memory (execution-specs `vm/memory.py`): a byte array that only grows, in whole
 * 32-byte words, after calculate_gas_extend_memory priced the growth and charge_gas took it.
 *
 * Every offset handed to these functions has been through that expansion, so a non-empty
 * range always lies inside evm->memory (and so fits in size_t); an empty range may start
 * anywhere, even beyond 2^64, and touches nothing. */
#ifndef EVM_VM_MEMORY_H
#define EVM_VM_MEMORY_H

#include "vm.h"

/* The spec's `evm.memory += b"\x00" * expand_by`. */
void memory_extend(buf_t *memory, uint64_t expand_by);
/* memory[start : start + len] = value */
void memory_write(buf_t *memory, const u256 *start_position, const uint8_t *value, size_t len);
/* A copy of memory[start : start + size] (rt_malloc'd; {NULL, 0} when size is 0). */
bytes_t memory_read_bytes(const buf_t *memory, const u256 *start_position, const u256 *size);
/* right_pad_zero_bytes(buffer[start : start + size], size), written to `out` (size bytes):
 * the part of the buffer from `start`, zeros past its end. Used for calldata, code and PUSH
 * immediates, where reading past the end is allowed. */
void buffer_read(uint8_t *out, const uint8_t *buffer, size_t buffer_len,
		 const u256 *start_position, uint64_t size);

#endif
