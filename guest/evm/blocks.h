/* Blocks, headers, withdrawals, logs and receipts (execution-specs `blocks.py`), with their
 * RLP encodings. */
#ifndef EVM_BLOCKS_H
#define EVM_BLOCKS_H

#include "rlp.h"
#include "types.h"
#include "u256.h"

/* A Cancun header: every field through parentBeaconBlockRoot (20 fields). Decoding refuses
 * headers without the Cancun fields (the program proves Cancun blocks only). */
typedef struct {
	hash32_t parent_hash;
	hash32_t ommers_hash;
	address_t coinbase;
	hash32_t state_root;
	hash32_t transactions_root;
	hash32_t receipt_root;
	uint8_t bloom[256];
	u256 difficulty;
	uint64_t number;
	uint64_t gas_limit;
	uint64_t gas_used;
	uint64_t timestamp;
	uint8_t extra_data[32];
	size_t extra_data_len; /* <= 32 */
	hash32_t prev_randao;   /* mixHash */
	uint8_t nonce[8];
	uint64_t base_fee_per_gas;
	hash32_t withdrawals_root;
	uint64_t blob_gas_used;
	uint64_t excess_blob_gas;
	hash32_t parent_beacon_block_root;
} header_t;

bool header_decode(const uint8_t *rlp, size_t n, header_t *out);
void header_encode(const header_t *h, buf_t *out);
void header_hash(const header_t *h, hash32_t *out); /* keccak256(rlp(header)) */

typedef struct {
	uint64_t index;
	uint64_t validator_index;
	address_t address;
	uint64_t amount; /* Gwei */
} withdrawal_t;

bool withdrawal_decode(const uint8_t *rlp, size_t n, withdrawal_t *out);

typedef struct {
	address_t address;
	hash32_t *topics;
	size_t topic_count;
	bytes_t data;
} log_t;

/* rlp([address, [topics...], data]) */
void log_encode(const log_t *log, buf_t *out);
/* rlp of a list of logs: the "logs hash" of state tests is keccak256 of this. */
void logs_encode(const log_t *logs, size_t count, buf_t *out);

/* Receipt (blocks.py `Receipt`): the encoded bytes as they go into the receipts trie
 * (type byte prefix for typed transactions). */
void receipt_encode(uint8_t tx_type, bool succeeded, uint64_t cumulative_gas_used,
		    const uint8_t bloom[256], const log_t *logs, size_t count, buf_t *out);

#endif
