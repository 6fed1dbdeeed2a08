/* Block validation and execution (execution-specs `fork.py`, Cancun), for a stateless
 * executor: the parent and claimed headers, the claimed block's transactions and withdrawals
 * and every piece of pre-state come through the oracle; the block is executed on the parent's
 * state and every header field the block determines is computed and compared.
 *
 * Output (stdout, one fact per line, parsed by faultproof.evm): see guest/evm/README.md
 * "## Output". */
#include "fork.h"

#include "bloom.h"
#include "hash.h"
#include "oracle.h"
#include "preimage.h"
#include "rlp.h"
#include "state.h"
#include "transactions.h"
#include "trie.h"
#include "vm/gas.h"
#include "vm/vm.h"

#define GAS_LIMIT_ADJUSTMENT_FACTOR 1024
#define GAS_LIMIT_MINIMUM 5000
#define SYSTEM_TRANSACTION_GAS 30000000ull
#define MAX_BLOB_GAS_PER_BLOCK 786432ull
#define VERSIONED_HASH_VERSION_KZG 0x01
#define BLOCK_HASH_HISTORY 256
#define GWEI 1000000000ull

static const address_t SYSTEM_ADDRESS = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					   0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}};
/* EIP-4788: 0x000F3df6D732807Ef1319fB7B8bB8522d0Beac02 */
static const address_t BEACON_ROOTS_ADDRESS = {{0x00, 0x0f, 0x3d, 0xf6, 0xd7, 0x32, 0x80,
						 0x7e, 0xf1, 0x31, 0x9f, 0xb7, 0xb8, 0xbb,
						 0x85, 0x22, 0xd0, 0xbe, 0xac, 0x02}};

const chain_rules_t ETHEREUM_RULES = {
	false, 8, 2, {{0}}, /* BASE_FEE_MAX_CHANGE_DENOMINATOR, ELASTICITY_MULTIPLIER */
};

/* ------------------------------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------------------------- */

static void print_hex(const uint8_t *p, size_t n)
{
	char chunk[65];
	while (n > 0) {
		size_t k = n > 32 ? 32 : n;
		hex_encode(chunk, p, k);
		rt_printf("%s", chunk);
		p += k;
		n -= k;
	}
}

/* A U256 as decimal when it fits 64 bits, else as 0x-hex (rt_printf has no 256-bit format). */
static void print_u256(const u256 *v)
{
	if (u256_fits_u64(v)) {
		rt_printf("%llu", (unsigned long long)v->w[0]);
		return;
	}
	uint8_t be[32];
	u256_to_be(v, be);
	rt_printf("0x");
	print_hex(be, 32);
}

static void rlp_index_key(buf_t *b, uint64_t index)
{
	b->len = 0;
	rlp_put_u64(b, index);
}

/* a * b, or false when the product does not fit 256 bits (the spec's Uint is unbounded, so an
 * overflowing fee can never be covered by a U256 balance). */
static bool mul_checked(const u256 *a, const u256 *b, u256 *out)
{
	uint64_t full[8];
	u256_mul_full(a, b, full);
	if (full[4] | full[5] | full[6] | full[7])
		return false;
	out->w[0] = full[0];
	out->w[1] = full[1];
	out->w[2] = full[2];
	out->w[3] = full[3];
	return true;
}

static bool add_checked(const u256 *a, const u256 *b, u256 *out)
{
	*out = u256_add(a, b);
	return !u256_lt(out, a);
}

/* process_message_call hands its logs, deletions and return data to the caller. */
static void message_call_output_free(message_call_output_t *out)
{
	for (size_t i = 0; i < out->logs.count; i++) {
		rt_free(out->logs.items[i].topics);
		rt_free(out->logs.items[i].data.data);
	}
	rt_free(out->logs.items);
	rt_free(out->accounts_to_delete.items);
	rt_free(out->return_data.data);
	memset(out, 0, sizeof(*out));
}

/* ------------------------------------------------------------------------------------------
 * Inputs through the oracle
 * ---------------------------------------------------------------------------------------- */

static void fetch_header(const hash32_t *hash, header_t *out)
{
	bytes_t rlp = oracle_fetch_by_hash("l2-block-header", hash);
	if (!header_decode(rlp.data, rlp.len, out))
		fatal_undecodable("block header does not decode as a Cancun header");
	rt_free(rlp.data);
}

/* Trie nodes of a block's transaction and withdrawal tries: by hash, after one hint. */
static bytes_t resolve_by_hash(void *ctx, const hash32_t *hash, const uint8_t *path, size_t npath)
{
	(void)ctx;
	(void)path;
	(void)npath;
	return oracle_keccak_preimage(hash);
}

/* A derivable list (transactions, withdrawals): the values under rlp(0), rlp(1), ... until
 * the first absent key. The views stay valid while `t` lives (it is never written). */
typedef struct {
	bytes_t *items;
	size_t count;
} item_list_t;

static item_list_t read_list(trie_t *t)
{
	item_list_t list = {NULL, 0};
	size_t cap = 0;
	buf_t key = {0};
	for (uint64_t i = 0;; i++) {
		bytes_t value;
		rlp_index_key(&key, i);
		if (!trie_get(t, key.data, key.len, &value))
			break;
		if (list.count == cap) {
			cap = cap ? cap * 2 : 16;
			bytes_t *grown = rt_malloc(cap * sizeof(bytes_t));
			if (list.count)
				memcpy(grown, list.items, list.count * sizeof(bytes_t));
			rt_free(list.items);
			list.items = grown;
		}
		list.items[list.count++] = value;
	}
	buf_free(&key);
	return list;
}

/* The root of a derivable list built from `items` (the spec's trie_set(rlp(i), item) loop).
 * Equal to the header's root exactly when the header's trie holds these items and no others. */
static void list_root(const item_list_t *list, hash32_t *out)
{
	trie_t *t = trie_open(&EMPTY_TRIE_ROOT, NULL, NULL);
	buf_t key = {0};
	for (size_t i = 0; i < list->count; i++) {
		rlp_index_key(&key, i);
		trie_put(t, key.data, key.len, list->items[i].data, list->items[i].len);
	}
	trie_root(t, out);
	buf_free(&key);
	trie_free(t);
}

/* ------------------------------------------------------------------------------------------
 * BLOCKHASH: the parent chain, walked back lazily (get_last_256_block_hashes)
 * ---------------------------------------------------------------------------------------- */

typedef struct {
	hash32_t hashes[BLOCK_HASH_HISTORY]; /* hashes[k]: block parent_number - k */
	unsigned known;
	uint64_t parent_number;
} block_hashes_t;

static void block_hashes_init(block_hashes_t *bh, const hash32_t *parent_hash,
			      const header_t *parent)
{
	bh->parent_number = parent->number;
	bh->hashes[0] = *parent_hash;
	bh->known = 1;
	if (parent->number >= 1) {
		bh->hashes[1] = parent->parent_hash;
		bh->known = 2;
	}
}

/* BLOCKHASH sees the 256 most recent blocks: numbers parent-255 .. parent. */
static hash32_t get_block_hash(void *ctx, uint64_t number, bool *found)
{
	block_hashes_t *bh = ctx;
	hash32_t zero;
	memset(&zero, 0, sizeof(zero));
	*found = false;
	if (number > bh->parent_number || bh->parent_number - number >= BLOCK_HASH_HISTORY)
		return zero;
	unsigned k = (unsigned)(bh->parent_number - number);
	while (bh->known <= k) {
		/* hashes[known] is the parent hash of block parent_number - (known - 1). */
		header_t h;
		fetch_header(&bh->hashes[bh->known - 1], &h);
		if (h.number != bh->parent_number - (bh->known - 1))
			fatal_undecodable("ancestor header has the wrong number");
		bh->hashes[bh->known] = h.parent_hash;
		bh->known++;
	}
	*found = true;
	return bh->hashes[k];
}

/* ------------------------------------------------------------------------------------------
 * Header validation (validate_header, calculate_base_fee_per_gas, check_gas_limit)
 * ---------------------------------------------------------------------------------------- */

static bool check_gas_limit(uint64_t gas_limit, uint64_t parent_gas_limit)
{
	uint64_t max_adjustment_delta = parent_gas_limit / GAS_LIMIT_ADJUSTMENT_FACTOR;
	if (gas_limit >= parent_gas_limit + max_adjustment_delta)
		return false;
	if (gas_limit <= parent_gas_limit - max_adjustment_delta)
		return false;
	if (gas_limit < GAS_LIMIT_MINIMUM)
		return false;
	return true;
}

/* The spec raises when the gas limit is out of range; here the fee is computed regardless
 * (it does not depend on the block's gas limit) and the range is checked separately. */
static u256 calculate_base_fee_per_gas(const chain_rules_t *rules, uint64_t parent_gas_limit,
				       uint64_t parent_gas_used, uint64_t parent_base_fee_per_gas)
{
	uint64_t parent_gas_target = parent_gas_limit / rules->eip1559_elasticity;
	u256 parent_fee = u256_from_u64(parent_base_fee_per_gas);
	if (parent_gas_used == parent_gas_target || parent_gas_target == 0)
		return parent_fee;
	uint64_t gas_used_delta = parent_gas_used > parent_gas_target
					  ? parent_gas_used - parent_gas_target
					  : parent_gas_target - parent_gas_used;
	u256 delta = u256_from_u64(gas_used_delta);
	u256 target = u256_from_u64(parent_gas_target);
	u256 denominator = u256_from_u64(rules->eip1559_denominator);
	u256 parent_fee_gas_delta = u256_mul(&parent_fee, &delta); /* < 2^128 */
	u256 target_fee_gas_delta = u256_div(&parent_fee_gas_delta, &target);
	u256 base_fee_per_gas_delta = u256_div(&target_fee_gas_delta, &denominator);
	if (parent_gas_used > parent_gas_target) {
		u256 one = u256_from_u64(1);
		if (u256_lt(&base_fee_per_gas_delta, &one))
			base_fee_per_gas_delta = one;
		return u256_add(&parent_fee, &base_fee_per_gas_delta);
	}
	return u256_sub(&parent_fee, &base_fee_per_gas_delta);
}

uint64_t next_base_fee(const chain_rules_t *rules, const header_t *parent)
{
	u256 fee = calculate_base_fee_per_gas(rules, parent->gas_limit, parent->gas_used,
					      parent->base_fee_per_gas);
	return fee.w[0];
}

/* ------------------------------------------------------------------------------------------
 * Block execution (apply_body and what it calls)
 * ---------------------------------------------------------------------------------------- */

typedef struct {
	uint64_t block_gas_used;
	uint64_t blob_gas_used;
	trie_t *receipts_trie;
	buf_t logs_payload; /* concatenated rlp(log) of every log of the block, in order */
	uint8_t bloom[256];
	uint64_t tx_count;  /* transactions executed */
} block_output_t;

/* process_system_transaction / process_unchecked_system_transaction (EIP-4788): a call from
 * SYSTEM_ADDRESS with 30M gas, no fee, no value, nothing warmed; its result is ignored. */
static message_call_output_t process_system_transaction(block_env_t *block_env,
							const address_t *target_address,
							bytes_t system_contract_code,
							const uint8_t *data, size_t len)
{
	tx_env_t tx_env;
	memset(&tx_env, 0, sizeof(tx_env));
	tx_env.origin = SYSTEM_ADDRESS;
	tx_env.gas_price = u256_from_u64(block_env->base_fee_per_gas);
	tx_env.gas = SYSTEM_TRANSACTION_GAS;
	tx_env.index_in_block = -1;

	message_t message;
	memset(&message, 0, sizeof(message));
	message.block_env = block_env;
	message.tx_env = &tx_env;
	message.caller = SYSTEM_ADDRESS;
	message.has_target = true;
	message.target = *target_address;
	message.current_target = *target_address;
	message.gas = SYSTEM_TRANSACTION_GAS;
	message.value = u256_zero();
	message.data.data = (uint8_t *)data;
	message.data.len = len;
	message.code = system_contract_code;
	message.depth = 0;
	message.has_code_address = true;
	message.code_address = *target_address;
	message.should_transfer_value = false;
	message.is_static = false;
	message.parent_evm = NULL;

	state_begin_tx(block_env->state);
	message_call_output_t out = process_message_call(&message);
	state_end_tx(block_env->state);
	return out;
}

static void process_unchecked_system_transaction(block_env_t *block_env,
						 const address_t *target_address,
						 const uint8_t *data, size_t len)
{
	bytes_t code = get_code(block_env->state, target_address);
	message_call_output_t out =
		process_system_transaction(block_env, target_address, code, data, len);
	message_call_output_free(&out);
}

/* What check_transaction hands to process_transaction. */
typedef struct {
	address_t sender;
	u256 effective_gas_price;
	uint64_t tx_blob_gas_used;
} checked_tx_t;

/* check_transaction: is the transaction includable here, and at what price. */
static bool check_transaction(const block_env_t *block_env, const block_output_t *block_output,
			      const transaction_t *tx, checked_tx_t *out, const char **reason)
{
	uint64_t gas_available = block_env->block_gas_limit - block_output->block_gas_used;
	uint64_t blob_gas_available = MAX_BLOB_GAS_PER_BLOCK - block_output->blob_gas_used;
	if (tx->gas > gas_available) {
		*reason = "gas used exceeds limit";
		return false;
	}
	uint64_t tx_blob_gas_used = 0;
	if (tx->type == TX_TYPE_BLOB) {
		if (tx->blob_versioned_hash_count > MAX_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB) {
			*reason = "blob gas limit exceeded";
			return false;
		}
		tx_blob_gas_used = calculate_total_blob_gas(tx->blob_versioned_hash_count);
	}
	if (tx_blob_gas_used > blob_gas_available) {
		*reason = "blob gas limit exceeded";
		return false;
	}

	address_t sender;
	if (!recover_sender(block_env->chain_id, tx, &sender, reason))
		return false;
	account_t sender_account = get_account(block_env->state, &sender);

	u256 base_fee = u256_from_u64(block_env->base_fee_per_gas);
	u256 gas = u256_from_u64(tx->gas);
	u256 effective_gas_price, max_gas_fee;
	bool fee_fits;
	if (tx->type == TX_TYPE_FEE_MARKET || tx->type == TX_TYPE_BLOB) {
		if (u256_lt(&tx->max_fee_per_gas, &tx->max_priority_fee_per_gas)) {
			*reason = "priority fee greater than max fee";
			return false;
		}
		if (u256_lt(&tx->max_fee_per_gas, &base_fee)) {
			*reason = "max fee per gas below base fee";
			return false;
		}
		u256 headroom = u256_sub(&tx->max_fee_per_gas, &base_fee);
		u256 priority_fee_per_gas = u256_lt(&tx->max_priority_fee_per_gas, &headroom)
						    ? tx->max_priority_fee_per_gas
						    : headroom;
		effective_gas_price = u256_add(&priority_fee_per_gas, &base_fee);
		fee_fits = mul_checked(&gas, &tx->max_fee_per_gas, &max_gas_fee);
	} else {
		if (u256_lt(&tx->gas_price, &base_fee)) {
			*reason = "gas price below base fee";
			return false;
		}
		effective_gas_price = tx->gas_price;
		fee_fits = mul_checked(&gas, &tx->gas_price, &max_gas_fee);
	}

	if (tx->type == TX_TYPE_BLOB) {
		if (!tx->has_to) {
			*reason = "blob transaction creates a contract";
			return false;
		}
		if (tx->blob_versioned_hash_count == 0) {
			*reason = "no blob data";
			return false;
		}
		for (size_t i = 0; i < tx->blob_versioned_hash_count; i++) {
			if (tx->blob_versioned_hashes[i].b[0] != VERSIONED_HASH_VERSION_KZG) {
				*reason = "invalid blob versioned hash";
				return false;
			}
		}
		u256 blob_gas_price = calculate_blob_gas_price(block_env->excess_blob_gas);
		if (u256_lt(&tx->max_fee_per_blob_gas, &blob_gas_price)) {
			*reason = "insufficient max fee per blob gas";
			return false;
		}
		u256 blob_gas = u256_from_u64(tx_blob_gas_used), blob_fee;
		fee_fits = fee_fits && mul_checked(&blob_gas, &tx->max_fee_per_blob_gas, &blob_fee) &&
			   add_checked(&max_gas_fee, &blob_fee, &max_gas_fee);
	}

	u256 tx_nonce_limit = u256_from_u64(sender_account.nonce);
	int nonce_cmp = u256_cmp(&tx_nonce_limit, &tx->nonce);
	if (nonce_cmp > 0) {
		*reason = "nonce too low";
		return false;
	}
	if (nonce_cmp < 0) {
		*reason = "nonce too high";
		return false;
	}
	u256 needed;
	if (!fee_fits || !add_checked(&max_gas_fee, &tx->value, &needed) ||
	    u256_lt(&sender_account.balance, &needed)) {
		*reason = "insufficient sender balance";
		return false;
	}
	if (!hash_eq(&sender_account.code_hash, &EMPTY_CODE_HASH)) {
		*reason = "sender not an EOA";
		return false;
	}

	out->sender = sender;
	out->effective_gas_price = effective_gas_price;
	out->tx_blob_gas_used = tx_blob_gas_used;
	return true;
}

/* prepare_message (utils/message.py), with the EIP-2929 warm sets written to the state: the
 * origin, the precompiles, the access list and the coinbase (EIP-3651), and the target. */
static void prepare_message(block_env_t *block_env, tx_env_t *tx_env, const transaction_t *tx,
			    message_t *message)
{
	state_t *s = block_env->state;
	access_address(s, &tx_env->origin);
	for (uint8_t p = 1; p <= 0x0a; p++) {
		address_t pre;
		memset(&pre, 0, sizeof(pre));
		pre.b[19] = p;
		access_address(s, &pre);
	}
	access_address(s, &block_env->coinbase);
	for (size_t i = 0; i < tx->access_list_count; i++) {
		const access_t *a = &tx->access_list[i];
		access_address(s, &a->account);
		for (size_t k = 0; k < a->slot_count; k++) {
			u256 key = u256_from_be(a->slots[k].b, 32);
			access_storage_key(s, &a->account, &key);
		}
	}

	memset(message, 0, sizeof(*message));
	message->block_env = block_env;
	message->tx_env = tx_env;
	message->caller = tx_env->origin;
	message->gas = tx_env->gas;
	message->value = tx->value;
	message->depth = 0;
	message->should_transfer_value = true;
	message->is_static = false;
	message->parent_evm = NULL;
	if (!tx->has_to) {
		account_t origin = get_account(s, &tx_env->origin);
		message->has_target = false;
		message->current_target = compute_contract_address(&tx_env->origin, origin.nonce - 1);
		message->data.data = NULL;
		message->data.len = 0;
		message->code = tx->data;
		message->has_code_address = false;
	} else {
		message->has_target = true;
		message->target = tx->to;
		message->current_target = tx->to;
		message->data = tx->data;
		message->code = get_code(s, &tx->to);
		message->has_code_address = true;
		message->code_address = tx->to;
	}
	access_address(s, &message->current_target);
}

/* process_transaction: validate, charge, execute, refund, pay the coinbase, delete
 * self-destructed accounts, write the receipt. False (with a reason) when the transaction
 * is invalid; then the state is unchanged. */
static bool process_transaction(const chain_rules_t *rules, block_env_t *block_env,
				block_output_t *block_output, const transaction_t *tx,
				uint64_t index, const char **reason)
{
	state_t *s = block_env->state;
	uint64_t intrinsic_gas;
	if (!validate_transaction(tx, &intrinsic_gas, reason))
		return false;
	checked_tx_t checked;
	if (!check_transaction(block_env, block_output, tx, &checked, reason))
		return false;

	state_begin_tx(s);
	account_t sender_account = get_account(s, &checked.sender);
	u256 blob_gas_fee = u256_zero();
	if (tx->type == TX_TYPE_BLOB)
		blob_gas_fee = calculate_data_fee(block_env->excess_blob_gas,
						  tx->blob_versioned_hash_count);
	u256 tx_gas = u256_from_u64(tx->gas);
	u256 effective_gas_fee = u256_mul(&tx_gas, &checked.effective_gas_price);
	uint64_t gas = tx->gas - intrinsic_gas;
	increment_nonce(s, &checked.sender);
	u256 balance = u256_sub(&sender_account.balance, &effective_gas_fee);
	balance = u256_sub(&balance, &blob_gas_fee);
	set_account_balance(s, &checked.sender, &balance);

	tx_env_t tx_env;
	memset(&tx_env, 0, sizeof(tx_env));
	tx_env.origin = checked.sender;
	tx_env.gas_price = checked.effective_gas_price;
	tx_env.gas = gas;
	tx_env.blob_versioned_hashes = tx->blob_versioned_hashes;
	tx_env.blob_versioned_hash_count = tx->blob_versioned_hash_count;
	tx_env.index_in_block = (int64_t)index;

	message_t message;
	prepare_message(block_env, &tx_env, tx, &message);
	message_call_output_t tx_output = process_message_call(&message);

	uint64_t tx_gas_used_before_refund = tx->gas - tx_output.gas_left;
	uint64_t refund_counter = tx_output.refund_counter > 0 ? (uint64_t)tx_output.refund_counter : 0;
	uint64_t tx_gas_refund = tx_gas_used_before_refund / 5;
	if (refund_counter < tx_gas_refund)
		tx_gas_refund = refund_counter;
	uint64_t tx_gas_used_after_refund = tx_gas_used_before_refund - tx_gas_refund;
	u256 tx_gas_left = u256_from_u64(tx->gas - tx_gas_used_after_refund);
	u256 gas_refund_amount = u256_mul(&tx_gas_left, &checked.effective_gas_price);

	/* For non-1559 transactions effective_gas_price == tx.gas_price */
	u256 base_fee = u256_from_u64(block_env->base_fee_per_gas);
	u256 priority_fee_per_gas = u256_sub(&checked.effective_gas_price, &base_fee);
	u256 used = u256_from_u64(tx_gas_used_after_refund);
	u256 transaction_fee = u256_mul(&used, &priority_fee_per_gas);

	account_t after = get_account(s, &checked.sender);
	u256 sender_balance_after_refund = u256_add(&after.balance, &gas_refund_amount);
	set_account_balance(s, &checked.sender, &sender_balance_after_refund);

	account_t coinbase = get_account(s, &block_env->coinbase);
	u256 coinbase_balance_after_mining_fee = u256_add(&coinbase.balance, &transaction_fee);
	set_account_balance(s, &block_env->coinbase, &coinbase_balance_after_mining_fee);

	if (rules->op_stack) {
		/* op-geth: the base fee goes to the BaseFeeVault instead of being burned (no L1
		 * data fee: the rollup's scalars are 0, docs/ROLLUP.md §3). */
		u256 base_fee_amount = u256_mul(&used, &base_fee);
		if (!u256_is_zero(&base_fee_amount)) {
			account_t vault = get_account(s, &rules->base_fee_recipient);
			u256 credited = u256_add(&vault.balance, &base_fee_amount);
			set_account_balance(s, &rules->base_fee_recipient, &credited);
		}
	}

	for (size_t i = 0; i < tx_output.accounts_to_delete.count; i++)
		destroy_account(s, &tx_output.accounts_to_delete.items[i]);
	state_end_tx(s);

	block_output->block_gas_used += tx_gas_used_after_refund;
	block_output->blob_gas_used += checked.tx_blob_gas_used;

	/* make_receipt */
	uint8_t bloom[256];
	logs_bloom(tx_output.logs.items, tx_output.logs.count, bloom);
	buf_t receipt = {0}, key = {0};
	receipt_encode(tx->type, tx_output.error == EVM_OK, block_output->block_gas_used, bloom,
		       tx_output.logs.items, tx_output.logs.count, &receipt);
	rlp_index_key(&key, index);
	trie_put(block_output->receipts_trie, key.data, key.len, receipt.data, receipt.len);
	buf_free(&receipt);
	buf_free(&key);

	for (size_t i = 0; i < 256; i++)
		block_output->bloom[i] |= bloom[i];
	for (size_t i = 0; i < tx_output.logs.count; i++)
		log_encode(&tx_output.logs.items[i], &block_output->logs_payload);

	rt_printf("evm: tx %llu ok type=%u gas_used=%llu status=%u\n", (unsigned long long)index,
		  (unsigned)tx->type, (unsigned long long)tx_gas_used_after_refund,
		  tx_output.error == EVM_OK ? 1u : 0u);
	message_call_output_free(&tx_output);
	return true;
}

/* The receipt of a deposit (Canyon): 0x7E ‖ rlp([status, cumulativeGasUsed, bloom, logs,
 * depositNonce, depositReceiptVersion = 1]) (spec §5.3). */
static void deposit_receipt_encode(bool succeeded, uint64_t cumulative_gas_used,
				   const uint8_t bloom[256], const log_t *logs, size_t count,
				   uint64_t deposit_nonce, buf_t *out)
{
	buf_push(out, TX_TYPE_DEPOSIT);
	size_t begin = rlp_list_begin(out);
	rlp_put_u64(out, succeeded ? 1 : 0);
	rlp_put_u64(out, cumulative_gas_used);
	rlp_put_bytes(out, bloom, 256);
	size_t logs_begin = rlp_list_begin(out);
	for (size_t i = 0; i < count; i++)
		log_encode(&logs[i], out);
	rlp_list_end(out, logs_begin);
	rlp_put_u64(out, deposit_nonce);
	rlp_put_u64(out, 1);
	rlp_list_end(out, begin);
}

/* A deposit (docs/ROLLUP.md §3, spec §6.9, op-geth's state transition for IsDepositTx):
 * the mint is credited first and kept; no signature, nonce, fee or EOA check; gas is bought
 * on L1, so nothing is charged, refunded or paid to the coinbase; the nonce always
 * increments. A deposit whose checks fail (intrinsic gas, value above the balance, init
 * code size) is included with status 0, all its gas used and only the mint and the nonce
 * applied; those checks come before any other change, so there is nothing to roll back.
 * False only when the block gas limit cannot hold it (then the block is invalid). */
static bool process_deposit_transaction(block_env_t *block_env, block_output_t *block_output,
					const transaction_t *tx, uint64_t index,
					const char **reason)
{
	state_t *s = block_env->state;
	if (tx->gas > block_env->block_gas_limit - block_output->block_gas_used) {
		*reason = "gas used exceeds limit";
		return false;
	}
	state_begin_tx(s);
	account_t from = get_account(s, &tx->from);
	if (!u256_is_zero(&tx->mint)) {
		u256 minted;
		if (!add_checked(&from.balance, &tx->mint, &minted)) {
			state_end_tx(s);
			*reason = "mint overflows the balance";
			return false;
		}
		set_account_balance(s, &tx->from, &minted);
		from.balance = minted;
	}
	uint64_t deposit_nonce = from.nonce;

	uint64_t intrinsic_gas = calculate_intrinsic_cost(tx);
	bool precheck_ok = intrinsic_gas <= tx->gas && from.nonce != UINT64_MAX &&
			   !u256_lt(&from.balance, &tx->value) &&
			   (tx->has_to || tx->data.len <= MAX_INIT_CODE_SIZE);
	uint64_t gas_used;
	bool succeeded;
	message_call_output_t tx_output;
	memset(&tx_output, 0, sizeof(tx_output));
	if (!precheck_ok) {
		increment_nonce(s, &tx->from);
		gas_used = tx->gas;
		succeeded = false;
	} else {
		increment_nonce(s, &tx->from);
		tx_env_t tx_env;
		memset(&tx_env, 0, sizeof(tx_env));
		tx_env.origin = tx->from;
		tx_env.gas_price = u256_zero();
		tx_env.gas = tx->gas - intrinsic_gas;
		tx_env.index_in_block = (int64_t)index;
		message_t message;
		prepare_message(block_env, &tx_env, tx, &message);
		tx_output = process_message_call(&message);
		uint64_t used_before_refund = tx->gas - tx_output.gas_left;
		uint64_t refund_counter =
			tx_output.refund_counter > 0 ? (uint64_t)tx_output.refund_counter : 0;
		uint64_t refund = used_before_refund / 5;
		if (refund_counter < refund)
			refund = refund_counter;
		gas_used = used_before_refund - refund;
		succeeded = tx_output.error == EVM_OK;
		for (size_t i = 0; i < tx_output.accounts_to_delete.count; i++)
			destroy_account(s, &tx_output.accounts_to_delete.items[i]);
	}
	state_end_tx(s);
	block_output->block_gas_used += gas_used;

	uint8_t bloom[256];
	logs_bloom(tx_output.logs.items, tx_output.logs.count, bloom);
	buf_t receipt = {0}, key = {0};
	deposit_receipt_encode(succeeded, block_output->block_gas_used, bloom, tx_output.logs.items,
			       tx_output.logs.count, deposit_nonce, &receipt);
	rlp_index_key(&key, index);
	trie_put(block_output->receipts_trie, key.data, key.len, receipt.data, receipt.len);
	buf_free(&receipt);
	buf_free(&key);
	for (size_t i = 0; i < 256; i++)
		block_output->bloom[i] |= bloom[i];
	for (size_t i = 0; i < tx_output.logs.count; i++)
		log_encode(&tx_output.logs.items[i], &block_output->logs_payload);

	rt_printf("evm: tx %llu ok type=%u gas_used=%llu status=%u mint_kept=1\n",
		  (unsigned long long)index, (unsigned)TX_TYPE_DEPOSIT,
		  (unsigned long long)gas_used, succeeded ? 1u : 0u);
	message_call_output_free(&tx_output);
	return true;
}

/* process_withdrawals: credit each withdrawal's Gwei amount (modify_state semantics live in
 * set_account_balance). False when a balance would overflow (the spec's U256 raises). */
static bool process_withdrawals(block_env_t *block_env, const withdrawal_t *withdrawals,
				size_t count)
{
	u256 gwei = u256_from_u64(GWEI);
	for (size_t i = 0; i < count; i++) {
		u256 amount = u256_from_u64(withdrawals[i].amount);
		amount = u256_mul(&amount, &gwei);
		account_t a = get_account(block_env->state, &withdrawals[i].address);
		u256 balance;
		if (!add_checked(&a.balance, &amount, &balance))
			return false;
		set_account_balance(block_env->state, &withdrawals[i].address, &balance);
	}
	return true;
}

typedef struct {
	bool executed; /* the whole body ran: roots and totals below are meaningful */
	hash32_t state_root, transactions_root, receipts_root, withdrawals_root, logs_hash;
	uint8_t bloom[256];
	uint64_t gas_used, blob_gas_used;
	u256 base_fee_per_gas;
	uint64_t excess_blob_gas;
} computed_t;

/* apply_body: the EIP-4788 system call (verify mode), every transaction, the withdrawals.
 * False when the block cannot be valid (an invalid transaction in verify mode, a withdrawal
 * that does not decode or overflows a balance); state-test mode skips invalid transactions. */
static bool apply_body(const chain_rules_t *rules, block_env_t *block_env,
		       const item_list_t *txs, const item_list_t *wds, bool verify,
		       block_output_t *out, size_t *bad_index, const char **bad_reason)
{
	memset(out, 0, sizeof(*out));
	out->receipts_trie = trie_open(&EMPTY_TRIE_ROOT, NULL, NULL);
	if (verify)
		process_unchecked_system_transaction(block_env, &BEACON_ROOTS_ADDRESS,
						     block_env->parent_beacon_block_root.b, 32);
	for (size_t i = 0; i < txs->count; i++) {
		transaction_t tx;
		const char *reason = "undecodable";
		const bytes_t *raw = &txs->items[i];
		bool ok;
		if (rules->op_stack && raw->len > 0 && raw->data[0] == TX_TYPE_DEPOSIT) {
			ok = decode_deposit_transaction(raw->data, raw->len, &tx);
			if (ok)
				ok = process_deposit_transaction(block_env, out, &tx, i, &reason);
		} else {
			ok = decode_transaction(raw->data, raw->len, &tx);
			if (ok) {
				ok = process_transaction(rules, block_env, out, &tx, i, &reason);
				transaction_free(&tx);
			}
		}
		if (ok) {
			out->tx_count++;
			continue;
		}
		rt_printf("evm: tx %llu invalid %s\n", (unsigned long long)i, reason);
		if (verify) {
			if (bad_index)
				*bad_index = i;
			if (bad_reason)
				*bad_reason = reason;
			return false;
		}
	}

	bool ok = true;
	withdrawal_t *withdrawals = wds->count ? rt_malloc(wds->count * sizeof(withdrawal_t)) : NULL;
	for (size_t i = 0; ok && i < wds->count; i++) {
		if (!withdrawal_decode(wds->items[i].data, wds->items[i].len, &withdrawals[i])) {
			rt_printf("evm: withdrawal %llu invalid undecodable\n", (unsigned long long)i);
			ok = false;
		}
	}
	if (ok && !process_withdrawals(block_env, withdrawals, wds->count)) {
		rt_printf("evm: withdrawal invalid balance overflow\n");
		ok = false;
	}
	rt_free(withdrawals);
	return ok;
}

/* The header fields the body determines (state_transition after apply_body), plus the
 * state tests' logs hash. */
static void compute_body_fields(block_env_t *block_env, const item_list_t *txs,
				const item_list_t *wds, const block_output_t *out, computed_t *c)
{
	c->executed = true;
	state_root(block_env->state, &c->state_root);
	list_root(txs, &c->transactions_root);
	trie_root(out->receipts_trie, &c->receipts_root);
	list_root(wds, &c->withdrawals_root);
	memcpy(c->bloom, out->bloom, 256);
	c->gas_used = out->block_gas_used;
	c->blob_gas_used = out->blob_gas_used;
	buf_t logs = {0};
	size_t begin = rlp_list_begin(&logs);
	buf_append(&logs, out->logs_payload.data, out->logs_payload.len);
	rlp_list_end(&logs, begin);
	keccak256(logs.data, logs.len, c->logs_hash.b);
	buf_free(&logs);
}

/* ------------------------------------------------------------------------------------------
 * verify_block (state_transition)
 * ---------------------------------------------------------------------------------------- */


static void print_computed(const computed_t *c)
{
	if (c->executed) {
		rt_printf("evm: computed stateRoot 0x");
		print_hex(c->state_root.b, 32);
		rt_printf("\nevm: computed transactionsRoot 0x");
		print_hex(c->transactions_root.b, 32);
		rt_printf("\nevm: computed receiptsRoot 0x");
		print_hex(c->receipts_root.b, 32);
		rt_printf("\nevm: computed withdrawalsRoot 0x");
		print_hex(c->withdrawals_root.b, 32);
		rt_printf("\nevm: computed logsBloom 0x");
		print_hex(c->bloom, 256);
		rt_printf("\nevm: computed gasUsed %llu\n", (unsigned long long)c->gas_used);
	}
	rt_printf("evm: computed baseFeePerGas ");
	print_u256(&c->base_fee_per_gas);
	rt_printf("\n");
	if (c->executed)
		rt_printf("evm: computed blobGasUsed %llu\n", (unsigned long long)c->blob_gas_used);
	rt_printf("evm: computed excessBlobGas %llu\n", (unsigned long long)c->excess_blob_gas);
	if (c->executed) {
		rt_printf("evm: computed logsHash 0x");
		print_hex(c->logs_hash.b, 32);
		rt_printf("\n");
	}
}

static unsigned mismatch_hash(const char *field, const uint8_t *computed, const uint8_t *claimed,
			      size_t n)
{
	if (memcmp(computed, claimed, n) == 0)
		return 0;
	rt_printf("evm: mismatch %s computed=0x", field);
	print_hex(computed, n);
	rt_printf(" claimed=0x");
	print_hex(claimed, n);
	rt_printf("\n");
	return 1;
}

static unsigned mismatch_u64(const char *field, uint64_t computed, uint64_t claimed)
{
	if (computed == claimed)
		return 0;
	rt_printf("evm: mismatch %s computed=%llu claimed=%llu\n", field,
		  (unsigned long long)computed, (unsigned long long)claimed);
	return 1;
}

/* validate_header's checks, each printed as a mismatch line; returns how many failed. Range
 * checks print the allowed range as the computed value. */
static unsigned validate_header(const header_t *parent, const header_t *header, const computed_t *c)
{
	unsigned bad = 0;
	bad += mismatch_u64("number", parent->number + 1, header->number);
	if (header->timestamp <= parent->timestamp) {
		rt_printf("evm: mismatch timestamp computed=>%llu claimed=%llu\n",
			  (unsigned long long)parent->timestamp,
			  (unsigned long long)header->timestamp);
		bad++;
	}
	if (!check_gas_limit(header->gas_limit, parent->gas_limit)) {
		uint64_t delta = parent->gas_limit / GAS_LIMIT_ADJUSTMENT_FACTOR;
		uint64_t lo = parent->gas_limit - delta + 1;
		if (lo < GAS_LIMIT_MINIMUM)
			lo = GAS_LIMIT_MINIMUM;
		rt_printf("evm: mismatch gasLimit computed=%llu..%llu claimed=%llu\n",
			  (unsigned long long)lo,
			  (unsigned long long)(parent->gas_limit + delta - 1),
			  (unsigned long long)header->gas_limit);
		bad++;
	}
	if (header->gas_used > header->gas_limit) {
		rt_printf("evm: mismatch gasUsed computed=<=%llu claimed=%llu\n",
			  (unsigned long long)header->gas_limit,
			  (unsigned long long)header->gas_used);
		bad++;
	}
	u256 claimed_fee = u256_from_u64(header->base_fee_per_gas);
	if (!u256_eq(&c->base_fee_per_gas, &claimed_fee)) {
		rt_printf("evm: mismatch baseFeePerGas computed=");
		print_u256(&c->base_fee_per_gas);
		rt_printf(" claimed=%llu\n", (unsigned long long)header->base_fee_per_gas);
		bad++;
	}
	bad += mismatch_u64("excessBlobGas", c->excess_blob_gas, header->excess_blob_gas);
	if (!u256_is_zero(&header->difficulty)) {
		rt_printf("evm: mismatch difficulty computed=0 claimed=");
		print_u256(&header->difficulty);
		rt_printf("\n");
		bad++;
	}
	static const uint8_t zero_nonce[8] = {0};
	bad += mismatch_hash("nonce", zero_nonce, header->nonce, 8);
	bad += mismatch_hash("ommersHash", EMPTY_OMMER_HASH.b, header->ommers_hash.b, 32);
	return bad;
}

static unsigned compare_executed(const computed_t *c, const header_t *h)
{
	unsigned bad = 0;
	bad += mismatch_hash("stateRoot", c->state_root.b, h->state_root.b, 32);
	bad += mismatch_hash("transactionsRoot", c->transactions_root.b, h->transactions_root.b, 32);
	bad += mismatch_hash("receiptsRoot", c->receipts_root.b, h->receipt_root.b, 32);
	bad += mismatch_hash("withdrawalsRoot", c->withdrawals_root.b, h->withdrawals_root.b, 32);
	bad += mismatch_hash("logsBloom", c->bloom, h->bloom, 256);
	bad += mismatch_u64("gasUsed", c->gas_used, h->gas_used);
	bad += mismatch_u64("blobGasUsed", c->blob_gas_used, h->blob_gas_used);
	return bad;
}

static void print_stats(uint64_t txs)
{
	rt_printf("evm: stats txs=%llu hints=%llu preimages=%llu preimage_bytes=%llu trie_nodes=%llu\n",
		  (unsigned long long)txs, (unsigned long long)oracle_hint_count,
		  (unsigned long long)oracle_preimage_count,
		  (unsigned long long)oracle_preimage_bytes,
		  (unsigned long long)trie_nodes_resolved);
}

static verdict finish(verdict v, uint64_t txs)
{
	print_stats(txs);
	rt_printf("evm: verdict %s\n", v == VERDICT_VALID ? "valid" : "invalid");
	return v;
}

verdict verify_block(const hash32_t *parent_hash, const hash32_t *claimed_hash,
		     const chain_config_t *config)
{
	bool verify = config->mode == MODE_VERIFY_BLOCK;
	const chain_rules_t *rules = config->rules ? config->rules : &ETHEREUM_RULES;
	header_t parent, header;
	/* The claimed header is the claim under dispute: bytes that hash to the claimed hash but
	 * are not a Cancun header make the claim invalid (exit 1), never a panic, so that an
	 * honest challenger can always answer a malformed claim. The agreed parent must decode. */
	bytes_t claimed_rlp = oracle_fetch_by_hash("l2-block-header", claimed_hash);
	bool claimed_decodes = header_decode(claimed_rlp.data, claimed_rlp.len, &header);
	rt_free(claimed_rlp.data);
	if (!claimed_decodes && !verify)
		fatal_undecodable("claimed block header does not decode as a Cancun header");
	if (claimed_decodes)
		rt_printf("evm: block %llu 0x", (unsigned long long)header.number);
	else
		rt_printf("evm: block unknown 0x");
	print_hex(claimed_hash->b, 32);
	rt_printf("\n");
	fetch_header(parent_hash, &parent);
	if (!claimed_decodes) {
		rt_printf("evm: mismatch header computed=cancun-header claimed=undecodable\n");
		return finish(VERDICT_INVALID, 0);
	}

	if (verify && !hash_eq(&header.parent_hash, parent_hash)) {
		mismatch_hash("parentHash", parent_hash->b, header.parent_hash.b, 32);
		return finish(VERDICT_INVALID, 0);
	}

	computed_t c;
	memset(&c, 0, sizeof(c));
	c.base_fee_per_gas = calculate_base_fee_per_gas(rules, parent.gas_limit, parent.gas_used,
							parent.base_fee_per_gas);
	c.excess_blob_gas = calculate_excess_blob_gas(&parent);

	/* The body: transactions and withdrawals from the claimed header's tries. */
	oracle_hint("l2-transactions", claimed_hash->b, 32);
	trie_t *tx_trie = trie_open(&header.transactions_root, resolve_by_hash, NULL);
	item_list_t txs = read_list(tx_trie);
	oracle_hint("l2-withdrawals", claimed_hash->b, 32);
	trie_t *wd_trie = trie_open(&header.withdrawals_root, resolve_by_hash, NULL);
	item_list_t wds = read_list(wd_trie);

	block_hashes_t hashes;
	block_hashes_init(&hashes, parent_hash, &parent);
	block_env_t block_env;
	memset(&block_env, 0, sizeof(block_env));
	block_env.chain_id = config->chain_id;
	block_env.state = state_open(&parent.state_root, parent.number);
	block_env.block_gas_limit = header.gas_limit;
	block_env.get_block_hash = get_block_hash;
	block_env.block_hash_ctx = &hashes;
	block_env.coinbase = header.coinbase;
	block_env.number = header.number;
	block_env.base_fee_per_gas = header.base_fee_per_gas;
	block_env.time = header.timestamp;
	block_env.prev_randao = header.prev_randao;
	block_env.excess_blob_gas = header.excess_blob_gas;
	block_env.parent_beacon_block_root = header.parent_beacon_block_root;

	block_output_t out;
	bool body_ok = apply_body(rules, &block_env, &txs, &wds, verify, &out, NULL, NULL);
	if (body_ok)
		compute_body_fields(&block_env, &txs, &wds, &out, &c);
	print_computed(&c);

	unsigned bad = body_ok ? 0 : 1;
	if (verify)
		bad += validate_header(&parent, &header, &c);
	if (c.executed)
		bad += compare_executed(&c, &header);

	buf_free(&out.logs_payload);
	return finish(bad == 0 ? VERDICT_VALID : VERDICT_INVALID, out.tx_count);
}

/* ------------------------------------------------------------------------------------------
 * build_block: a block from a template and a transaction list (the rollup's derived blocks)
 * ---------------------------------------------------------------------------------------- */

static hash32_t parent_hash_only(void *ctx, uint64_t number, bool *found)
{
	const build_env_t *env = ctx;
	hash32_t zero;
	memset(&zero, 0, sizeof(zero));
	*found = number == env->parent.number;
	return *found ? env->parent_hash : zero;
}

void build_block(const build_env_t *env, const block_template_t *t, const bytes_t *txs,
		 size_t count, built_block_t *out)
{
	memset(out, 0, sizeof(*out));
	header_t *h = &out->header;
	h->parent_hash = env->parent_hash;
	h->ommers_hash = EMPTY_OMMER_HASH;
	h->coinbase = t->coinbase;
	h->number = env->parent.number + 1;
	h->gas_limit = t->gas_limit;
	h->timestamp = t->timestamp;
	h->prev_randao = t->prev_randao;
	h->base_fee_per_gas = next_base_fee(env->rules, &env->parent);
	h->excess_blob_gas = env->rules->op_stack ? 0 : calculate_excess_blob_gas(&env->parent);
	h->parent_beacon_block_root = t->parent_beacon_block_root;

	block_env_t block_env;
	memset(&block_env, 0, sizeof(block_env));
	block_env.chain_id = env->chain_id;
	block_env.state = env->state;
	block_env.block_gas_limit = h->gas_limit;
	block_env.get_block_hash = env->get_block_hash ? env->get_block_hash : parent_hash_only;
	block_env.block_hash_ctx = env->get_block_hash ? env->block_hash_ctx : (void *)env;
	block_env.coinbase = h->coinbase;
	block_env.number = h->number;
	block_env.base_fee_per_gas = h->base_fee_per_gas;
	block_env.time = h->timestamp;
	block_env.prev_randao = h->prev_randao;
	block_env.excess_blob_gas = h->excess_blob_gas;
	block_env.parent_beacon_block_root = h->parent_beacon_block_root;

	item_list_t list = {(bytes_t *)txs, count};
	item_list_t none = {NULL, 0};
	block_output_t bo;
	out->valid = apply_body(env->rules, &block_env, &list, &none, true, &bo, &out->bad_index,
				&out->reason);
	out->tx_count = bo.tx_count;
	if (out->valid) {
		computed_t c;
		memset(&c, 0, sizeof(c));
		compute_body_fields(&block_env, &list, &none, &bo, &c);
		h->state_root = c.state_root;
		h->transactions_root = c.transactions_root;
		h->receipt_root = c.receipts_root;
		h->withdrawals_root = c.withdrawals_root;
		memcpy(h->bloom, c.bloom, 256);
		h->gas_used = c.gas_used;
		h->blob_gas_used = c.blob_gas_used;
		header_hash(h, &out->hash);
	}
	trie_free(bo.receipts_trie);
	buf_free(&bo.logs_payload);
}
