/* Storage instructions (execution-specs `vm/instructions/storage.py`): SLOAD/SSTORE with
 * EIP-2929 access costs and EIP-2200/3529 metering and refunds, TLOAD/TSTORE (EIP-1153).
 * The accessed-storage-key set and transient storage are the state's (state.h). */
#include "instructions.h"

/* SLOAD */
void op_sload(evm_t *evm)
{
	u256 key;
	TRY(stack_pop(evm, &key));
	state_t *state = evm->message->block_env->state;
	const address_t *target = &evm->message->current_target;
	if (access_storage_key(state, target, &key))
		TRY(charge_gas(evm, GAS_WARM_ACCESS));
	else
		TRY(charge_gas(evm, GAS_COLD_SLOAD));
	u256 value = get_storage(state, target, &key);
	TRY(stack_push(evm, &value));
	evm->pc += 1;
}

/* SSTORE */
void op_sstore(evm_t *evm)
{
	u256 key, new_value;
	TRY(stack_pop(evm, &key));
	TRY(stack_pop(evm, &new_value));
	if (evm->gas_left <= GAS_CALL_STIPEND) {
		evm->error = ERR_OUT_OF_GAS;
		return;
	}
	state_t *state = evm->message->block_env->state;
	const address_t *target = &evm->message->current_target;
	u256 original_value = get_storage_original(state, target, &key);
	u256 current_value = get_storage(state, target, &key);

	uint64_t gas_cost = 0;
	if (!access_storage_key(state, target, &key))
		gas_cost += GAS_COLD_SLOAD;
	bool original_is_current = u256_eq(&original_value, &current_value);
	bool current_is_new = u256_eq(&current_value, &new_value);
	if (original_is_current && !current_is_new) {
		if (u256_is_zero(&original_value))
			gas_cost += GAS_STORAGE_SET;
		else
			gas_cost += GAS_STORAGE_UPDATE - GAS_COLD_SLOAD;
	} else {
		gas_cost += GAS_WARM_ACCESS;
	}

	/* Refund counter calculation */
	if (!current_is_new) {
		if (!u256_is_zero(&original_value) && !u256_is_zero(&current_value) &&
		    u256_is_zero(&new_value))
			/* Storage is cleared for the first time in the transaction */
			evm->refund_counter += GAS_STORAGE_CLEAR_REFUND;
		if (!u256_is_zero(&original_value) && u256_is_zero(&current_value))
			/* Gas refund issued earlier to be reversed */
			evm->refund_counter -= GAS_STORAGE_CLEAR_REFUND;
		if (u256_eq(&original_value, &new_value)) {
			/* Storage slot being restored to its original value */
			if (u256_is_zero(&original_value))
				evm->refund_counter += GAS_STORAGE_SET - GAS_WARM_ACCESS;
			else
				evm->refund_counter +=
					GAS_STORAGE_UPDATE - GAS_COLD_SLOAD - GAS_WARM_ACCESS;
		}
	}

	TRY(charge_gas(evm, gas_cost));
	if (evm->message->is_static) {
		evm->error = ERR_WRITE_IN_STATIC_CONTEXT;
		return;
	}
	set_storage(state, target, &key, &new_value);
	evm->pc += 1;
}

/* TLOAD */
void op_tload(evm_t *evm)
{
	u256 key;
	TRY(stack_pop(evm, &key));
	TRY(charge_gas(evm, GAS_WARM_ACCESS));
	u256 value = get_transient_storage(evm->message->block_env->state,
					   &evm->message->current_target, &key);
	TRY(stack_push(evm, &value));
	evm->pc += 1;
}

/* TSTORE */
void op_tstore(evm_t *evm)
{
	u256 key, new_value;
	TRY(stack_pop(evm, &key));
	TRY(stack_pop(evm, &new_value));
	TRY(charge_gas(evm, GAS_WARM_ACCESS));
	if (evm->message->is_static) {
		evm->error = ERR_WRITE_IN_STATIC_CONTEXT;
		return;
	}
	set_transient_storage(evm->message->block_env->state, &evm->message->current_target,
			      &key, &new_value);
	evm->pc += 1;
}
