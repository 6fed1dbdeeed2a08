/* Precompiled contract addresses and dispatch (execution-specs
 * `vm/precompiled_contracts/__init__.py` and `mapping.py`): 0x01..0x0a for Cancun. */
#include "precompiled_contracts.h"

/* The address 0x00..00XX with XX in 1..10, or 0 when `a` is no precompile. */
static unsigned precompile_index(const address_t *a)
{
	for (int i = 0; i < 19; i++)
		if (a->b[i] != 0)
			return 0;
	unsigned low = a->b[19];
	return low >= 0x01 && low <= 0x0a ? low : 0;
}

bool is_precompile(const address_t *a) { return precompile_index(a) != 0; }

void run_precompile(evm_t *evm, const address_t *a)
{
	switch (precompile_index(a)) {
	case 0x01: ecrecover(evm); break;
	case 0x02: sha256_precompile(evm); break;
	case 0x03: ripemd160(evm); break;
	case 0x04: identity(evm); break;
	case 0x05: modexp(evm); break;
	case 0x06: alt_bn128_add(evm); break;
	case 0x07: alt_bn128_mul(evm); break;
	case 0x08: alt_bn128_pairing_check(evm); break;
	case 0x09: blake2f(evm); break;
	case 0x0a: point_evaluation(evm); break;
	default: break; /* not a precompile: callers check is_precompile first */
	}
}
