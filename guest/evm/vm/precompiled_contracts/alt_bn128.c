/* ALT_BN128 precompiles (EIP-196/197 with EIP-1108 gas), execution-specs
 * `precompiled_contracts/alt_bn128.py`:
 *   0x06 alt_bn128_add   P0 + P1 (150 gas)          guest (bn254.c)
 *   0x07 alt_bn128_mul   n·P0 (6000 gas)             guest (bn254.c)
 *   0x08 pairing check   45000 + 34000 per pair      preimage oracle
 * Every malformed point (a coordinate >= p, not on the curve) is the spec's OutOfGasError,
 * which consumes all gas passed to the call. Inputs shorter than the fixed layout are
 * right-padded with zeros and longer ones truncated (the spec's buffer_read).
 *
 * The pairing is op-program's accelerated precompile (fault-proof-program.md §3): the guest
 * checks the length and charges the gas, the oracle answers, and only 32-byte 0 or 1 is an
 * acceptable answer. An optimal-ate pairing over Fp12 in the guest would cost tens of
 * millions of VM steps per pair. */
#include "../../oracle.h"
#include "bn254.h"
#include "../gas.h"
#include "precompiled_contracts.h"
#include "util.h"

#define GAS_ALT_BN128_ADD 150
#define GAS_ALT_BN128_MUL 6000
#define GAS_ALT_BN128_PAIRING_BASE 45000
#define GAS_ALT_BN128_PAIRING_PER_PAIR 34000
#define ALT_BN128_PAIR_LENGTH 192

void alt_bn128_add(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;

	/* GAS */
	if (!charge_gas(evm, GAS_ALT_BN128_ADD))
		return;

	/* OPERATION */
	uint8_t input[128];
	buffer_read_into(data, 0, sizeof input, input);
	g1_t p0, p1, sum;
	if (!g1_from_bytes(&p0, input) || !g1_from_bytes(&p1, input + 64)) {
		evm->error = ERR_OUT_OF_GAS;
		return;
	}
	g1_add(&sum, &p0, &p1);
	uint8_t out[64];
	g1_to_bytes(out, &sum);
	set_output(evm, out, sizeof out);
}

void alt_bn128_mul(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;

	/* GAS */
	if (!charge_gas(evm, GAS_ALT_BN128_MUL))
		return;

	/* OPERATION */
	uint8_t input[96];
	buffer_read_into(data, 0, sizeof input, input);
	g1_t p0, product;
	if (!g1_from_bytes(&p0, input)) {
		evm->error = ERR_OUT_OF_GAS;
		return;
	}
	g1_mul(&product, &p0, input + 64);
	uint8_t out[64];
	g1_to_bytes(out, &product);
	set_output(evm, out, sizeof out);
}

void alt_bn128_pairing_check(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;
	uint64_t pairs = (uint64_t)data->len / ALT_BN128_PAIR_LENGTH;
	uint64_t gas = GAS_ALT_BN128_PAIRING_PER_PAIR * pairs + GAS_ALT_BN128_PAIRING_BASE;

	/* GAS */
	if (!charge_gas(evm, gas))
		return;

	/* OPERATION. (Granite's 112687-byte input cap is OP-specific: Cancun L1 has none.) */
	if (data->len % ALT_BN128_PAIR_LENGTH != 0) {
		evm->error = ERR_OUT_OF_GAS;
		return;
	}
	bytes_t result = {0, 0};
	if (!oracle_precompile(0x08, gas, data->data, data->len, &result)) {
		/* Invalid points or points outside the subgroup: the spec's OutOfGasError. */
		rt_free(result.data);
		evm->error = ERR_OUT_OF_GAS;
		return;
	}
	static const uint8_t zero[31] = {0};
	if (result.len != 32 || memcmp(result.data, zero, 31) != 0 || result.data[31] > 1)
		fatal_undecodable("pairing check: the oracle's result is not 32-byte 0 or 1");
	evm->output = result;
}
