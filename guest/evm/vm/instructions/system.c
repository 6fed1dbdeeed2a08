/* System instructions (execution-specs `vm/instructions/system.py`): CREATE, CREATE2, CALL,
 * CALLCODE, DELEGATECALL, STATICCALL, RETURN, REVERT, SELFDESTRUCT (EIP-6780).
 *
 * The spec copies the access sets into each child message and merges them back on success;
 * here they are the state's and journaled, so a failed child's rollback_transaction forgets
 * what it warmed. A child's message lives in this C frame; its call data / init code is a
 * copy of memory owned here and freed when the child is done. */
#include "instructions.h"

/* evm.return_data = <bytes>: frees the previous return data; takes ownership of `data`. */
static void set_return_data(evm_t *evm, bytes_t data)
{
	rt_free(evm->return_data.data);
	evm->return_data = data;
}

static const bytes_t EMPTY_BYTES = {NULL, 0};

/* generic_create: the body shared by CREATE and CREATE2 once the address is known. */
static void generic_create(evm_t *evm, const u256 *endowment, const address_t *contract_address,
			   const u256 *memory_start_position, const u256 *memory_size)
{
	state_t *state = evm->message->block_env->state;
	bytes_t call_data = memory_read_bytes(&evm->memory, memory_start_position, memory_size);
	if (call_data.len > MAX_INIT_CODE_SIZE) {
		rt_free(call_data.data);
		evm->error = ERR_OUT_OF_GAS;
		return;
	}

	uint64_t create_message_gas = max_message_call_gas(evm->gas_left);
	evm->gas_left -= create_message_gas;
	if (evm->message->is_static) {
		rt_free(call_data.data);
		evm->error = ERR_WRITE_IN_STATIC_CONTEXT;
		return;
	}
	set_return_data(evm, EMPTY_BYTES);

	const address_t *sender_address = &evm->message->current_target;
	account_t sender = get_account(state, sender_address);
	if (u256_lt(&sender.balance, endowment) || sender.nonce == UINT64_MAX ||
	    evm->message->depth + 1 > STACK_DEPTH_LIMIT) {
		rt_free(call_data.data);
		evm->gas_left += create_message_gas;
		u256 zero = u256_zero();
		stack_push(evm, &zero);
		return;
	}

	access_address(state, contract_address);

	if (account_has_code_or_nonce(state, contract_address) ||
	    account_has_storage(state, contract_address)) {
		rt_free(call_data.data);
		increment_nonce(state, &evm->message->current_target);
		u256 zero = u256_zero();
		stack_push(evm, &zero);
		return;
	}

	increment_nonce(state, &evm->message->current_target);

	message_t child_message;
	memset(&child_message, 0, sizeof(child_message));
	child_message.block_env = evm->message->block_env;
	child_message.tx_env = evm->message->tx_env;
	child_message.caller = evm->message->current_target;
	child_message.has_target = false;
	child_message.gas = create_message_gas;
	child_message.value = *endowment;
	child_message.data = EMPTY_BYTES;
	child_message.code = call_data;
	child_message.current_target = *contract_address;
	child_message.depth = evm->message->depth + 1;
	child_message.has_code_address = false;
	child_message.should_transfer_value = true;
	child_message.is_static = false;
	child_message.parent_evm = evm;

	evm_t *child_evm = process_create_message(&child_message);
	u256 result;
	if (child_evm->error) {
		incorporate_child_on_error(evm, child_evm);
		set_return_data(evm, child_evm->output);
		child_evm->output = EMPTY_BYTES;
		result = u256_zero();
	} else {
		incorporate_child_on_success(evm, child_evm);
		set_return_data(evm, EMPTY_BYTES);
		result = u256_from_address(&child_evm->message->current_target);
	}
	evm_free(child_evm);
	rt_free(call_data.data);
	stack_push(evm, &result);
}

/* CREATE: the new address is keccak(rlp([sender, nonce]))[12:] */
void op_create(evm_t *evm)
{
	u256 endowment, memory_start_position, memory_size;
	TRY(stack_pop(evm, &endowment));
	TRY(stack_pop(evm, &memory_start_position));
	TRY(stack_pop(evm, &memory_size));

	extend_memory_t extend_memory = calculate_gas_extend_memory(
		&evm->memory, &memory_start_position, &memory_size, 1);
	uint64_t init_code_gas = init_code_cost(u256_to_gas(&memory_size));
	TRY(charge_gas(evm, gas_add(gas_add(GAS_CREATE, extend_memory.cost), init_code_gas)));
	extend_memory_apply(evm, &extend_memory);

	state_t *state = evm->message->block_env->state;
	address_t contract_address = compute_contract_address(
		&evm->message->current_target, get_account(state, &evm->message->current_target).nonce);
	generic_create(evm, &endowment, &contract_address, &memory_start_position, &memory_size);
	if (evm->error)
		return;
	evm->pc += 1;
}

/* CREATE2: the new address is keccak(0xff ++ sender ++ salt ++ keccak(init_code))[12:] */
void op_create2(evm_t *evm)
{
	u256 endowment, memory_start_position, memory_size, salt;
	TRY(stack_pop(evm, &endowment));
	TRY(stack_pop(evm, &memory_start_position));
	TRY(stack_pop(evm, &memory_size));
	TRY(stack_pop(evm, &salt));

	extend_memory_t extend_memory = calculate_gas_extend_memory(
		&evm->memory, &memory_start_position, &memory_size, 1);
	uint64_t call_data_words = words_of(&memory_size);
	uint64_t init_code_gas = init_code_cost(u256_to_gas(&memory_size));
	uint64_t cost = gas_add(GAS_CREATE, gas_mul(GAS_KECCAK256_WORD, call_data_words));
	TRY(charge_gas(evm, gas_add(gas_add(cost, extend_memory.cost), init_code_gas)));
	extend_memory_apply(evm, &extend_memory);

	const uint8_t *init_code = u256_is_zero(&memory_size)
					   ? NULL
					   : evm->memory.data + (size_t)memory_start_position.w[0];
	size_t init_code_len = u256_is_zero(&memory_size) ? 0 : (size_t)memory_size.w[0];
	address_t contract_address = compute_create2_contract_address(
		&evm->message->current_target, &salt, init_code, init_code_len);
	generic_create(evm, &endowment, &contract_address, &memory_start_position, &memory_size);
	if (evm->error)
		return;
	evm->pc += 1;
}

/* RETURN: halt with memory[start : start + size] as output */
void op_return(evm_t *evm)
{
	u256 memory_start_position, memory_size;
	TRY(stack_pop(evm, &memory_start_position));
	TRY(stack_pop(evm, &memory_size));
	extend_memory_t extend_memory = calculate_gas_extend_memory(
		&evm->memory, &memory_start_position, &memory_size, 1);
	TRY(charge_gas(evm, gas_add(GAS_ZERO, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	rt_free(evm->output.data);
	evm->output = memory_read_bytes(&evm->memory, &memory_start_position, &memory_size);
	evm->running = false;
}

/* generic_call: run the child message and copy its output into memory. */
static void generic_call(evm_t *evm, uint64_t gas, const u256 *value, const address_t *caller,
			 const address_t *to, const address_t *code_address,
			 bool should_transfer_value, bool is_staticcall,
			 const u256 *memory_input_start_position, const u256 *memory_input_size,
			 const u256 *memory_output_start_position, const u256 *memory_output_size)
{
	set_return_data(evm, EMPTY_BYTES);

	if (evm->message->depth + 1 > STACK_DEPTH_LIMIT) {
		evm->gas_left += gas;
		u256 zero = u256_zero();
		stack_push(evm, &zero);
		return;
	}

	bytes_t call_data =
		memory_read_bytes(&evm->memory, memory_input_start_position, memory_input_size);
	bytes_t code = get_code(evm->message->block_env->state, code_address);

	message_t child_message;
	memset(&child_message, 0, sizeof(child_message));
	child_message.block_env = evm->message->block_env;
	child_message.tx_env = evm->message->tx_env;
	child_message.caller = *caller;
	child_message.has_target = true;
	child_message.target = *to;
	child_message.gas = gas;
	child_message.value = *value;
	child_message.data = call_data;
	child_message.code = code;
	child_message.current_target = *to;
	child_message.depth = evm->message->depth + 1;
	child_message.has_code_address = true;
	child_message.code_address = *code_address;
	child_message.should_transfer_value = should_transfer_value;
	child_message.is_static = is_staticcall ? true : evm->message->is_static;
	child_message.parent_evm = evm;

	evm_t *child_evm = process_message(&child_message);
	u256 result;
	if (child_evm->error) {
		incorporate_child_on_error(evm, child_evm);
		result = u256_zero();
	} else {
		incorporate_child_on_success(evm, child_evm);
		result = u256_from_u64(1);
	}
	/* evm.return_data = child_evm.output (moved) */
	set_return_data(evm, child_evm->output);
	child_evm->output = EMPTY_BYTES;
	evm_free(child_evm);
	rt_free(call_data.data);
	stack_push(evm, &result);

	/* actual_output_size = min(memory_output_size, len(child_evm.output)) */
	size_t actual_output_size = evm->return_data.len;
	if (u256_fits_u64(memory_output_size) && memory_output_size->w[0] < actual_output_size)
		actual_output_size = (size_t)memory_output_size->w[0];
	memory_write(&evm->memory, memory_output_start_position, evm->return_data.data,
		     actual_output_size);
}

/* The seven CALL-family operands (gas and address first, value only for CALL/CALLCODE). */
typedef struct {
	u256 gas;
	u256 address;
	u256 value;
	u256 in_start, in_size, out_start, out_size;
} call_operands_t;

static bool pop_call_operands(evm_t *evm, call_operands_t *o, bool with_value)
{
	if (!stack_pop(evm, &o->gas) || !stack_pop(evm, &o->address))
		return false;
	o->value = u256_zero();
	if (with_value && !stack_pop(evm, &o->value))
		return false;
	return stack_pop(evm, &o->in_start) && stack_pop(evm, &o->in_size) &&
	       stack_pop(evm, &o->out_start) && stack_pop(evm, &o->out_size);
}

static extend_memory_t call_extend_memory(evm_t *evm, const call_operands_t *o)
{
	u256 starts[2] = {o->in_start, o->out_start};
	u256 sizes[2] = {o->in_size, o->out_size};
	return calculate_gas_extend_memory(&evm->memory, starts, sizes, 2);
}

static uint64_t access_cost(evm_t *evm, const address_t *a)
{
	return access_address(evm->message->block_env->state, a) ? GAS_WARM_ACCESS
								 : GAS_COLD_ACCOUNT_ACCESS;
}

/* CALL */
void op_call(evm_t *evm)
{
	call_operands_t o;
	TRY(pop_call_operands(evm, &o, true));
	uint64_t gas = u256_to_gas(&o.gas);
	address_t to = to_address_masked(&o.address);
	const u256 *value = &o.value;
	state_t *state = evm->message->block_env->state;

	extend_memory_t extend_memory = call_extend_memory(evm, &o);
	uint64_t access_gas_cost = access_cost(evm, &to);
	address_t code_address = to;
	uint64_t create_gas_cost = GAS_NEW_ACCOUNT;
	if (u256_is_zero(value) || is_account_alive(state, &to))
		create_gas_cost = 0;
	uint64_t transfer_gas_cost = u256_is_zero(value) ? 0 : GAS_CALL_VALUE;
	message_call_gas_t message_call_gas = calculate_message_call_gas(
		value, gas, evm->gas_left, extend_memory.cost,
		access_gas_cost + create_gas_cost + transfer_gas_cost, GAS_CALL_STIPEND);
	TRY(charge_gas(evm, gas_add(message_call_gas.cost, extend_memory.cost)));
	if (evm->message->is_static && !u256_is_zero(value)) {
		evm->error = ERR_WRITE_IN_STATIC_CONTEXT;
		return;
	}
	extend_memory_apply(evm, &extend_memory);
	u256 sender_balance = get_account(state, &evm->message->current_target).balance;
	if (u256_lt(&sender_balance, value)) {
		u256 zero = u256_zero();
		TRY(stack_push(evm, &zero));
		set_return_data(evm, EMPTY_BYTES);
		evm->gas_left += message_call_gas.sub_call;
	} else {
		generic_call(evm, message_call_gas.sub_call, value, &evm->message->current_target,
			     &to, &code_address, true, false, &o.in_start, &o.in_size,
			     &o.out_start, &o.out_size);
		if (evm->error)
			return;
	}
	evm->pc += 1;
}

/* CALLCODE: run code_address's code on this account's storage, with a value */
void op_callcode(evm_t *evm)
{
	call_operands_t o;
	TRY(pop_call_operands(evm, &o, true));
	uint64_t gas = u256_to_gas(&o.gas);
	address_t code_address = to_address_masked(&o.address);
	const u256 *value = &o.value;
	address_t to = evm->message->current_target;

	extend_memory_t extend_memory = call_extend_memory(evm, &o);
	uint64_t access_gas_cost = access_cost(evm, &code_address);
	uint64_t transfer_gas_cost = u256_is_zero(value) ? 0 : GAS_CALL_VALUE;
	message_call_gas_t message_call_gas =
		calculate_message_call_gas(value, gas, evm->gas_left, extend_memory.cost,
					   access_gas_cost + transfer_gas_cost, GAS_CALL_STIPEND);
	TRY(charge_gas(evm, gas_add(message_call_gas.cost, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	u256 sender_balance =
		get_account(evm->message->block_env->state, &evm->message->current_target).balance;
	if (u256_lt(&sender_balance, value)) {
		u256 zero = u256_zero();
		TRY(stack_push(evm, &zero));
		set_return_data(evm, EMPTY_BYTES);
		evm->gas_left += message_call_gas.sub_call;
	} else {
		generic_call(evm, message_call_gas.sub_call, value, &evm->message->current_target,
			     &to, &code_address, true, false, &o.in_start, &o.in_size,
			     &o.out_start, &o.out_size);
		if (evm->error)
			return;
	}
	evm->pc += 1;
}

/* SELFDESTRUCT (EIP-6780): always moves the whole balance to the beneficiary; the account is
 * deleted (at the end of the transaction) only when it was created in this transaction. */
void op_selfdestruct(evm_t *evm)
{
	u256 b;
	TRY(stack_pop(evm, &b));
	address_t beneficiary = to_address_masked(&b);
	state_t *state = evm->message->block_env->state;

	uint64_t gas_cost = GAS_SELF_DESTRUCT;
	if (!access_address(state, &beneficiary))
		gas_cost += GAS_COLD_ACCOUNT_ACCESS;
	if (!is_account_alive(state, &beneficiary)) {
		u256 own = get_account(state, &evm->message->current_target).balance;
		if (!u256_is_zero(&own))
			gas_cost += GAS_SELF_DESTRUCT_NEW_ACCOUNT;
	}
	TRY(charge_gas(evm, gas_cost));
	if (evm->message->is_static) {
		evm->error = ERR_WRITE_IN_STATIC_CONTEXT;
		return;
	}

	address_t originator = evm->message->current_target;
	u256 originator_balance = get_account(state, &originator).balance;
	move_ether(state, &originator, &beneficiary, &originator_balance);

	/* register account for deletion only if it was created in the same transaction */
	if (account_was_created(state, &originator)) {
		/* if beneficiary and originator are the same, the ether is burnt */
		u256 zero = u256_zero();
		set_account_balance(state, &originator, &zero);
		address_set_add(&evm->accounts_to_delete, &originator);
	}

	evm->running = false;
}

/* DELEGATECALL: run code_address's code with this frame's caller, value and storage */
void op_delegatecall(evm_t *evm)
{
	call_operands_t o;
	TRY(pop_call_operands(evm, &o, false));
	uint64_t gas = u256_to_gas(&o.gas);
	address_t code_address = to_address_masked(&o.address);

	extend_memory_t extend_memory = call_extend_memory(evm, &o);
	uint64_t access_gas_cost = access_cost(evm, &code_address);
	u256 zero = u256_zero();
	message_call_gas_t message_call_gas = calculate_message_call_gas(
		&zero, gas, evm->gas_left, extend_memory.cost, access_gas_cost, GAS_CALL_STIPEND);
	TRY(charge_gas(evm, gas_add(message_call_gas.cost, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	generic_call(evm, message_call_gas.sub_call, &evm->message->value, &evm->message->caller,
		     &evm->message->current_target, &code_address, false, false, &o.in_start,
		     &o.in_size, &o.out_start, &o.out_size);
	if (evm->error)
		return;
	evm->pc += 1;
}

/* STATICCALL: a call that may not change state (EIP-214) */
void op_staticcall(evm_t *evm)
{
	call_operands_t o;
	TRY(pop_call_operands(evm, &o, false));
	uint64_t gas = u256_to_gas(&o.gas);
	address_t to = to_address_masked(&o.address);

	extend_memory_t extend_memory = call_extend_memory(evm, &o);
	uint64_t access_gas_cost = access_cost(evm, &to);
	address_t code_address = to;
	u256 zero = u256_zero();
	message_call_gas_t message_call_gas = calculate_message_call_gas(
		&zero, gas, evm->gas_left, extend_memory.cost, access_gas_cost, GAS_CALL_STIPEND);
	TRY(charge_gas(evm, gas_add(message_call_gas.cost, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	generic_call(evm, message_call_gas.sub_call, &zero, &evm->message->current_target, &to,
		     &code_address, true, true, &o.in_start, &o.in_size, &o.out_start,
		     &o.out_size);
	if (evm->error)
		return;
	evm->pc += 1;
}

/* REVERT: stop, undo this frame's state changes, return memory[start : start + size] and the
 * remaining gas */
void op_revert(evm_t *evm)
{
	u256 memory_start_index, size;
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &size));
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	TRY(charge_gas(evm, extend_memory.cost));
	extend_memory_apply(evm, &extend_memory);
	rt_free(evm->output.data);
	evm->output = memory_read_bytes(&evm->memory, &memory_start_index, &size);
	evm->error = ERR_REVERT;
}
