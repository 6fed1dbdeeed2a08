/* SHA256 (0x02), execution-specs `precompiled_contracts/sha256.py`: the SHA-256 digest of
 * the input (guest/lib's sha256()). */
#include "../gas.h"
#include "hash.h"
#include "precompiled_contracts.h"
#include "util.h"

void sha256_precompile(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;

	/* GAS */
	if (!charge_gas(evm, GAS_SHA256 + GAS_SHA256_WORD * word_count(data->len)))
		return;

	/* OPERATION */
	uint8_t digest[32];
	sha256(data->data, data->len, digest);
	set_output(evm, digest, 32);
}
