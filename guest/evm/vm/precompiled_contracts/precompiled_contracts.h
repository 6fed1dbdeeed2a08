/* Precompiled contracts 0x01..0x0a (execution-specs `vm/precompiled_contracts/`), one file
 * each. Each function reads evm->message->data, charges gas with charge_gas, and sets
 * evm->output (rt_malloc'd) or evm->error, exactly as the spec's function of the same name.
 * ecrecover, alt_bn128_pairing_check and point_evaluation compute their result through the
 * preimage oracle (oracle_precompile), as op-program's accelerated precompiles. */
#ifndef EVM_PRECOMPILED_CONTRACTS_H
#define EVM_PRECOMPILED_CONTRACTS_H

#include "../vm.h"

void ecrecover(evm_t *evm);               /* 0x01 */
void sha256_precompile(evm_t *evm);       /* 0x02 (guest/lib's sha256() is the hash) */
void ripemd160(evm_t *evm);               /* 0x03 */
void identity(evm_t *evm);                /* 0x04 */
void modexp(evm_t *evm);                  /* 0x05 */
void alt_bn128_add(evm_t *evm);           /* 0x06 */
void alt_bn128_mul(evm_t *evm);           /* 0x07 */
void alt_bn128_pairing_check(evm_t *evm); /* 0x08 */
void blake2f(evm_t *evm);                 /* 0x09 */
void point_evaluation(evm_t *evm);        /* 0x0a */

#endif
