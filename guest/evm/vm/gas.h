/* Gas constants and calculators (execution-specs `vm/gas.py`, Cancun); the names are the
 * spec's. Gas amounts are uint64_t: every spec quantity that can exceed 2^64 (memory sizes,
 * copy lengths) is checked by the caller before it gets here, and an impossible size charges
 * UINT64_MAX, i.e. out of gas. */
#ifndef EVM_VM_GAS_H
#define EVM_VM_GAS_H

#include "vm.h"

#define GAS_JUMPDEST 1
#define GAS_BASE 2
#define GAS_VERY_LOW 3
#define GAS_STORAGE_SET 20000
#define GAS_STORAGE_UPDATE 5000
#define GAS_STORAGE_CLEAR_REFUND 4800
#define GAS_LOW 5
#define GAS_MID 8
#define GAS_HIGH 10
#define GAS_EXPONENTIATION 10
#define GAS_EXPONENTIATION_PER_BYTE 50
#define GAS_MEMORY 3
#define GAS_KECCAK256 30
#define GAS_KECCAK256_WORD 6
#define GAS_COPY 3
#define GAS_BLOCK_HASH 20
#define GAS_LOG 375
#define GAS_LOG_DATA 8
#define GAS_LOG_TOPIC 375
#define GAS_CREATE 32000
#define GAS_CODE_DEPOSIT 200
#define GAS_ZERO 0
#define GAS_NEW_ACCOUNT 25000
#define GAS_CALL_VALUE 9000
#define GAS_CALL_STIPEND 2300
#define GAS_SELF_DESTRUCT 5000
#define GAS_SELF_DESTRUCT_NEW_ACCOUNT 25000
#define GAS_ECRECOVER 3000
#define GAS_SHA256 60
#define GAS_SHA256_WORD 12
#define GAS_RIPEMD160 600
#define GAS_RIPEMD160_WORD 120
#define GAS_IDENTITY 15
#define GAS_IDENTITY_WORD 3
#define GAS_RETURN_DATA_COPY 3
#define GAS_FAST_STEP 5
#define GAS_BLAKE2_PER_ROUND 1
#define GAS_COLD_SLOAD 2100
#define GAS_COLD_ACCOUNT_ACCESS 2600
#define GAS_WARM_ACCESS 100
#define GAS_INIT_CODE_WORD_COST 2
#define GAS_BLOBHASH_OPCODE 3
#define GAS_POINT_EVALUATION 50000
#define GAS_PER_BLOB (1ull << 17)
#define TARGET_BLOB_GAS_PER_BLOCK 393216
#define MIN_BLOB_GASPRICE 1
#define BLOB_BASE_FEE_UPDATE_FRACTION 3338477

typedef struct {
	uint64_t cost;
	uint64_t expand_by;
} extend_memory_t;

typedef struct {
	uint64_t cost;
	uint64_t sub_call;
} message_call_gas_t;

/* Subtracts `amount` from evm->gas_left; on shortfall sets evm->error = ERR_OUT_OF_GAS and
 * returns false (the caller returns at once, as the spec's raise). Inline: every instruction
 * charges, and an out-of-line call cost more than the subtraction (gas.c holds the external
 * definition, C11 6.7.4). */
inline bool charge_gas(evm_t *evm, uint64_t amount)
{
	if (evm->gas_left < amount) {
		evm->error = ERR_OUT_OF_GAS;
		return false;
	}
	evm->gas_left -= amount;
	return true;
}
uint64_t calculate_memory_gas_cost(uint64_t size_in_bytes);
/* `extensions` are (start, size) pairs as U256; a pair with size 0 extends nothing. */
extend_memory_t calculate_gas_extend_memory(const buf_t *memory, const u256 *starts,
					    const u256 *sizes, size_t count);
message_call_gas_t calculate_message_call_gas(const u256 *value, uint64_t gas,
					      uint64_t gas_left, uint64_t memory_cost,
					      uint64_t extra_gas, uint64_t call_stipend);
uint64_t max_message_call_gas(uint64_t gas);
uint64_t init_code_cost(uint64_t init_code_length);
uint64_t calculate_excess_blob_gas(const header_t *parent);
uint64_t calculate_total_blob_gas(size_t blob_count);
u256 calculate_blob_gas_price(uint64_t excess_blob_gas);
u256 calculate_data_fee(uint64_t excess_blob_gas, size_t blob_count);

#endif
