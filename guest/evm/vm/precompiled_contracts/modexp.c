/* MODEXP (0x05), execution-specs `precompiled_contracts/modexp.py` (EIP-198 with EIP-2565
 * gas): base^exp mod modulus for arbitrary-size operands, output as long as the modulus.
 *
 * Input: base_length(32) ‖ exp_length(32) ‖ modulus_length(32) ‖ base ‖ exp ‖ modulus, each
 * read with zero right-padding. The declared lengths are 256-bit numbers that may be far
 * larger than the input; the spec prices them before reading anything but the exponent's
 * first 32 bytes, so every quantity below is computed exactly (or known to exceed 2^64,
 * which no call can pay) before any allocation. */
#include "../gas.h"
#include "bignum.h"
#include "precompiled_contracts.h"
#include "util.h"

#define GQUADDIVISOR 3
#define MODEXP_MIN_GAS 200

/* A 256-bit scratch number for the gas formula: 8 little-endian 32-bit limbs. */
typedef struct {
	uint32_t l[8];
} wide_t;

static wide_t wide_from_u64(uint64_t v)
{
	wide_t r = {{(uint32_t)v, (uint32_t)(v >> 32), 0, 0, 0, 0, 0, 0}};
	return r;
}

static wide_t wide_mul(const wide_t *a, const wide_t *b) /* mod 2^256; callers stay below */
{
	wide_t r = {{0}};
	for (int i = 0; i < 8; i++) {
		uint64_t c = 0;
		for (int j = 0; i + j < 8; j++) {
			uint64_t s = (uint64_t)a->l[i] * b->l[j] + r.l[i + j] + c;
			r.l[i + j] = (uint32_t)s;
			c = s >> 32;
		}
	}
	return r;
}

static wide_t wide_add_u64(const wide_t *a, uint64_t v)
{
	wide_t r = *a;
	uint64_t c = v;
	for (int i = 0; i < 8 && c; i++) {
		uint64_t s = (uint64_t)r.l[i] + (uint32_t)c;
		r.l[i] = (uint32_t)s;
		c = (c >> 32) + (s >> 32);
	}
	return r;
}

static wide_t wide_div_small(const wide_t *a, uint32_t d)
{
	wide_t r;
	uint64_t rest = 0;
	for (int i = 7; i >= 0; i--) {
		uint64_t cur = (rest << 32) | a->l[i];
		r.l[i] = (uint32_t)(cur / d);
		rest = cur % d;
	}
	return r;
}

/* The value if it fits in 64 bits. */
static bool wide_to_u64(const wide_t *a, uint64_t *out)
{
	for (int i = 2; i < 8; i++)
		if (a->l[i])
			return false;
	*out = (uint64_t)a->l[1] << 32 | a->l[0];
	return true;
}

/* A 32-byte big-endian length: its value if it fits in 64 bits. */
static bool length_u64(const uint8_t be[32], uint64_t *out)
{
	for (int i = 0; i < 24; i++)
		if (be[i])
			return false;
	uint64_t v = 0;
	for (int i = 24; i < 32; i++)
		v = v << 8 | be[i];
	*out = v;
	return true;
}

static unsigned bit_length_be(const uint8_t *be, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (be[i]) {
			unsigned bits = 8;
			while (!(be[i] >> (bits - 1)))
				bits--;
			return (unsigned)(8 * (n - 1 - i)) + bits;
		}
	}
	return 0;
}

/* The spec's buffer_read with 64-bit offsets into a fresh buffer of `size` bytes. */
static uint8_t *read_padded(const bytes_t *data, uint64_t start, size_t size)
{
	uint8_t *out = rt_malloc(size ? size : 1);
	memset(out, 0, size);
	if (start < data->len) {
		uint64_t avail = data->len - start;
		memcpy(out, data->data + start, avail < size ? (size_t)avail : size);
	}
	return out;
}

/* gas_cost(base_length, modulus_length, exponent_length, exponent_head); false when it is
 * at least 2^64, i.e. more than any gas_left. `*_big` lengths are >= 2^64. */
static bool gas_cost(uint64_t base_length, bool base_big, uint64_t modulus_length,
		     bool modulus_big, uint64_t exp_length, bool exp_big, const uint8_t head[32],
		     uint64_t *cost)
{
	/* complexity = ceil(max(base_length, modulus_length) / 8)^2 */
	if (base_big || modulus_big)
		return false; /* >= (2^61)^2 / 3 even with one iteration */
	uint64_t max_length = base_length > modulus_length ? base_length : modulus_length;
	wide_t words = wide_from_u64(max_length / 8 + (max_length % 8 != 0));
	wide_t complexity = wide_mul(&words, &words);

	/* iterations, from the exponent's length and its first (up to) 32 bytes */
	unsigned head_bits = bit_length_be(head, 32);
	unsigned head_part = head_bits > 0 ? head_bits - 1 : 0;
	wide_t count;
	if (!exp_big && exp_length <= 32) {
		count = wide_from_u64(head_part);
	} else if (exp_big) {
		if (max_length == 0) { /* complexity 0: the cost is the minimum */
			*cost = MODEXP_MIN_GAS;
			return true;
		}
		return false; /* 8 · (2^64 - 32) iterations at least */
	} else {
		wide_t length_part = wide_from_u64(exp_length - 32);
		wide_t eight = wide_from_u64(8);
		count = wide_mul(&length_part, &eight);
		count = wide_add_u64(&count, head_part);
	}
	uint64_t small;
	if (wide_to_u64(&count, &small) && small == 0)
		count = wide_from_u64(1);
	wide_t product = wide_mul(&complexity, &count); /* < 2^122 · 2^68: no wrap */
	wide_t total = wide_div_small(&product, GQUADDIVISOR);
	if (!wide_to_u64(&total, cost))
		return false;
	if (*cost < MODEXP_MIN_GAS)
		*cost = MODEXP_MIN_GAS;
	return true;
}

void modexp(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;

	/* GAS */
	uint8_t lengths[96];
	buffer_read_into(data, 0, sizeof lengths, lengths);
	uint64_t base_length = 0, exp_length = 0, modulus_length = 0;
	bool base_big = !length_u64(lengths, &base_length);
	bool exp_big = !length_u64(lengths + 32, &exp_length);
	bool modulus_big = !length_u64(lengths + 64, &modulus_length);

	/* exp_head = the first min(32, exp_length) bytes at exp_start = 96 + base_length */
	uint8_t head[32] = {0};
	size_t head_size = (exp_big || exp_length > 32) ? 32 : (size_t)exp_length;
	if (!base_big && base_length <= UINT64_MAX - 96)
		buffer_read_into(data, 96 + base_length, head_size, head + 32 - head_size);
	/* (base_length beyond 2^64 - 96 overflows the spec's U256 sum; its gas is unpayable.) */

	uint64_t cost;
	if (!gas_cost(base_length, base_big, modulus_length, modulus_big, exp_length, exp_big,
		      head, &cost)) {
		evm->error = ERR_OUT_OF_GAS;
		return;
	}
	if (!charge_gas(evm, cost))
		return;

	/* OPERATION */
	if (base_length == 0 && modulus_length == 0) {
		set_output(evm, NULL, 0);
		return;
	}
	/* Paid for, so complexity >= 1: base and modulus lengths are below 2^35 and the exponent's
	 * below 2^63 (no sum below overflows). Base and modulus must also fit this machine's
	 * memory (a 32-bit size_t), which any realistic gas limit guarantees. */
	if (base_length > 0x7fffffff || modulus_length > 0x7fffffff)
		fatal_undecodable("modexp: operands larger than the address space");
	uint64_t exp_start = 96 + base_length;
	uint64_t modulus_start = exp_start + exp_length;
	uint8_t *modulus = read_padded(data, modulus_start, (size_t)modulus_length);
	uint8_t *out = rt_malloc(modulus_length ? (size_t)modulus_length : 1);
	memset(out, 0, (size_t)modulus_length);
	if (bit_length_be(modulus, (size_t)modulus_length) > 0) {
		uint8_t *base = read_padded(data, 96, (size_t)base_length);
		/* A non-zero modulus starts inside the input, so the whole exponent before it does:
		 * a huge declared exponent length never reaches here with real work to do. */
		bn_modexp(base, (size_t)base_length, data->data + exp_start, (size_t)exp_length,
			  modulus, (size_t)modulus_length, out);
		rt_free(base);
	}
	rt_free(modulus);
	evm->output.data = out;
	evm->output.len = (size_t)modulus_length;
}
