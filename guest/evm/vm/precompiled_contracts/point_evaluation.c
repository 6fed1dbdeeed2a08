/* POINT_EVALUATION (0x0a), execution-specs `precompiled_contracts/point_evaluation.py`
 * (EIP-4844): checks a KZG proof that the blob behind `commitment` evaluates to y at z, and
 * returns FIELD_ELEMENTS_PER_BLOB ‖ BLS_MODULUS.
 *
 * Input, exactly 192 bytes: versioned_hash(32) ‖ z(32) ‖ y(32) ‖ commitment(48) ‖ proof(48).
 * The guest checks the length and the versioned hash (0x01 ‖ sha256(commitment)[1:]); the
 * pairing check itself is answered by the preimage oracle, as op-program's accelerated
 * precompile (fault-proof-program.md §3). A BLS12-381 pairing in the guest would cost far
 * more VM steps than the whole rest of a typical block. */
#include "../../oracle.h"
#include "../gas.h"
#include "hash.h"
#include "precompiled_contracts.h"
#include "util.h"

#define POINT_EVALUATION_INPUT_LENGTH 192
#define VERSIONED_HASH_VERSION_KZG 0x01

/* U256(FIELD_ELEMENTS_PER_BLOB = 4096) ‖ U256(BLS_MODULUS), the only successful output. */
static const uint8_t POINT_EVALUATION_OUTPUT[64] = {
	0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
	0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,    0,
	0,    0,    0,    0,    0x10, 0x00, 0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d,
	0x48, 0x33, 0x39, 0xd8, 0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53, 0xbd, 0xa4, 0x02,
	0xff, 0xfe, 0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01,
};

void point_evaluation(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;
	if (data->len != POINT_EVALUATION_INPUT_LENGTH) {
		evm->error = ERR_KZG_PROOF_ERROR;
		return;
	}
	const uint8_t *versioned_hash = data->data;
	const uint8_t *commitment = data->data + 96;

	/* GAS */
	if (!charge_gas(evm, GAS_POINT_EVALUATION))
		return;

	/* kzg_commitment_to_versioned_hash(commitment) must equal the given hash. */
	uint8_t expected[32];
	sha256(commitment, 48, expected);
	expected[0] = VERSIONED_HASH_VERSION_KZG;
	if (memcmp(expected, versioned_hash, 32) != 0) {
		evm->error = ERR_KZG_PROOF_ERROR;
		return;
	}

	/* verify_kzg_proof(commitment, z, y, proof), by the oracle. */
	bytes_t result = {0, 0};
	if (!oracle_precompile(0x0a, GAS_POINT_EVALUATION, data->data, data->len, &result)) {
		rt_free(result.data);
		evm->error = ERR_KZG_PROOF_ERROR;
		return;
	}
	if (result.len != sizeof POINT_EVALUATION_OUTPUT ||
	    memcmp(result.data, POINT_EVALUATION_OUTPUT, sizeof POINT_EVALUATION_OUTPUT) != 0)
		fatal_undecodable("point evaluation: the oracle's result is not the precompile's");
	evm->output = result;
}
