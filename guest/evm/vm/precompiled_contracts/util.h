/* Small helpers shared by the precompiles of this folder (private: nothing outside
 * vm/precompiled_contracts/ includes this). */
#ifndef EVM_PRECOMPILE_UTIL_H
#define EVM_PRECOMPILE_UTIL_H

#include "../vm.h"

/* The spec's buffer_read(data, start, size) for a small fixed size: the bytes of `data` from
 * `start`, right-padded with zeros to `size`. `start` may lie past the end. */
static inline void buffer_read_into(const bytes_t *data, uint64_t start, size_t size,
				    uint8_t *out)
{
	memset(out, 0, size);
	if (start >= data->len)
		return;
	size_t avail = data->len - (size_t)start;
	memcpy(out, data->data + start, avail < size ? avail : size);
}

/* evm->output = a fresh rt_malloc'd copy of `len` bytes (a non-NULL buffer even when empty). */
static inline void set_output(evm_t *evm, const uint8_t *p, size_t len)
{
	uint8_t *copy = rt_malloc(len ? len : 1);
	if (len)
		memcpy(copy, p, len);
	evm->output.data = copy;
	evm->output.len = len;
}

/* The spec's `ceil32(len) // 32`, computed without overflowing size_t. */
static inline uint64_t word_count(size_t len) { return ((uint64_t)len + 31) / 32; }

#endif
