/* Environment instructions (execution-specs `vm/instructions/environment.py`). Account
 * access costs follow EIP-2929 through the state's accessed-address set. */
#include "hash.h"
#include "instructions.h"

/* Warm (100) or cold (2600) access to `address`, which becomes warm. */
static uint64_t access_gas_cost(evm_t *evm, const address_t *address)
{
	if (access_address(evm->message->block_env->state, address))
		return GAS_WARM_ACCESS;
	return GAS_COLD_ACCOUNT_ACCESS;
}

static void push_and_step(evm_t *evm, const u256 *v)
{
	TRY(stack_push(evm, v));
	evm->pc += 1;
}

/* ADDRESS */
void op_address(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_address(&evm->message->current_target);
	push_and_step(evm, &v);
}

/* BALANCE */
void op_balance(evm_t *evm)
{
	u256 a;
	TRY(stack_pop(evm, &a));
	address_t address = to_address_masked(&a);
	TRY(charge_gas(evm, access_gas_cost(evm, &address)));
	u256 balance = get_account(evm->message->block_env->state, &address).balance;
	push_and_step(evm, &balance);
}

/* ORIGIN */
void op_origin(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_address(&evm->message->tx_env->origin);
	push_and_step(evm, &v);
}

/* CALLER */
void op_caller(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_address(&evm->message->caller);
	push_and_step(evm, &v);
}

/* CALLVALUE */
void op_callvalue(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	push_and_step(evm, &evm->message->value);
}

/* CALLDATALOAD: 32 bytes of call data from start_index, zero-padded */
void op_calldataload(evm_t *evm)
{
	u256 start_index;
	TRY(stack_pop(evm, &start_index));
	TRY(charge_gas(evm, GAS_VERY_LOW));
	uint8_t value[32];
	buffer_read(value, evm->message->data.data, evm->message->data.len, &start_index, 32);
	u256 v = u256_from_be(value, 32);
	push_and_step(evm, &v);
}

/* CALLDATASIZE */
void op_calldatasize(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->message->data.len);
	push_and_step(evm, &v);
}

/* The common body of CALLDATACOPY, CODECOPY and EXTCODECOPY after the charge:
 * memory[memory_start : +size] = buffer_read(buffer, data_start, size). */
static void copy_to_memory(evm_t *evm, const u256 *memory_start_index, const uint8_t *buffer,
			   size_t buffer_len, const u256 *data_start_index, const u256 *size)
{
	if (u256_is_zero(size))
		return;
	buffer_read(evm->memory.data + (size_t)memory_start_index->w[0], buffer, buffer_len,
		    data_start_index, size->w[0]);
}

/* CALLDATACOPY */
void op_calldatacopy(evm_t *evm)
{
	u256 memory_start_index, data_start_index, size;
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &data_start_index));
	TRY(stack_pop(evm, &size));
	uint64_t copy_gas_cost = gas_mul(GAS_COPY, words_of(&size));
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	TRY(charge_gas(evm, gas_add(gas_add(GAS_VERY_LOW, copy_gas_cost), extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	copy_to_memory(evm, &memory_start_index, evm->message->data.data, evm->message->data.len,
		       &data_start_index, &size);
	evm->pc += 1;
}

/* CODESIZE */
void op_codesize(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->code.len);
	push_and_step(evm, &v);
}

/* CODECOPY */
void op_codecopy(evm_t *evm)
{
	u256 memory_start_index, code_start_index, size;
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &code_start_index));
	TRY(stack_pop(evm, &size));
	uint64_t copy_gas_cost = gas_mul(GAS_COPY, words_of(&size));
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	TRY(charge_gas(evm, gas_add(gas_add(GAS_VERY_LOW, copy_gas_cost), extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	copy_to_memory(evm, &memory_start_index, evm->code.data, evm->code.len, &code_start_index,
		       &size);
	evm->pc += 1;
}

/* GASPRICE: the transaction's effective gas price */
void op_gasprice(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	push_and_step(evm, &evm->message->tx_env->gas_price);
}

/* EXTCODESIZE */
void op_extcodesize(evm_t *evm)
{
	u256 a;
	TRY(stack_pop(evm, &a));
	address_t address = to_address_masked(&a);
	TRY(charge_gas(evm, access_gas_cost(evm, &address)));
	bytes_t code = get_code(evm->message->block_env->state, &address);
	u256 codesize = u256_from_u64(code.len);
	push_and_step(evm, &codesize);
}

/* EXTCODECOPY */
void op_extcodecopy(evm_t *evm)
{
	u256 a, memory_start_index, code_start_index, size;
	TRY(stack_pop(evm, &a));
	address_t address = to_address_masked(&a);
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &code_start_index));
	TRY(stack_pop(evm, &size));
	uint64_t copy_gas_cost = gas_mul(GAS_COPY, words_of(&size));
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	uint64_t access_cost = access_gas_cost(evm, &address);
	TRY(charge_gas(evm, gas_add(gas_add(access_cost, copy_gas_cost), extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	bytes_t code = get_code(evm->message->block_env->state, &address);
	copy_to_memory(evm, &memory_start_index, code.data, code.len, &code_start_index, &size);
	evm->pc += 1;
}

/* RETURNDATASIZE */
void op_returndatasize(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->return_data.len);
	push_and_step(evm, &v);
}

/* RETURNDATACOPY: reading past the end of the return data is an exceptional halt */
void op_returndatacopy(evm_t *evm)
{
	u256 memory_start_index, return_data_start_position, size;
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &return_data_start_position));
	TRY(stack_pop(evm, &size));
	uint64_t copy_gas_cost = gas_mul(GAS_RETURN_DATA_COPY, words_of(&size));
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	TRY(charge_gas(evm, gas_add(gas_add(GAS_VERY_LOW, copy_gas_cost), extend_memory.cost)));
	/* Uint(start) + Uint(size) > len(return_data) */
	uint64_t len = evm->return_data.len;
	if (!u256_fits_u64(&return_data_start_position) || !u256_fits_u64(&size) ||
	    return_data_start_position.w[0] > len || size.w[0] > len - return_data_start_position.w[0]) {
		evm->error = ERR_OUT_OF_BOUNDS_READ;
		return;
	}
	extend_memory_apply(evm, &extend_memory);
	memory_write(&evm->memory, &memory_start_index,
		     evm->return_data.data + (size_t)return_data_start_position.w[0], (size_t)size.w[0]);
	evm->pc += 1;
}

/* EXTCODEHASH: keccak256 of the code, 0 for an account that does not exist or is empty */
void op_extcodehash(evm_t *evm)
{
	u256 a;
	TRY(stack_pop(evm, &a));
	address_t address = to_address_masked(&a);
	TRY(charge_gas(evm, access_gas_cost(evm, &address)));
	account_t account = get_account(evm->message->block_env->state, &address);
	u256 codehash = u256_zero();
	/* account == EMPTY_ACCOUNT (nonce 0, balance 0, no code) */
	bool empty = account.nonce == 0 && u256_is_zero(&account.balance) &&
		     hash_eq(&account.code_hash, &EMPTY_CODE_HASH);
	if (!empty)
		codehash = u256_from_hash(&account.code_hash);
	push_and_step(evm, &codehash);
}

/* SELFBALANCE */
void op_self_balance(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_FAST_STEP));
	u256 balance =
		get_account(evm->message->block_env->state, &evm->message->current_target).balance;
	push_and_step(evm, &balance);
}

/* BASEFEE */
void op_base_fee(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 v = u256_from_u64(evm->message->block_env->base_fee_per_gas);
	push_and_step(evm, &v);
}

/* BLOBHASH (EIP-4844): the transaction's index-th versioned hash, else 0 */
void op_blob_hash(evm_t *evm)
{
	u256 index;
	TRY(stack_pop(evm, &index));
	TRY(charge_gas(evm, GAS_BLOBHASH_OPCODE));
	const tx_env_t *tx = evm->message->tx_env;
	u256 blob_hash = u256_zero();
	if (u256_fits_u64(&index) && index.w[0] < tx->blob_versioned_hash_count)
		blob_hash = u256_from_hash(&tx->blob_versioned_hashes[(size_t)index.w[0]]);
	push_and_step(evm, &blob_hash);
}

/* BLOBBASEFEE (EIP-7516) */
void op_blob_base_fee(evm_t *evm)
{
	TRY(charge_gas(evm, GAS_BASE));
	u256 blob_base_fee = calculate_blob_gas_price(evm->message->block_env->excess_blob_gas);
	push_and_step(evm, &blob_base_fee);
}
