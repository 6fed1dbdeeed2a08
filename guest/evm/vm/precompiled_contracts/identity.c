/* IDENTITY (0x04), execution-specs `precompiled_contracts/identity.py`: the input, unchanged. */
#include "../gas.h"
#include "precompiled_contracts.h"
#include "util.h"

void identity(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;

	/* GAS */
	if (!charge_gas(evm, GAS_IDENTITY + GAS_IDENTITY_WORD * word_count(data->len)))
		return;

	/* OPERATION */
	set_output(evm, data->data, data->len);
}
