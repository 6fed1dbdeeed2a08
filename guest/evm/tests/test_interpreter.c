/* Unit-test main for the interpreter: runs message calls against pre-states given on stdin
 * and prints what execution-specs' process_message_call would let one observe, so that
 * tests/evm/test_evm_interpreter.py can run the same cases through the Python spec and compare.
 *
 * Input, one command per line (hex without 0x, "-" for empty bytes; numbers decimal):
 *   case                                start a new case on an empty state
 *   acct ADDR BALANCE NONCE CODE        pre-state account (BALANCE hex)
 *   slot ADDR KEY VALUE                 pre-state storage (hex words)
 *   env COINBASE NUMBER GASLIMIT BASEFEE TIME PREVRANDAO EXCESSBLOBGAS CHAINID GASPRICE
 *   bhash NUMBER HASH                   BLOCKHASH answer
 *   blob HASH                           a blob versioned hash of the transaction
 *   warm ADDR / warmkey ADDR KEY        access-list entries
 *   call CALLER TARGET|- VALUE DATA GAS run it (TARGET "-": create with DATA as init code)
 *   q ADDR KEY...                       after the call: print the account and these slots
 *   root                                print the state root
 * Output:
 *   result ERROR GASLEFT REFUND OUTPUT  (REFUND signed decimal)
 *   log ADDR TOPIC,TOPIC|- DATA         for each log of a successful call
 *   delete ADDR                         accounts_to_delete
 *   acct ADDR EXISTS NONCE BALANCE CODEHASH / slot ADDR KEY VALUE / root HASH
 *
 * The top-level setup mirrors the parts of fork.py's process_transaction/prepare_message the
 * interpreter depends on: the access sets start with caller, target, precompiles and the
 * listed entries; accounts_to_delete are destroyed after the call.
 *
 * The state is state.c's, opened on the empty trie: it still hints every first account read,
 * so the test runs with a host on fds 3-6 that acknowledges hints (no preimage is needed). */
#include "hash.h"
#include "rt.h"
#include "state.h"
#include "tests/test_io.h"
#include "vm/vm.h"

static int strcmp_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a != *b;
}

#define MAX_BLOCK_HASHES 300
#define MAX_BLOBS 16

typedef struct {
	state_t *state;
	block_env_t block_env;
	tx_env_t tx_env;
	uint64_t bh_numbers[MAX_BLOCK_HASHES];
	hash32_t bh_hashes[MAX_BLOCK_HASHES];
	size_t bh_count;
	hash32_t blobs[MAX_BLOBS];
	address_t warm[64];
	size_t warm_count;
	address_t warm_key_addr[64];
	u256 warm_key[64];
	size_t warm_key_count;
} test_case;

static test_case tc;

static hash32_t get_block_hash(void *ctx, uint64_t number, bool *found)
{
	(void)ctx;
	hash32_t h;
	memset(h.b, 0, 32);
	*found = false;
	for (size_t i = 0; i < tc.bh_count; i++) {
		if (tc.bh_numbers[i] == number) {
			*found = true;
			return tc.bh_hashes[i];
		}
	}
	return h;
}

static uint64_t parse_u64(const char *s)
{
	uint64_t v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return v;
}

static address_t parse_address(const char *s)
{
	bytes_t b = test_parse_hex(s);
	address_t a;
	memset(a.b, 0, 20);
	size_t n = b.len > 20 ? 20 : b.len;
	memcpy(a.b + 20 - n, b.data + b.len - n, n);
	rt_free(b.data);
	return a;
}

static u256 parse_word(const char *s)
{
	bytes_t b = test_parse_hex(s);
	size_t n = b.len > 32 ? 32 : b.len;
	u256 v = u256_from_be(b.data + b.len - n, n);
	rt_free(b.data);
	return v;
}

static hash32_t parse_hash(const char *s)
{
	u256 v = parse_word(s);
	hash32_t h;
	u256_to_be(&v, h.b);
	return h;
}

static void put_word(const u256 *v)
{
	uint8_t be[32];
	u256_to_be(v, be);
	test_put_hex_bytes(be, 32);
}

static void put_bytes(const uint8_t *p, size_t n)
{
	if (n == 0)
		test_put("-");
	else
		test_put_hex_bytes(p, n);
}

static void new_case(void)
{
	memset(&tc, 0, sizeof(tc));
	tc.state = state_open(&EMPTY_TRIE_ROOT, 0);
	tc.block_env.state = tc.state;
	tc.block_env.get_block_hash = get_block_hash;
	tc.block_env.chain_id = 1;
	tc.block_env.block_gas_limit = 30000000;
	tc.block_env.number = 1;
	tc.tx_env.blob_versioned_hashes = tc.blobs;
	tc.tx_env.index_in_block = 0;
}

static void run_call(char **w)
{
	state_t *state = tc.state;
	address_t caller = parse_address(w[1]);
	bool is_create = w[2][0] == '-';
	u256 value = parse_word(w[3]);
	bytes_t data = test_parse_hex(w[4]);
	uint64_t gas = parse_u64(w[5]);

	tc.tx_env.origin = caller;
	tc.tx_env.gas = gas;
	state_begin_tx(state);

	message_t msg;
	memset(&msg, 0, sizeof(msg));
	msg.block_env = &tc.block_env;
	msg.tx_env = &tc.tx_env;
	msg.caller = caller;
	msg.gas = gas;
	msg.value = value;
	msg.depth = 0;
	msg.should_transfer_value = true;
	msg.is_static = false;
	if (is_create) {
		msg.has_target = false;
		msg.current_target = compute_contract_address(&caller, get_account(state, &caller).nonce);
		msg.data.data = NULL;
		msg.data.len = 0;
		msg.code = data;
		msg.has_code_address = false;
	} else {
		msg.has_target = true;
		msg.target = parse_address(w[2]);
		msg.current_target = msg.target;
		msg.data = data;
		msg.code = get_code(state, &msg.target);
		msg.has_code_address = true;
		msg.code_address = msg.target;
	}

	/* prepare_message's accessed_addresses / accessed_storage_keys */
	access_address(state, &caller);
	for (uint8_t i = 1; i <= 10; i++) {
		address_t p;
		memset(p.b, 0, 20);
		p.b[19] = i;
		access_address(state, &p);
	}
	for (size_t i = 0; i < tc.warm_count; i++)
		access_address(state, &tc.warm[i]);
	access_address(state, &msg.current_target);
	for (size_t i = 0; i < tc.warm_key_count; i++)
		access_storage_key(state, &tc.warm_key_addr[i], &tc.warm_key[i]);

	message_call_output_t out = process_message_call(&msg);

	for (size_t i = 0; i < out.accounts_to_delete.count; i++)
		destroy_account(state, &out.accounts_to_delete.items[i]);
	state_end_tx(state);

	test_put("result ");
	test_put(evm_error_name(out.error));
	test_put(" ");
	test_put_uint(out.gas_left);
	test_put(" ");
	if (out.refund_counter < 0) {
		test_put("-");
		test_put_uint((uint64_t)(-out.refund_counter));
	} else {
		test_put_uint((uint64_t)out.refund_counter);
	}
	test_put(" ");
	put_bytes(out.return_data.data, out.return_data.len);
	test_put("\n");
	for (size_t i = 0; i < out.logs.count; i++) {
		const log_t *l = &out.logs.items[i];
		test_put("log ");
		test_put_hex_bytes(l->address.b, 20);
		test_put(" ");
		if (l->topic_count == 0)
			test_put("-");
		for (size_t t = 0; t < l->topic_count; t++) {
			if (t)
				test_put(",");
			test_put_hex_bytes(l->topics[t].b, 32);
		}
		test_put(" ");
		put_bytes(l->data.data, l->data.len);
		test_put("\n");
	}
	for (size_t i = 0; i < out.accounts_to_delete.count; i++) {
		test_put("delete ");
		test_put_hex_bytes(out.accounts_to_delete.items[i].b, 20);
		test_put("\n");
	}
	rt_free(data.data);
}

static void query(char **w, int n)
{
	address_t a = parse_address(w[1]);
	account_t acct;
	bool exists = get_account_optional(tc.state, &a, &acct);
	if (!exists)
		acct = EMPTY_ACCOUNT;
	test_put("acct ");
	test_put_hex_bytes(a.b, 20);
	test_put(exists ? " 1 " : " 0 ");
	test_put_uint(acct.nonce);
	test_put(" ");
	put_word(&acct.balance);
	test_put(" ");
	test_put_hex_bytes(acct.code_hash.b, 32);
	test_put("\n");
	for (int i = 2; i < n; i++) {
		u256 key = parse_word(w[i]);
		u256 v = get_storage(tc.state, &a, &key);
		test_put("slot ");
		test_put_hex_bytes(a.b, 20);
		test_put(" ");
		put_word(&key);
		test_put(" ");
		put_word(&v);
		test_put("\n");
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *input = test_read_all(&len);
	char *cursor = input;
	char *w[72];
	int n;
	while ((n = test_next_line(&cursor, w, 72)) >= 0) {
		if (n == 0)
			continue;
		const char *cmd = w[0];
		if (!strcmp_eq(cmd, "case")) {
			new_case();
		} else if (!strcmp_eq(cmd, "acct") && n == 5) {
			address_t a = parse_address(w[1]);
			account_t acct = EMPTY_ACCOUNT;
			acct.balance = parse_word(w[2]);
			acct.nonce = parse_u64(w[3]);
			set_account(tc.state, &a, &acct);
			bytes_t code = test_parse_hex(w[4]);
			if (code.len)
				set_code(tc.state, &a, code.data, code.len);
		} else if (!strcmp_eq(cmd, "slot") && n == 4) {
			address_t a = parse_address(w[1]);
			u256 key = parse_word(w[2]), value = parse_word(w[3]);
			set_storage(tc.state, &a, &key, &value);
		} else if (!strcmp_eq(cmd, "env") && n == 10) {
			tc.block_env.coinbase = parse_address(w[1]);
			tc.block_env.number = parse_u64(w[2]);
			tc.block_env.block_gas_limit = parse_u64(w[3]);
			tc.block_env.base_fee_per_gas = parse_u64(w[4]);
			tc.block_env.time = parse_u64(w[5]);
			tc.block_env.prev_randao = parse_hash(w[6]);
			tc.block_env.excess_blob_gas = parse_u64(w[7]);
			tc.block_env.chain_id = parse_u64(w[8]);
			tc.tx_env.gas_price = parse_word(w[9]);
		} else if (!strcmp_eq(cmd, "bhash") && n == 3 && tc.bh_count < MAX_BLOCK_HASHES) {
			tc.bh_numbers[tc.bh_count] = parse_u64(w[1]);
			tc.bh_hashes[tc.bh_count++] = parse_hash(w[2]);
		} else if (!strcmp_eq(cmd, "blob") && n == 2 && tc.tx_env.blob_versioned_hash_count < MAX_BLOBS) {
			tc.blobs[tc.tx_env.blob_versioned_hash_count++] = parse_hash(w[1]);
		} else if (!strcmp_eq(cmd, "warm") && n == 2 && tc.warm_count < 64) {
			tc.warm[tc.warm_count++] = parse_address(w[1]);
		} else if (!strcmp_eq(cmd, "warmkey") && n == 3 && tc.warm_key_count < 64) {
			tc.warm_key_addr[tc.warm_key_count] = parse_address(w[1]);
			tc.warm_key[tc.warm_key_count++] = parse_word(w[2]);
		} else if (!strcmp_eq(cmd, "call") && n == 6) {
			run_call(w);
		} else if (!strcmp_eq(cmd, "q") && n >= 2) {
			query(w, n);
		} else if (!strcmp_eq(cmd, "root")) {
			hash32_t r;
			state_root(tc.state, &r);
			test_put("root ");
			test_put_hex_bytes(r.b, 32);
			test_put("\n");
		} else {
			test_put("error bad line ");
			test_put(cmd);
			test_put("\n");
		}
		if (test_out.len > (1u << 16))
			test_flush();
	}
	test_flush();
	return 0;
}
