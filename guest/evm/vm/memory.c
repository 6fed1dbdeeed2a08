/* EVM memory (execution-specs `vm/memory.py`). */
#include "memory.h"

void memory_extend(buf_t *memory, uint64_t expand_by)
{
	if (expand_by == 0)
		return;
	/* calculate_gas_extend_memory never prices memory beyond 2^31 bytes (gas.c). */
	size_t need = memory->len + (size_t)expand_by;
	if (need > memory->cap) {
		size_t cap = memory->cap ? memory->cap : 1024;
		while (cap < need)
			cap *= 2;
		uint8_t *p = rt_malloc(cap);
		if (!p)
			rt_panic("evm: out of memory (EVM memory)");
		if (memory->len)
			memcpy(p, memory->data, memory->len);
		rt_free(memory->data);
		memory->data = p;
		memory->cap = cap;
	}
	memset(memory->data + memory->len, 0, (size_t)expand_by);
	memory->len = need;
}

void memory_write(buf_t *memory, const u256 *start_position, const uint8_t *value, size_t len)
{
	if (len == 0)
		return;
	size_t start = (size_t)start_position->w[0];
	if (!u256_fits_u64(start_position) || start_position->w[0] > memory->len ||
	    len > memory->len - start)
		rt_panic("evm: memory_write outside expanded memory");
	memmove(memory->data + start, value, len);
}

bytes_t memory_read_bytes(const buf_t *memory, const u256 *start_position, const u256 *size)
{
	bytes_t out = {NULL, 0};
	if (u256_is_zero(size))
		return out;
	if (!u256_fits_u64(start_position) || !u256_fits_u64(size) ||
	    start_position->w[0] > memory->len || size->w[0] > memory->len - start_position->w[0])
		rt_panic("evm: memory_read_bytes outside expanded memory");
	out.len = (size_t)size->w[0];
	out.data = rt_malloc(out.len);
	if (!out.data)
		rt_panic("evm: out of memory");
	memcpy(out.data, memory->data + (size_t)start_position->w[0], out.len);
	return out;
}

void buffer_read(uint8_t *out, const uint8_t *buffer, size_t buffer_len,
		 const u256 *start_position, uint64_t size)
{
	uint64_t available = 0;
	if (u256_fits_u64(start_position) && start_position->w[0] < buffer_len)
		available = buffer_len - start_position->w[0];
	uint64_t n = available < size ? available : size;
	if (n)
		memcpy(out, buffer + (size_t)start_position->w[0], (size_t)n);
	if (size > n)
		memset(out + n, 0, (size_t)(size - n));
}
