/* World state (execution-specs `state.py`), journaled.
 *
 * The spec snapshots whole tries at begin_transaction; here every change is written to a
 * journal and rollback_transaction undoes entries back to the matching begin. Accounts and
 * storage slots are cached in hash maps in front of the tries; the tries are only touched by
 * state_root()/storage_root(), which write the dirty entries back and hash.
 *
 * The pre-state is the trie under the agreed block's state root. Accounts and slots not yet
 * cached are read through the oracle: hint l2-account-proof / l2-account-storage-proof for
 * the agreed block number, then the trie walk fetches nodes by hash (l2-state-node with the
 * path as context, for nodes the proof did not cover, e.g. a sibling in a branch collapse).
 *
 * The EIP-2929 access sets and EIP-1153 transient storage live here too and are journaled
 * the same way, so a reverted call frame forgets what it warmed (as the spec's child Evm
 * whose sets are not merged on error).
 */
#ifndef EVM_STATE_H
#define EVM_STATE_H

#include "types.h"
#include "u256.h"

typedef struct {
	uint64_t nonce;
	u256 balance;
	hash32_t code_hash; /* EMPTY_CODE_HASH for no code */
} account_t;

typedef struct state state_t;

/* Opens the state under `state_root` of block `block_number` (used in the proof hints). */
state_t *state_open(const hash32_t *state_root, uint64_t block_number);

/* ---- accounts (state.py names) ---- */
bool get_account_optional(state_t *s, const address_t *a, account_t *out); /* false: none */
account_t get_account(state_t *s, const address_t *a); /* EMPTY_ACCOUNT when none */
void set_account(state_t *s, const address_t *a, const account_t *acct); /* NULL deletes */
void destroy_account(state_t *s, const address_t *a);  /* account and its storage */
void destroy_storage(state_t *s, const address_t *a);
void mark_account_created(state_t *s, const address_t *a);
bool account_was_created(state_t *s, const address_t *a); /* in created_accounts (EIP-6780) */
bool account_exists(state_t *s, const address_t *a);
bool account_has_code_or_nonce(state_t *s, const address_t *a);
bool account_has_storage(state_t *s, const address_t *a);
bool is_account_alive(state_t *s, const address_t *a); /* exists and not empty (EIP-161) */
void move_ether(state_t *s, const address_t *from, const address_t *to, const u256 *amount);
void set_account_balance(state_t *s, const address_t *a, const u256 *amount);
void increment_nonce(state_t *s, const address_t *a);
void set_code(state_t *s, const address_t *a, const uint8_t *code, size_t len);
/* The account's code (fetched by code hash via l2-code and cached; verified). The bytes stay
 * owned by the state. */
bytes_t get_code(state_t *s, const address_t *a);

/* ---- storage ---- */
u256 get_storage(state_t *s, const address_t *a, const u256 *key);
void set_storage(state_t *s, const address_t *a, const u256 *key, const u256 *value);
u256 get_storage_original(state_t *s, const address_t *a, const u256 *key); /* at tx start */
u256 get_transient_storage(state_t *s, const address_t *a, const u256 *key);
void set_transient_storage(state_t *s, const address_t *a, const u256 *key, const u256 *value);

/* ---- EIP-2929 access sets (per transaction, journaled) ---- */
/* Adds the address; returns true if it was already warm. */
bool access_address(state_t *s, const address_t *a);
bool access_storage_key(state_t *s, const address_t *a, const u256 *key);
bool address_is_warm(state_t *s, const address_t *a);

/* ---- transactions (nested, as state.py) ---- */
void begin_transaction(state_t *s);
void commit_transaction(state_t *s);
void rollback_transaction(state_t *s);
/* Start/end of a whole transaction: clears transient storage, access sets, created_accounts
 * and the "original" storage values (state.py does this when the outermost snapshot goes). */
void state_begin_tx(state_t *s);
void state_end_tx(state_t *s);

/* ---- roots ---- */
void storage_root(state_t *s, const address_t *a, hash32_t *out);
void state_root(state_t *s, hash32_t *out);

extern const account_t EMPTY_ACCOUNT;

#endif
