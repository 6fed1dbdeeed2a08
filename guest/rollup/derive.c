/* Derivation (docs/ROLLUP.md §5): from the agreed L2 block, read L1 forward from the safe
 * head's L1 origin (frames: channel_timeout blocks earlier, §4.2), take batches by OP's singular batch rules, build deposits-only blocks
 * when the sequencing window expires, replace a block whose batch transactions are invalid
 * by the deposits-only block, and execute every block on the state kept in memory. */
#include "oracle.h"
#include "rollup.h"
#include "transactions.h"

/* A derived block, kept so that the chain can be replayed from the agreed state (a block
 * found invalid leaves the state half-changed; replaying the valid ones restores it). */
typedef struct {
	block_template_t tmpl;
	bytes_t *txs;
	size_t tx_count;
	hash32_t hash;
	header_t header;
} derived_t;

typedef struct {
	l1_chain_t l1;
	uint64_t cursor; /* the next L1 block to read */
	batch_t *batches;
	size_t batch_count, batch_cap;
	safe_head_t safe;
	state_t *state;
	hash32_t agreed_hash;
	header_t agreed;
	derived_t *blocks;
	size_t block_count, block_cap;
	/* ancestors of the agreed block for BLOCKHASH: ancestors[k] = block agreed.number - k */
	hash32_t ancestors[256];
	unsigned known_ancestors;
	chain_rules_t rules;
	uint64_t batches_read;
} deriver_t;

static void print_batch(const char *what, const batch_t *b, const char *reason)
{
	rt_printf("rollup: batch %s timestamp=%llu epoch=%llu l1=%llu txs=%llu%s%s\n", what,
		  (unsigned long long)b->timestamp, (unsigned long long)b->epoch_number,
		  (unsigned long long)b->inclusion_block, (unsigned long long)b->tx_count,
		  reason ? " reason=" : "", reason ? reason : "");
}

/* BLOCKHASH: derived blocks from memory, the agreed block's ancestors by walking headers. */
static hash32_t block_hash_at(void *ctx, uint64_t number, bool *found)
{
	deriver_t *d = ctx;
	hash32_t zero;
	memset(&zero, 0, sizeof(zero));
	*found = false;
	if (number > d->safe.header.number)
		return zero;
	if (number > d->agreed.number) {
		*found = true;
		return d->blocks[number - d->agreed.number - 1].hash;
	}
	uint64_t k = d->agreed.number - number;
	if (k >= 256)
		return zero;
	while (d->known_ancestors <= k) {
		header_t h;
		fetch_l2_header(&d->ancestors[d->known_ancestors - 1], &h);
		d->ancestors[d->known_ancestors++] = h.parent_hash;
	}
	*found = true;
	return d->ancestors[k];
}

/* Executes one block on d->state; false when it is invalid (the state is then dirty). */
static bool execute(deriver_t *d, const block_template_t *t, bytes_t *txs, size_t count,
		    const safe_head_t *parent, built_block_t *out)
{
	build_env_t env;
	memset(&env, 0, sizeof(env));
	env.rules = &d->rules;
	env.chain_id = ROLLUP_CONFIG.l2_chain_id;
	env.state = d->state;
	env.parent_hash = parent->hash;
	env.parent = parent->header;
	env.get_block_hash = block_hash_at;
	env.block_hash_ctx = d;
	build_block(&env, t, txs, count, out);
	return out->valid;
}

/* Back to the state after the safe head: reopen the agreed state and re-execute the
 * derived blocks (all valid). */
static void replay(deriver_t *d)
{
	rt_printf("rollup: replay from %llu blocks=%llu\n", (unsigned long long)d->agreed.number,
		  (unsigned long long)d->block_count);
	d->state = state_open(&d->agreed.state_root, d->agreed.number);
	safe_head_t parent;
	memset(&parent, 0, sizeof(parent));
	parent.hash = d->agreed_hash;
	parent.header = d->agreed;
	safe_head_t saved = d->safe;
	for (size_t i = 0; i < d->block_count; i++) {
		derived_t *b = &d->blocks[i];
		built_block_t built;
		/* block_hash_at must see the chain up to this block's parent only */
		d->safe.header.number = parent.header.number;
		if (!execute(d, &b->tmpl, b->txs, b->tx_count, &parent, &built) ||
		    !hash_eq(&built.hash, &b->hash))
			fatal_undecodable("replay of a derived block differs");
		parent.hash = built.hash;
		parent.header = built.header;
	}
	d->safe = saved;
}

static void remember(deriver_t *d, const block_template_t *t, bytes_t *txs, size_t count,
		     const built_block_t *built)
{
	if (d->block_count == d->block_cap) {
		d->block_cap = d->block_cap ? d->block_cap * 2 : 16;
		derived_t *grown = rt_malloc(d->block_cap * sizeof(derived_t));
		if (d->block_count)
			memcpy(grown, d->blocks, d->block_count * sizeof(derived_t));
		rt_free(d->blocks);
		d->blocks = grown;
	}
	derived_t *b = &d->blocks[d->block_count++];
	b->tmpl = *t;
	b->txs = txs;
	b->tx_count = count;
	b->hash = built->hash;
	b->header = built->header;
}

/* Builds the next L2 block with `origin` at `timestamp` from `batch` (NULL: deposits-only),
 * replacing it by the deposits-only block when a batch transaction is invalid. */
static void build_next(deriver_t *d, const l1_header_t *origin, uint64_t timestamp,
		       const batch_t *batch)
{
	bool origin_changed = origin->number != d->safe.l1_origin_number;
	uint64_t seq = origin_changed ? 0 : d->safe.seq + 1;
	deposit_t *deposits = NULL;
	size_t deposit_count = 0;
	if (origin_changed)
		l1_read_deposits(origin, &deposits, &deposit_count);
	size_t batch_txs = batch ? batch->tx_count : 0;
	size_t count = 1 + deposit_count + batch_txs;
	bytes_t *txs = rt_malloc(count * sizeof(bytes_t));
	txs[0] = l1_info_deposit(origin, seq);
	for (size_t i = 0; i < deposit_count; i++) {
		txs[1 + i] = user_deposit_tx(&deposits[i]);
		rt_free(deposits[i].data.data);
	}
	rt_free(deposits);
	for (size_t i = 0; i < batch_txs; i++)
		txs[1 + deposit_count + i] = batch->txs[i];

	block_template_t t;
	block_template(origin, timestamp, &t);
	built_block_t built;
	const char *kind = batch ? "batch" : "deposits-only";
	if (!execute(d, &t, txs, count, &d->safe, &built)) {
		if (built.bad_index <= deposit_count)
			fatal_undecodable("a deposit cannot be included (block gas limit)");
		rt_printf("rollup: block %llu invalid tx=%llu reason=%s: replaced by deposits-only\n",
			  (unsigned long long)(d->safe.header.number + 1),
			  (unsigned long long)built.bad_index, built.reason);
		replay(d);
		count = 1 + deposit_count;
		kind = "replaced-deposits-only";
		if (!execute(d, &t, txs, count, &d->safe, &built))
			fatal_undecodable("a deposit cannot be included (block gas limit)");
	}
	remember(d, &t, txs, count, &built);
	d->safe.hash = built.hash;
	d->safe.header = built.header;
	d->safe.l1_origin_number = origin->number;
	d->safe.l1_origin_hash = origin->hash;
	d->safe.seq = seq;
	rt_printf("rollup: block %llu ", (unsigned long long)built.header.number);
	print_hash(&built.hash);
	rt_printf(" txs=%llu deposits=%llu batch_txs=%llu origin=%llu seq=%llu timestamp=%llu "
		  "kind=%s\n",
		  (unsigned long long)count, (unsigned long long)(1 + deposit_count),
		  (unsigned long long)(count - 1 - deposit_count), (unsigned long long)origin->number,
		  (unsigned long long)seq, (unsigned long long)timestamp, kind);
}

/* batch_format frames: the staging channel across L1 blocks (one derivation per run). Kept
 * out of deriver_t so that an rlp-list run allocates exactly what it did before frames. */
static channel_state_t frames_channel;

typedef enum { B_ACCEPT, B_DROP, B_FUTURE, B_UNDECIDED } batch_verdict;

static bool tx_allowed(const bytes_t *tx)
{
	return tx->len > 0 && tx->data[0] != TX_TYPE_DEPOSIT && tx->data[0] != TX_TYPE_BLOB;
}

/* ROLLUP.md §5 step 2, in order. */
static batch_verdict check_batch(const deriver_t *d, const batch_t *b, uint64_t next_timestamp,
				 const l1_header_t *epoch, const l1_header_t *next_epoch,
				 const l1_header_t **origin, const char **reason)
{
	const rollup_config_t *c = &ROLLUP_CONFIG;
	if (b->timestamp > next_timestamp)
		return B_FUTURE;
	*reason = "timestamp";
	if (b->timestamp < next_timestamp)
		return B_DROP;
	*reason = "parent hash";
	if (!hash_eq(&b->parent_hash, &d->safe.hash))
		return B_DROP;
	*reason = "sequence window";
	if (b->epoch_number + c->seq_window_size < b->inclusion_block)
		return B_DROP;
	*reason = "epoch number";
	if (b->epoch_number < epoch->number)
		return B_DROP;
	if (b->epoch_number == epoch->number) {
		*origin = epoch;
	} else if (b->epoch_number == epoch->number + 1) {
		if (!next_epoch)
			return B_UNDECIDED;
		*origin = next_epoch;
	} else {
		return B_DROP;
	}
	*reason = "epoch hash";
	if (!hash_eq(&b->epoch_hash, &(*origin)->hash))
		return B_DROP;
	*reason = "timestamp before origin";
	if (b->timestamp < (*origin)->timestamp)
		return B_DROP;
	if (b->timestamp > (*origin)->timestamp + c->max_sequencer_drift) {
		*reason = "sequencer drift";
		if (b->tx_count > 0)
			return B_DROP;
		if (!next_epoch)
			return B_UNDECIDED;
		if (b->timestamp >= next_epoch->timestamp)
			return B_DROP;
	}
	*reason = "transaction type";
	for (size_t i = 0; i < b->tx_count; i++)
		if (!tx_allowed(&b->txs[i]))
			return B_DROP;
	*reason = NULL;
	return B_ACCEPT;
}

static void remove_batch(deriver_t *d, size_t i)
{
	memmove(&d->batches[i], &d->batches[i + 1], (d->batch_count - i - 1) * sizeof(batch_t));
	d->batch_count--;
}

/* One step of the loop; false when L1 is exhausted. */
static bool step(deriver_t *d)
{
	const rollup_config_t *c = &ROLLUP_CONFIG;
	uint64_t next_timestamp = d->safe.header.timestamp + c->block_time;
	const l1_header_t *epoch = l1_block(&d->l1, d->safe.l1_origin_number);
	const l1_header_t *next_epoch =
		d->cursor > epoch->number + 1 ? l1_block(&d->l1, epoch->number + 1) : NULL;

	for (size_t i = 0; i < d->batch_count;) {
		const l1_header_t *origin = NULL;
		const char *reason = NULL;
		batch_t *b = &d->batches[i];
		batch_verdict v = check_batch(d, b, next_timestamp, epoch, next_epoch, &origin,
					      &reason);
		if (v == B_FUTURE) {
			i++;
			continue;
		}
		if (v == B_DROP) {
			print_batch("dropped", b, reason);
			remove_batch(d, i);
			continue;
		}
		if (v == B_UNDECIDED) {
			/* ROLLUP.md §5: kept, and the search goes on (OP's batch queue stops here
			 * and waits for more L1 data; the outcome differs only when two batches
			 * compete for the same block) */
			i++;
			continue;
		}
		batch_t accepted = *b;
		remove_batch(d, i);
		print_batch("accepted", &accepted, NULL);
		build_next(d, origin, next_timestamp, &accepted);
		return true;
	}

	if (next_epoch && d->cursor > epoch->number + c->seq_window_size) {
		const l1_header_t *origin =
			next_timestamp < next_epoch->timestamp ? epoch : next_epoch;
		rt_printf("rollup: sequencing window of epoch %llu expired\n",
			  (unsigned long long)epoch->number);
		build_next(d, origin, next_timestamp, NULL);
		return true;
	}

	const l1_header_t *h = l1_block(&d->l1, d->cursor);
	if (!h)
		return false;
	size_t before = d->batch_count;
	l1_read_batches(h, &frames_channel, &d->batches, &d->batch_count, &d->batch_cap);
	d->batches_read += d->batch_count - before;
	d->cursor++;
	return true;
}

/* The safe head's L1 origin: the config's genesis L1 block for the L2 genesis, else the L1
 * info deposit (first transaction) of the block. */
static void safe_head_origin(deriver_t *d)
{
	if (d->agreed.number == ROLLUP_CONFIG.genesis_l2_number) {
		if (!hash_eq(&d->agreed_hash, &ROLLUP_CONFIG.genesis_l2_hash))
			fatal_undecodable("agreed block at the genesis number is not the L2 genesis");
		d->safe.l1_origin_number = ROLLUP_CONFIG.genesis_l1_number;
		d->safe.l1_origin_hash = ROLLUP_CONFIG.genesis_l1_hash;
		d->safe.seq = 0;
		return;
	}
	bytes_t *txs;
	size_t n = read_trie_list("l2-transactions", &d->agreed_hash, &d->agreed.transactions_root,
				  &txs);
	if (n == 0 || !parse_l1_info(txs[0].data, txs[0].len, &d->safe.seq,
				     &d->safe.l1_origin_number, &d->safe.l1_origin_hash))
		fatal_undecodable("agreed L2 block has no L1 info deposit");
}

/* The first L1 block to read (ROLLUP.md §5, §4.2): the safe head's L1 origin; with frames,
 * channel_timeout blocks before it (not before the genesis L1 block), so that a channel
 * still open at the origin is read from its first frame, as op-node's pipeline reset walks
 * back the channel timeout. */
static uint64_t read_start(uint64_t origin)
{
	const rollup_config_t *c = &ROLLUP_CONFIG;
	if (c->batch_format != BATCH_FORMAT_FRAMES)
		return origin;
	uint64_t back = origin > c->channel_timeout ? origin - c->channel_timeout : 0;
	if (back < c->genesis_l1_number)
		back = c->genesis_l1_number;
	return back < origin ? back : origin;
}

void derive(const hash32_t *l1_head, const hash32_t *agreed_hash, const header_t *agreed,
	    uint64_t target_number, derive_result_t *out)
{
	deriver_t *d = rt_calloc(1, sizeof(deriver_t));
	d->rules.op_stack = true;
	d->rules.eip1559_denominator = ROLLUP_CONFIG.eip1559_denominator;
	d->rules.eip1559_elasticity = ROLLUP_CONFIG.eip1559_elasticity;
	memset(&d->rules.base_fee_recipient, 0, sizeof(address_t));
	d->rules.base_fee_recipient.b[0] = 0x42;
	d->rules.base_fee_recipient.b[19] = 0x19;
	d->agreed_hash = *agreed_hash;
	d->agreed = *agreed;
	d->ancestors[0] = *agreed_hash;
	d->known_ancestors = 1;
	d->safe.hash = *agreed_hash;
	d->safe.header = *agreed;
	safe_head_origin(d);
	rt_printf("rollup: safe head %llu ", (unsigned long long)agreed->number);
	print_hash(agreed_hash);
	rt_printf(" l1_origin=%llu seq=%llu\n", (unsigned long long)d->safe.l1_origin_number,
		  (unsigned long long)d->safe.seq);
	d->state = state_open(&agreed->state_root, agreed->number);

	if (agreed->number < target_number) {
		uint64_t start = read_start(d->safe.l1_origin_number);
		l1_chain_init(&d->l1, l1_head, start);
		const l1_header_t *origin = l1_block(&d->l1, d->safe.l1_origin_number);
		if (origin && !hash_eq(&origin->hash, &d->safe.l1_origin_hash))
			fatal_undecodable("the safe head's L1 origin is not an ancestor of the L1 head");
		rt_printf("rollup: l1 view %llu..%llu\n", (unsigned long long)d->l1.first,
			  (unsigned long long)(d->l1.first + d->l1.count - 1));
		d->cursor = start;
		if (origin) {
			while (d->safe.header.number < target_number && step(d)) {
			}
		}
		if (d->safe.header.number < target_number)
			rt_printf("rollup: l1 exhausted at cursor %llu\n",
				  (unsigned long long)d->cursor);
	}

	hash32_t passer_root;
	storage_root(d->state, &MESSAGE_PASSER_ADDRESS, &passer_root);
	out->safe = d->safe;
	output_root_v0(&d->safe.header.state_root, &passer_root, &d->safe.hash, &out->output_root);
	out->blocks_derived = d->block_count;
	out->l1_blocks_read = d->cursor >= d->l1.first ? d->cursor - d->l1.first : 0;
	out->batches_read = d->batches_read;
}
