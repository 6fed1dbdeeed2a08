/* Gas constants and calculators (execution-specs `vm/gas.py`, Cancun).
 *
 * The spec's Uint is unbounded; here gas is uint64_t and every quantity that could pass 2^64
 * saturates to UINT64_MAX, which no gas_left can pay: the charge fails with OutOfGasError
 * exactly where the spec's would. Memory is priced exactly up to MAX_MEMORY_SIZE (2^31 bytes,
 * whose expansion alone costs about 2^43 gas, far above any block gas limit); a larger end
 * offset is priced UINT64_MAX. */
#include "gas.h"

#define MAX_MEMORY_SIZE (1ull << 31)

static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

extern inline bool charge_gas(evm_t *evm, uint64_t amount);

uint64_t calculate_memory_gas_cost(uint64_t size_in_bytes)
{
	uint64_t size_in_words = size_in_bytes / 32 + (size_in_bytes % 32 != 0);
	if (size_in_words >= (1ull << 32))
		return UINT64_MAX;
	uint64_t linear_cost = size_in_words * GAS_MEMORY;
	uint64_t quadratic_cost = size_in_words * size_in_words / 512;
	return linear_cost + quadratic_cost;
}

extend_memory_t calculate_gas_extend_memory(const buf_t *memory, const u256 *starts,
					    const u256 *sizes, size_t count)
{
	extend_memory_t out = {0, 0};
	uint64_t current_size = memory->len;
	for (size_t i = 0; i < count; i++) {
		if (u256_is_zero(&sizes[i]))
			continue;
		if (!u256_fits_u64(&starts[i]) || !u256_fits_u64(&sizes[i]) ||
		    starts[i].w[0] > MAX_MEMORY_SIZE || sizes[i].w[0] > MAX_MEMORY_SIZE ||
		    starts[i].w[0] + sizes[i].w[0] > MAX_MEMORY_SIZE) {
			out.cost = UINT64_MAX;
			out.expand_by = 0;
			return out;
		}
		uint64_t before_size = (current_size + 31) / 32 * 32;
		uint64_t after_size = (starts[i].w[0] + sizes[i].w[0] + 31) / 32 * 32;
		if (after_size <= before_size)
			continue;
		out.expand_by += after_size - before_size;
		uint64_t already_paid = calculate_memory_gas_cost(before_size);
		uint64_t total_cost = calculate_memory_gas_cost(after_size);
		out.cost += total_cost - already_paid;
		current_size = after_size;
	}
	return out;
}

message_call_gas_t calculate_message_call_gas(const u256 *value, uint64_t gas,
					      uint64_t gas_left, uint64_t memory_cost,
					      uint64_t extra_gas, uint64_t call_stipend)
{
	message_call_gas_t out;
	if (u256_is_zero(value))
		call_stipend = 0;
	if (gas_left < add_sat(extra_gas, memory_cost)) {
		out.cost = add_sat(gas, extra_gas);
		out.sub_call = add_sat(gas, call_stipend);
		return out;
	}
	uint64_t cap = max_message_call_gas(gas_left - memory_cost - extra_gas);
	if (gas > cap)
		gas = cap;
	out.cost = gas + extra_gas;
	out.sub_call = gas + call_stipend;
	return out;
}

uint64_t max_message_call_gas(uint64_t gas) { return gas - gas / 64; }

uint64_t init_code_cost(uint64_t init_code_length)
{
	uint64_t words = init_code_length / 32 + (init_code_length % 32 != 0);
	return words > UINT64_MAX / GAS_INIT_CODE_WORD_COST ? UINT64_MAX
							     : GAS_INIT_CODE_WORD_COST * words;
}

uint64_t calculate_excess_blob_gas(const header_t *parent)
{
	uint64_t parent_blob_gas = parent->excess_blob_gas + parent->blob_gas_used;
	if (parent_blob_gas < TARGET_BLOB_GAS_PER_BLOCK)
		return 0;
	return parent_blob_gas - TARGET_BLOB_GAS_PER_BLOCK;
}

uint64_t calculate_total_blob_gas(size_t blob_count) { return GAS_PER_BLOB * (uint64_t)blob_count; }

/* ethereum.utils.numeric.taylor_exponential(factor, numerator, denominator): approximates
 * factor * e ** (numerator / denominator) with integer arithmetic. The running sum is about
 * `denominator` times the result, so it needs more than 256 bits: it is kept in 384 bits of
 * 32-bit limbs. A result beyond 2^256 - 1 (an excess blob gas of ~590 M, more than 1500 blocks
 * of full blobs) saturates there, where the spec's U256() would raise. */
#define WIDE_LIMBS 12

typedef struct {
	uint32_t l[WIDE_LIMBS]; /* least significant first */
} wide_t;

static bool wide_is_zero(const wide_t *a)
{
	for (int i = 0; i < WIDE_LIMBS; i++)
		if (a->l[i])
			return false;
	return true;
}

static void wide_add(wide_t *a, const wide_t *b)
{
	uint64_t carry = 0;
	for (int i = 0; i < WIDE_LIMBS; i++) {
		uint64_t t = (uint64_t)a->l[i] + b->l[i] + carry;
		a->l[i] = (uint32_t)t;
		carry = t >> 32;
	}
}

static void wide_mul_u32(wide_t *a, uint32_t m)
{
	uint64_t carry = 0;
	for (int i = 0; i < WIDE_LIMBS; i++) {
		uint64_t t = (uint64_t)a->l[i] * m + carry;
		a->l[i] = (uint32_t)t;
		carry = t >> 32;
	}
}

/* a = floor(a / d) */
static void wide_div_u32(wide_t *a, uint32_t d)
{
	uint64_t rem = 0;
	for (int i = WIDE_LIMBS - 1; i >= 0; i--) {
		uint64_t cur = rem << 32 | a->l[i];
		a->l[i] = (uint32_t)(cur / d);
		rem = cur % d;
	}
}

/* a *= m for a 64-bit m: a * m_lo + (a * m_hi) << 32 */
static void wide_mul_u64(wide_t *a, uint64_t m)
{
	wide_t high = *a;
	wide_mul_u32(a, (uint32_t)m);
	wide_mul_u32(&high, (uint32_t)(m >> 32));
	wide_t shifted = {{0}};
	for (int i = 1; i < WIDE_LIMBS; i++)
		shifted.l[i] = high.l[i - 1];
	wide_add(a, &shifted);
}

static wide_t wide_from_u64(uint64_t v)
{
	wide_t w = {{0}};
	w.l[0] = (uint32_t)v;
	w.l[1] = (uint32_t)(v >> 32);
	return w;
}

static u256 taylor_exponential(uint64_t factor, uint64_t numerator, uint32_t denominator)
{
	u256 max = u256_not(&(u256){{0, 0, 0, 0}});
	wide_t output = {{0}};
	wide_t numerator_accumulated = wide_from_u64(factor);
	wide_mul_u32(&numerator_accumulated, denominator);
	uint64_t i = 1;
	while (!wide_is_zero(&numerator_accumulated)) {
		wide_add(&output, &numerator_accumulated);
		/* output >= 2^288 means a result >= 2^288 / 2^22: saturated. Below that, the
		 * next term (at most output * numerator / denominator) fits in 384 bits. */
		if (output.l[9] | output.l[10] | output.l[11])
			return max;
		wide_mul_u64(&numerator_accumulated, numerator);
		/* // (denominator * i), as floor(floor(x / denominator) / i); i stays far below
		 * 2^32 (the terms vanish after about e * numerator / denominator steps). */
		wide_div_u32(&numerator_accumulated, denominator);
		if (i > UINT32_MAX)
			return max; /* unreachable: see above */
		wide_div_u32(&numerator_accumulated, (uint32_t)i);
		i++;
	}
	wide_div_u32(&output, denominator);
	for (int k = 8; k < WIDE_LIMBS; k++)
		if (output.l[k])
			return max;
	u256 result;
	for (int k = 0; k < 4; k++)
		result.w[k] = (uint64_t)output.l[2 * k + 1] << 32 | output.l[2 * k];
	return result;
}

u256 calculate_blob_gas_price(uint64_t excess_blob_gas)
{
	return taylor_exponential(MIN_BLOB_GASPRICE, excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION);
}

u256 calculate_data_fee(uint64_t excess_blob_gas, size_t blob_count)
{
	u256 total = u256_from_u64(calculate_total_blob_gas(blob_count));
	u256 price = calculate_blob_gas_price(excess_blob_gas);
	return u256_mul(&total, &price);
}
