/* LOG0..LOG4 (execution-specs `vm/instructions/log.py`). */
#include "instructions.h"

static void log_list_append(log_list_t *logs, const log_t *entry)
{
	if (logs->count == logs->cap) {
		size_t cap = logs->cap ? logs->cap * 2 : 4;
		log_t *items = rt_malloc(cap * sizeof(log_t));
		if (!items)
			rt_panic("evm: out of memory (logs)");
		if (logs->count)
			memcpy(items, logs->items, logs->count * sizeof(log_t));
		rt_free(logs->items);
		logs->items = items;
		logs->cap = cap;
	}
	logs->items[logs->count++] = *entry;
}

/* LOGn: append a log of memory[start : start + size] with n topics from the stack */
void log_n(evm_t *evm, unsigned num_topics)
{
	u256 memory_start_index, size;
	TRY(stack_pop(evm, &memory_start_index));
	TRY(stack_pop(evm, &size));
	hash32_t topics[4];
	for (unsigned i = 0; i < num_topics; i++) {
		u256 topic;
		TRY(stack_pop(evm, &topic));
		topics[i] = u256_to_hash(&topic);
	}
	extend_memory_t extend_memory =
		calculate_gas_extend_memory(&evm->memory, &memory_start_index, &size, 1);
	uint64_t cost = gas_add(GAS_LOG, gas_mul(GAS_LOG_DATA, u256_to_gas(&size)));
	cost = gas_add(cost, GAS_LOG_TOPIC * num_topics);
	TRY(charge_gas(evm, gas_add(cost, extend_memory.cost)));
	extend_memory_apply(evm, &extend_memory);
	if (evm->message->is_static) {
		evm->error = ERR_WRITE_IN_STATIC_CONTEXT;
		return;
	}
	log_t log_entry;
	log_entry.address = evm->message->current_target;
	log_entry.topic_count = num_topics;
	log_entry.topics = NULL;
	if (num_topics) {
		log_entry.topics = rt_malloc(num_topics * sizeof(hash32_t));
		if (!log_entry.topics)
			rt_panic("evm: out of memory (log topics)");
		memcpy(log_entry.topics, topics, num_topics * sizeof(hash32_t));
	}
	log_entry.data = memory_read_bytes(&evm->memory, &memory_start_index, &size);
	log_list_append(&evm->logs, &log_entry);
	evm->pc += 1;
}

void op_log0(evm_t *evm) { log_n(evm, 0); }
void op_log1(evm_t *evm) { log_n(evm, 1); }
void op_log2(evm_t *evm) { log_n(evm, 2); }
void op_log3(evm_t *evm) { log_n(evm, 3); }
void op_log4(evm_t *evm) { log_n(evm, 4); }
