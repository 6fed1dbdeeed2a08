/* The rollup's fault proof program (docs/ROLLUP.md §5-§6): op-program's shape on the C EVM.
 *
 * main.c       boot keys, the run order of op-program (spec §1.3), the verdict
 * l1.c         the L1 view: headers walked back from the L1 head, batcher transactions,
 *              deposit logs from receipts
 * frames.c     ROLLUP.md §4.2: OP's frames, the Holocene channel assembler, zlib channels,
 *              the batch stream (batch_format "frames"; inflate.c inflates)
 * derive.c     ROLLUP.md §5: safe head, L1 cursor, batch buffer, the batch rules, deposits-only
 *              blocks, replacement of invalid batch blocks
 * attributes.c the transactions and template of an L2 block (ROLLUP.md §3)
 * output.c     output root v0 (spec §4), the agreed output through `l2-output`
 * config (generated at build time from the RollupConfig JSON, faultproof.guests)
 *
 * Everything prints `rollup: ...` lines; inputs that cannot be decoded end the run with
 * fatal_undecodable (exit 2).
 */
#ifndef ROLLUP_H
#define ROLLUP_H

#include "blocks.h"
#include "fork.h"
#include "state.h"
#include "types.h"
#include "u256.h"

/* How batcher calldata carries batches (ROLLUP.md §4.1 / §4.2). */
typedef enum { BATCH_FORMAT_RLP_LIST = 0, BATCH_FORMAT_FRAMES = 1 } batch_format_t;

typedef struct frames_reader frames_reader_t; /* frames.c's reader, below */

/* docs/ROLLUP.md §1, compiled in (the generated config source defines ROLLUP_CONFIG). */
typedef struct {
	uint64_t l1_chain_id;
	uint64_t l2_chain_id;
	uint64_t block_time;
	uint64_t seq_window_size;
	uint64_t max_sequencer_drift;
	uint64_t genesis_l1_number;
	hash32_t genesis_l1_hash;
	uint64_t genesis_l2_number;
	hash32_t genesis_l2_hash;
	uint64_t genesis_l2_time;
	address_t batch_inbox_address;
	address_t batcher_address;
	address_t deposit_contract_address;
	uint64_t gas_limit;
	uint64_t eip1559_denominator;
	uint64_t eip1559_elasticity;
	batch_format_t batch_format;
	uint64_t channel_timeout; /* L1 blocks a channel may stay open (frames only) */
	/* &FRAMES_READER when batch_format is frames, else NULL: an rlp-list program then links
	 * none of frames.c and inflate.c (--gc-sections), so its code and steps stay as they were */
	const frames_reader_t *frames;
} rollup_config_t;

extern const rollup_config_t ROLLUP_CONFIG;

/* ---- helpers (output.c) ---- */
void print_hash(const hash32_t *h); /* 0x + 64 hex digits */
uint64_t be64_read(const uint8_t *p);
void be64_write(uint8_t *p, uint64_t v);

/* ---- the L1 view (l1.c) ---- */

/* What derivation needs of an L1 header (any fork from London on decodes). */
typedef struct {
	hash32_t hash;
	hash32_t parent_hash;
	hash32_t transactions_root;
	hash32_t receipts_root;
	uint64_t number;
	uint64_t timestamp;
	hash32_t mix_hash;
	uint64_t base_fee;
	bool has_excess_blob_gas;
	uint64_t excess_blob_gas;
	hash32_t parent_beacon_block_root; /* zero when the header has none */
} l1_header_t;

/* One user deposit, from a TransactionDeposited log (spec §6.9). */
typedef struct {
	hash32_t source_hash;
	address_t from;
	bool has_to;
	address_t to;
	u256 mint;
	u256 value;
	uint64_t gas;
	bytes_t data; /* rt_malloc'd */
} deposit_t;

/* A singular batch (ROLLUP.md §4) with the L1 block that included it. */
typedef struct {
	hash32_t parent_hash;
	uint64_t epoch_number;
	hash32_t epoch_hash;
	uint64_t timestamp;
	bytes_t *txs; /* rt_malloc'd copies, never freed (blocks keep pointing at them) */
	size_t tx_count;
	uint64_t inclusion_block;
} batch_t;

typedef struct {
	l1_header_t *headers; /* headers[i] is L1 block first + i, up to the L1 head */
	size_t count;
	uint64_t first;
} l1_chain_t;

/* Walks back from the L1 head to block `from_number` (fetching each header by hash with
 * `l1-block-header`). A head below `from_number` gives an empty view. */
void l1_chain_init(l1_chain_t *c, const hash32_t *l1_head, uint64_t from_number);
/* The values of a block's derivable-list trie under `root` (rlp(0), rlp(1), ... up to the
 * first absent index), after the hint `<hint> <block hash>`; each value rt_malloc'd. */
size_t read_trie_list(const char *hint, const hash32_t *block_hash, const hash32_t *root,
		      bytes_t **items);
/* The header of L1 block `number`, or NULL when it is past the L1 head (or before first). */
const l1_header_t *l1_block(const l1_chain_t *c, uint64_t number);

/* ---- frames and channels (frames.c, ROLLUP.md §4.2) ---- */

#define FRAME_MAX_DATA_LEN 1000000u            /* OP's MaxFrameLen */
#define MAX_RLP_BYTES_PER_CHANNEL 10000000u    /* pre-Fjord: channel data and inflated bytes */

/* Holocene's single staging channel; it lives across L1 blocks (zero-initialised: none). */
typedef struct {
	bool staging;
	uint8_t id[16];
	uint64_t open_block;  /* the L1 block of its frame 0 */
	uint32_t last_frame;  /* the frame number appended last */
	uint32_t frame_count;
	buf_t data;           /* the frames' data so far */
} channel_state_t;

/* Before the frames of L1 block `l1_number`: drops a staging channel that timed out
 * (l1_number > open_block + channel_timeout). */
void channel_begin_block(channel_state_t *ch, uint64_t l1_number);
/* Checks one batcher transaction's calldata: version 0 and at least one frame, every frame
 * parsing (spec §6.1: else the transaction is ignored as a whole; *why says why). */
bool frames_parse(const uint8_t *p, size_t n, size_t *frames, const char **why);
/* Feeds the frames of calldata that frames_parse accepted, in order, to the assembler for
 * L1 block `l1_number`; the batches of every channel closed are appended with inclusion
 * block `l1_number`. */
void frames_feed(channel_state_t *ch, uint64_t l1_number, const uint8_t *p, size_t n,
		 batch_t **batches, size_t *count, size_t *cap);
/* Transaction `index` of L1 block `h`, from the batcher to the inbox: frames_parse, a
 * `rollup: l1 ... batcher frames` line, frames_feed. */
void frames_read_tx(channel_state_t *ch, const l1_header_t *h, size_t index,
		    const bytes_t *calldata, batch_t **batches, size_t *count, size_t *cap);

/* What l1.c calls for batch_format frames (through ROLLUP_CONFIG.frames). */
struct frames_reader {
	void (*begin_block)(channel_state_t *ch, uint64_t l1_number);
	void (*read_tx)(channel_state_t *ch, const l1_header_t *h, size_t index,
			const bytes_t *calldata, batch_t **batches, size_t *count, size_t *cap);
};
extern const frames_reader_t FRAMES_READER;
/* A closed channel's data: zlib-inflated (at most MAX_RLP_BYTES_PER_CHANNEL bytes, the bytes
 * before an error kept), then read as a batch stream. Returns the number of batches
 * appended; prints nothing. *inflate_what / *stream_what say how each stage ended. */
size_t channel_decode(const uint8_t *data, size_t n, uint64_t inclusion, batch_t **batches,
		      size_t *count, size_t *cap, const char **inflate_what,
		      const char **stream_what);
/* A batch stream (RLP strings 0x00 ‖ rlp(batch)) up to the first one that does not decode;
 * returns the number of batches appended. *complete: every byte was read as batches. */
size_t batch_stream_read(const uint8_t *p, size_t n, uint64_t inclusion, batch_t **batches,
			 size_t *count, size_t *cap, bool *complete);

/* The batches of one L1 block: calldata of its transactions to the inbox sent by the batcher
 * (sender recovered with the L1 chain id), read by the config's batch_format. rlp-list:
 * undecodable calldata is skipped as a whole. frames: ROLLUP_CONFIG.frames feeds the channel
 * assembler `ch` (unused for rlp-list). Appends to *batches (growing the array). */
void l1_read_batches(const l1_header_t *h, channel_state_t *ch, batch_t **batches,
		     size_t *count, size_t *cap);

/* The user deposits of one L1 block, in log order. A malformed deposit log is a derivation
 * error (fatal, exit 2). */
void l1_read_deposits(const l1_header_t *h, deposit_t **deposits, size_t *count);

/* ---- block attributes (attributes.c) ---- */

/* The encoded L1 info deposit (0x7E ‖ rlp) for an L2 block with L1 origin `origin` and
 * sequence number `seq`. */
bytes_t l1_info_deposit(const l1_header_t *origin, uint64_t seq);
/* The encoded user deposit. */
bytes_t user_deposit_tx(const deposit_t *d);
/* A user deposit's source hash: domain 0, (L1 block hash, log index in the block). */
void deposit_source_hash(const hash32_t *l1_hash, uint64_t log_index, hash32_t *out);
/* The block template of ROLLUP.md §3. */
void block_template(const l1_header_t *origin, uint64_t timestamp, block_template_t *t);
/* Reads sequence number, L1 number and L1 hash from an L1 info deposit (the first
 * transaction of an L2 block). False when it is not one. */
bool parse_l1_info(const uint8_t *raw, size_t n, uint64_t *seq, uint64_t *l1_number,
		   hash32_t *l1_hash);

/* ---- output roots (output.c) ---- */
void output_root_v0(const hash32_t *state_root, const hash32_t *message_passer_root,
		    const hash32_t *block_hash, hash32_t *out);
/* The L2 block an agreed output root commits to: `l2-output` hint, the 128-byte preimage
 * (version 0), the header under its block hash (whose state root must match). */
void agreed_output_block(const hash32_t *output_root, hash32_t *block_hash, header_t *header);
/* The L2 header by hash (`l2-block-header`). */
void fetch_l2_header(const hash32_t *hash, header_t *out);
extern const address_t MESSAGE_PASSER_ADDRESS;

/* ---- derivation (derive.c) ---- */
typedef struct {
	hash32_t hash;
	header_t header;
	uint64_t l1_origin_number;
	hash32_t l1_origin_hash;
	uint64_t seq;
} safe_head_t;

typedef struct {
	safe_head_t safe;
	hash32_t output_root; /* of the safe head */
	uint64_t blocks_derived;
	uint64_t l1_blocks_read;
	uint64_t batches_read;
} derive_result_t;

/* ROLLUP.md §5 from the agreed L2 block until the safe head reaches `target_number` or L1
 * is exhausted. */
void derive(const hash32_t *l1_head, const hash32_t *agreed_hash, const header_t *agreed,
	    uint64_t target_number, derive_result_t *out);

#endif
