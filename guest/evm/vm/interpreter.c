/* The interpreter (execution-specs `vm/interpreter.py`) and the Evm's bookkeeping
 * (`vm/__init__.py`: incorporate_child_on_success / _on_error).
 *
 * process_message snapshots the state (begin_transaction), moves the value, runs the code
 * (or the precompile) and commits or rolls back, exactly as the spec. The state journals the
 * EIP-2929 access sets and transient storage, so a rolled-back frame also forgets what it
 * warmed: that is the spec's "child's accessed_addresses are merged only on success".
 *
 * Native stack use per nested call stays small (the Evm, its operand stack and memory are
 * on the heap), so 1024 nested frames fit easily in 8 MiB. */
#include "gas.h"
#include "instructions/instructions.h"
#include "vm.h"

static const bytes_t EMPTY_BYTES = {NULL, 0};

void address_set_add(address_set_t *set, const address_t *a)
{
	for (size_t i = 0; i < set->count; i++)
		if (address_eq(&set->items[i], a))
			return;
	if (set->count == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 4;
		address_t *items = rt_malloc(cap * sizeof(address_t));
		if (!items)
			rt_panic("evm: out of memory (accounts_to_delete)");
		if (set->count)
			memcpy(items, set->items, set->count * sizeof(address_t));
		rt_free(set->items);
		set->items = items;
		set->cap = cap;
	}
	set->items[set->count++] = *a;
}

static void log_list_free(log_list_t *logs)
{
	for (size_t i = 0; i < logs->count; i++) {
		rt_free(logs->items[i].topics);
		rt_free(logs->items[i].data.data);
	}
	rt_free(logs->items);
	logs->items = NULL;
	logs->count = logs->cap = 0;
}

static bool jumpdests_cached(const message_t *message);

void evm_free(evm_t *evm)
{
	if (!evm)
		return;
	rt_free(evm->stack);
	rt_free(evm->memory.data);
	if (!jumpdests_cached(evm->message))
		rt_free(evm->valid_jump_destinations);
	log_list_free(&evm->logs);
	rt_free(evm->accounts_to_delete.items);
	rt_free(evm->output.data);
	rt_free(evm->return_data.data);
	rt_free(evm);
}

void incorporate_child_on_success(evm_t *evm, evm_t *child)
{
	evm->gas_left += child->gas_left;
	/* evm.logs += child_evm.logs: the entries move to the parent */
	if (child->logs.count) {
		log_list_t *logs = &evm->logs;
		size_t need = logs->count + child->logs.count;
		if (need > logs->cap) {
			size_t cap = logs->cap ? logs->cap : 4;
			while (cap < need)
				cap *= 2;
			log_t *items = rt_malloc(cap * sizeof(log_t));
			if (!items)
				rt_panic("evm: out of memory (logs)");
			if (logs->count)
				memcpy(items, logs->items, logs->count * sizeof(log_t));
			rt_free(logs->items);
			logs->items = items;
			logs->cap = cap;
		}
		memcpy(logs->items + logs->count, child->logs.items, child->logs.count * sizeof(log_t));
		logs->count = need;
		child->logs.count = 0;
	}
	evm->refund_counter += child->refund_counter;
	for (size_t i = 0; i < child->accounts_to_delete.count; i++)
		address_set_add(&evm->accounts_to_delete, &child->accounts_to_delete.items[i]);
}

void incorporate_child_on_error(evm_t *evm, evm_t *child) { evm->gas_left += child->gas_left; }

/* ---- jump destinations, analysed once per code ----
 * The spec analyses the code of every message. A call's code is the code of an account
 * (get_code of code_address), so its analysis can be kept under the account's code hash and
 * reused by every later call to the same code: a large contract called many times in a block
 * is scanned once. Init code (creations) has no code hash and is analysed each time. */

typedef struct {
	hash32_t code_hash;
	uint8_t *bitmap;
} jumpdest_entry_t;

static jumpdest_entry_t *jumpdest_cache;
static size_t jumpdest_cache_cap, jumpdest_cache_count;

static size_t jumpdest_slot(const jumpdest_entry_t *table, size_t cap, const hash32_t *h)
{
	size_t i = ((size_t)h->b[0] | (size_t)h->b[1] << 8 | (size_t)h->b[2] << 16) & (cap - 1);
	while (table[i].bitmap && !hash_eq(&table[i].code_hash, h))
		i = (i + 1) & (cap - 1);
	return i;
}

/* Whether this message's analysis comes from (and stays in) the cache. */
static bool jumpdests_cached(const message_t *message)
{
	return message->has_code_address && message->code.len > 0;
}

static uint8_t *valid_jump_destinations_of(message_t *message)
{
	if (!jumpdests_cached(message))
		return get_valid_jump_destinations(message->code.data, message->code.len);
	hash32_t code_hash = get_account(message->block_env->state, &message->code_address).code_hash;
	if (jumpdest_cache_cap) {
		size_t i = jumpdest_slot(jumpdest_cache, jumpdest_cache_cap, &code_hash);
		if (jumpdest_cache[i].bitmap)
			return jumpdest_cache[i].bitmap;
	}
	if (2 * (jumpdest_cache_count + 1) > jumpdest_cache_cap) {
		size_t cap = jumpdest_cache_cap ? 2 * jumpdest_cache_cap : 64;
		jumpdest_entry_t *table = rt_calloc(cap, sizeof(jumpdest_entry_t));
		if (!table)
			rt_panic("evm: out of memory (jump destination cache)");
		for (size_t k = 0; k < jumpdest_cache_cap; k++)
			if (jumpdest_cache[k].bitmap)
				table[jumpdest_slot(table, cap, &jumpdest_cache[k].code_hash)] = jumpdest_cache[k];
		rt_free(jumpdest_cache);
		jumpdest_cache = table;
		jumpdest_cache_cap = cap;
	}
	size_t i = jumpdest_slot(jumpdest_cache, jumpdest_cache_cap, &code_hash);
	jumpdest_cache[i].code_hash = code_hash;
	jumpdest_cache[i].bitmap = get_valid_jump_destinations(message->code.data, message->code.len);
	jumpdest_cache_count++;
	return jumpdest_cache[i].bitmap;
}

static evm_t *evm_new(message_t *message)
{
	evm_t *evm = rt_calloc(1, sizeof(evm_t));
	u256 *stack = rt_malloc(STACK_LIMIT * sizeof(u256));
	if (!evm || !stack)
		rt_panic("evm: out of memory (Evm)");
	evm->pc = 0;
	evm->stack = stack;
	evm->stack_len = 0;
	evm->code = message->code;
	evm->gas_left = message->gas;
	evm->valid_jump_destinations = valid_jump_destinations_of(message);
	evm->refund_counter = 0;
	evm->running = true;
	evm->message = message;
	evm->output = EMPTY_BYTES;
	evm->return_data = EMPTY_BYTES;
	evm->error = EVM_OK;
	return evm;
}

message_call_output_t process_message_call(message_t *message)
{
	block_env_t *block_env = message->block_env;
	message_call_output_t out;
	memset(&out, 0, sizeof(out));
	evm_t *evm;
	if (!message->has_target) {
		bool is_collision = account_has_code_or_nonce(block_env->state, &message->current_target) ||
				    account_has_storage(block_env->state, &message->current_target);
		if (is_collision) {
			out.gas_left = 0;
			out.error = ERR_ADDRESS_COLLISION;
			return out;
		}
		evm = process_create_message(message);
	} else {
		evm = process_message(message);
	}
	if (!evm->error) {
		out.logs = evm->logs;
		evm->logs.items = NULL;
		evm->logs.count = evm->logs.cap = 0;
		out.accounts_to_delete = evm->accounts_to_delete;
		evm->accounts_to_delete.items = NULL;
		evm->accounts_to_delete.count = evm->accounts_to_delete.cap = 0;
		out.refund_counter = evm->refund_counter;
	}
	out.gas_left = evm->gas_left;
	out.error = evm->error;
	out.return_data = evm->output;
	evm->output = EMPTY_BYTES;
	evm_free(evm);
	return out;
}

evm_t *process_create_message(message_t *message)
{
	state_t *state = message->block_env->state;
	/* take snapshot of state before processing the message */
	begin_transaction(state);

	/* If the address where the account is being created has storage, it is destroyed
	 * (a CREATE colliding with an older account that had storage but no code/nonce). */
	destroy_storage(state, &message->current_target);
	/* Tracked for the refund edge case above and for EIP-6780 SELFDESTRUCT. */
	mark_account_created(state, &message->current_target);
	increment_nonce(state, &message->current_target);

	evm_t *evm = process_message(message);
	if (!evm->error) {
		const bytes_t *contract_code = &evm->output;
		uint64_t contract_code_gas = (uint64_t)contract_code->len * GAS_CODE_DEPOSIT;
		evm_error error = EVM_OK;
		if (contract_code->len > 0 && contract_code->data[0] == 0xEF)
			error = ERR_INVALID_CONTRACT_PREFIX;
		else if (!charge_gas(evm, contract_code_gas))
			error = ERR_OUT_OF_GAS;
		else if (contract_code->len > MAX_CODE_SIZE)
			error = ERR_OUT_OF_GAS;
		if (error != EVM_OK) {
			rollback_transaction(state);
			evm->gas_left = 0;
			rt_free(evm->output.data);
			evm->output = EMPTY_BYTES;
			evm->error = error;
		} else {
			set_code(state, &message->current_target, contract_code->data, contract_code->len);
			commit_transaction(state);
		}
	} else {
		rollback_transaction(state);
	}
	return evm;
}

/* Runs the frame's code until it stops, returns, reverts or halts. The spec's loop tests
 * `evm.running` first; a frame starts running, so testing it after each instruction is the
 * same loop. The code is fixed for the frame, kept in registers. */
static void execute_code(evm_t *evm)
{
	const uint8_t *code = evm->code.data;
	size_t code_len = evm->code.len;
	while (evm->pc < code_len) {
		op_fn op = op_implementation[code[evm->pc]];
		if (!op) {
			evm->error = ERR_INVALID_OPCODE;
			return;
		}
		op(evm);
		if (evm->error || !evm->running)
			return;
	}
}

evm_t *process_message(message_t *message)
{
	state_t *state = message->block_env->state;
	evm_t *evm = evm_new(message);
	if (message->depth > STACK_DEPTH_LIMIT) {
		/* The callers check the depth first; the spec raises here before any snapshot. */
		evm->gas_left = 0;
		evm->error = ERR_STACK_DEPTH_LIMIT;
		return evm;
	}

	/* take snapshot of state before processing the message */
	begin_transaction(state);

	if (message->should_transfer_value && !u256_is_zero(&message->value))
		move_ether(state, &message->caller, &message->current_target, &message->value);

	if (message->has_code_address && is_precompile(&message->code_address))
		run_precompile(evm, &message->code_address);
	else
		execute_code(evm);

	if (evm_error_is_halt(evm->error)) {
		/* ExceptionalHalt: all of the frame's gas is consumed and there is no output */
		evm->gas_left = 0;
		rt_free(evm->output.data);
		evm->output = EMPTY_BYTES;
	}
	if (evm->error)
		/* revert state to the last saved checkpoint since the message call failed */
		rollback_transaction(state);
	else
		commit_transaction(state);
	return evm;
}
