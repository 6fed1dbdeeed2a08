/* Transactions (execution-specs `transactions.py`, Cancun): the four types, their decoding
 * from the bytes stored in a block's transaction trie, intrinsic gas, the static validity
 * checks and sender recovery.
 *
 * A decoded transaction keeps views into its raw bytes (data, and the fields the signing
 * hashes cover), so the raw buffer must outlive it. Arrays (access list, versioned hashes)
 * are rt_malloc'd and released by transaction_free.
 *
 * Undecodable transaction bytes are not a fatal input error: the block producer chose them,
 * so they make the block invalid (decode_transaction returns false).
 */
#ifndef EVM_TRANSACTIONS_H
#define EVM_TRANSACTIONS_H

#include "types.h"
#include "u256.h"

#define TX_BASE_COST 21000
#define TX_DATA_COST_PER_NON_ZERO 16
#define TX_DATA_COST_PER_ZERO 4
#define TX_CREATE_COST 32000
#define TX_ACCESS_LIST_ADDRESS_COST 2400
#define TX_ACCESS_LIST_STORAGE_KEY_COST 1900

/* vm/interpreter.py */
#define MAX_CODE_SIZE 0x6000
#define MAX_INIT_CODE_SIZE (2 * MAX_CODE_SIZE)

enum {
	TX_TYPE_LEGACY = 0,      /* LegacyTransaction */
	TX_TYPE_ACCESS_LIST = 1, /* AccessListTransaction (EIP-2930) */
	TX_TYPE_FEE_MARKET = 2,  /* FeeMarketTransaction (EIP-1559) */
	TX_TYPE_BLOB = 3,        /* BlobTransaction (EIP-4844) */
	TX_TYPE_DEPOSIT = 0x7e,  /* OP Stack deposit (docs/ROLLUP.md §3); op_stack rules only */
};

typedef struct {
	address_t account;
	hash32_t *slots; /* rt_malloc'd */
	size_t slot_count;
} access_t;

typedef struct {
	uint8_t type;
	uint64_t chain_id;               /* typed transactions only */
	u256 nonce;                      /* U256 in the spec; validate_transaction bounds it */
	u256 gas_price;                  /* legacy and 2930 */
	u256 max_priority_fee_per_gas;   /* 1559 and 4844 */
	u256 max_fee_per_gas;            /* 1559 and 4844 */
	uint64_t gas;
	bool has_to;                     /* false: contract creation (to = Bytes0) */
	address_t to;
	u256 value;
	bytes_t data;                    /* view into `raw` */
	access_t *access_list;           /* rt_malloc'd */
	size_t access_list_count;
	u256 max_fee_per_blob_gas;       /* 4844 */
	hash32_t *blob_versioned_hashes; /* rt_malloc'd, 4844 */
	size_t blob_versioned_hash_count;
	u256 v;                          /* legacy v, or y_parity of typed transactions */
	u256 r, s;
	/* The encoding as stored in the trie (encode_transaction: type byte ‖ rlp for typed
	 * transactions, the rlp list for legacy ones): a view, owned by the caller. */
	bytes_t raw;
	/* The concatenated encodings of every field before the signature (a view into raw):
	 * what the signing hashes wrap in a list. */
	const uint8_t *unsigned_fields;
	size_t unsigned_fields_len;
	/* Deposit transactions (type 0x7E) only: no signature, the sender is given. */
	hash32_t source_hash;
	address_t from;
	u256 mint;
	bool is_system_tx;
} transaction_t;

/* decode_transaction: `raw` is a trie value (legacy rlp list, or type byte ‖ rlp). False when
 * the bytes are not a well-formed Cancun transaction (then nothing needs freeing). */
bool decode_transaction(const uint8_t *raw, size_t n, transaction_t *tx);
void transaction_free(transaction_t *tx);

/* An OP deposit transaction: 0x7E ‖ rlp([sourceHash, from, to, mint, value, gas, isSystemTx,
 * data]) (spec §5.3). False when the bytes are not one. The nonce, fees and signature fields
 * of `tx` stay zero; `data` and `raw` are views into `raw`. */
bool decode_deposit_transaction(const uint8_t *raw, size_t n, transaction_t *tx);

/* Gas charged before execution: base, calldata, creation (with EIP-3860 init code words),
 * access list. */
uint64_t calculate_intrinsic_cost(const transaction_t *tx);

/* validate_transaction: intrinsic gas <= gas, nonce < 2^64-1, init code size. On success the
 * intrinsic gas; on failure false and a reason (a static string). */
bool validate_transaction(const transaction_t *tx, uint64_t *intrinsic_gas, const char **reason);

/* The hash the sender signed (signing_hash_pre155 / _155 / _2930 / _1559 / _4844). */
void signing_hash(const transaction_t *tx, uint64_t chain_id, hash32_t *out);

/* recover_sender: the spec's r/s/v range checks, then secp256k1 recovery through the
 * ecrecover oracle (oracle_precompile(0x01, 3000, hash ‖ v ‖ r ‖ s)). False and a reason
 * when the signature is invalid. Typed transactions whose chain_id differs from `chain_id`
 * are refused here too (every client does; the executable spec leaves it to the signature). */
bool recover_sender(uint64_t chain_id, const transaction_t *tx, address_t *sender,
		    const char **reason);

/* get_transaction_hash: keccak256 of the raw encoding. */
void get_transaction_hash(const transaction_t *tx, hash32_t *out);

#endif
