/* ECRECOVER (0x01), execution-specs `precompiled_contracts/ecrecover.py`: the address that
 * signed a message hash, as 32 bytes (12 zero bytes ‖ address), or no output at all when
 * the signature values are out of range or no key can be recovered.
 *
 * As op-program's accelerated precompile (fault-proof-program.md §3), the recovery itself is
 * answered by the preimage oracle: the guest pads the input to 128 bytes, rejects bad
 * (v, r, s) without asking, and sends the padded input. secp256k1 recovery in the guest
 * would cost millions of VM steps per call; the oracle's answer is checked on chain by
 * running the real precompile (PreimageOracle.loadPrecompilePreimagePart). */
#include "../../oracle.h"
#include "../gas.h"
#include "precompiled_contracts.h"
#include "util.h"

#define ECRECOVER_INPUT_LENGTH 128

/* The order of secp256k1's group (ethereum.crypto.elliptic_curve.SECP256K1N), big-endian. */
static const uint8_t SECP256K1N[32] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
	0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* 0 < x < SECP256K1N for a 32-byte big-endian x. */
static bool in_signature_range(const uint8_t x[32])
{
	return !all_zero(x, 32) && memcmp(x, SECP256K1N, 32) < 0;
}

void ecrecover(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;

	/* GAS */
	if (!charge_gas(evm, GAS_ECRECOVER))
		return;

	/* OPERATION: message_hash = input[0:32], v = [32:64], r = [64:96], s = [96:128]. */
	uint8_t input[ECRECOVER_INPUT_LENGTH];
	buffer_read_into(data, 0, ECRECOVER_INPUT_LENGTH, input);
	const uint8_t *v = input + 32, *r = input + 64, *s = input + 96;
	if (!all_zero(v, 31) || (v[31] != 27 && v[31] != 28))
		return;
	if (!in_signature_range(r) || !in_signature_range(s))
		return;

	bytes_t result = {0, 0};
	if (!oracle_precompile(0x01, GAS_ECRECOVER, input, ECRECOVER_INPUT_LENGTH, &result)) {
		/* The real precompile never fails here; op-program treats it as an error too. */
		rt_free(result.data);
		evm->error = ERR_INVALID_PARAMETER;
		return;
	}
	if (result.len == 0) { /* no key recovered: empty output, as the spec's early return */
		rt_free(result.data);
		return;
	}
	if (result.len != 32 || !all_zero(result.data, 12))
		fatal_undecodable("ecrecover: the oracle's result is not a 32-byte padded address");
	evm->output = result;
}
