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

bool charge_gas(evm_t *evm, uint64_t amount)
{
	if (evm->gas_left < amount) {
		evm->error = ERR_OUT_OF_GAS;
		return false;
	}
	evm->gas_left -= amount;
	return true;
}

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
 * factor * e ** (numerator / denominator) with integer arithmetic. A price beyond 2^256 (an
 * excess blob gas no chain reaches) saturates at 2^256 - 1. */
static u256 taylor_exponential(uint64_t factor, uint64_t numerator, uint64_t denominator)
{
	u256 output = u256_zero();
	u256 num = u256_from_u64(numerator);
	u256 numerator_accumulated = u256_from_u64(factor * denominator);
	uint64_t i = 1;
	u256 max = u256_not(&output);
	while (!u256_is_zero(&numerator_accumulated)) {
		u256 next = u256_add(&output, &numerator_accumulated);
		if (u256_lt(&next, &output))
			return max;
		output = next;
		uint64_t product[8];
		u256_mul_full(&numerator_accumulated, &num, product);
		if (product[4] | product[5] | product[6] | product[7])
			return max;
		u256 p = {{product[0], product[1], product[2], product[3]}};
		/* denominator < 2^22 and i stays small: the terms fall to zero after about
		 * e * numerator / denominator steps, and numerator / denominator is at most
		 * ~177 before the output saturates (e^177 ~ 2^256). */
		u256 d = u256_from_u64(denominator * i);
		numerator_accumulated = u256_div(&p, &d);
		i++;
	}
	u256 den = u256_from_u64(denominator);
	return u256_div(&output, &den);
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
