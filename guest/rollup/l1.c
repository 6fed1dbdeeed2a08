/* The L1 view (docs/ROLLUP.md §4-§5, spec §6.1, §6.9): headers walked back from the L1 head
 * through `l1-block-header`, batcher transactions through `l1-transactions` (the block's
 * transaction trie), deposit logs through `l1-receipts` (its receipt trie). Every preimage
 * is checked against its hash by oracle.c. Batcher calldata is read as the config's
 * batch_format says: the rlp-list format here, frames by frames.c. */
#include "hash.h"
#include "oracle.h"
#include "rlp.h"
#include "rollup.h"
#include "transactions.h"
#include "trie.h"

static bytes_t resolve_by_hash(void *ctx, const hash32_t *hash, const uint8_t *path, size_t npath)
{
	(void)ctx;
	(void)path;
	(void)npath;
	return oracle_keccak_preimage(hash);
}

/* An L1 header: the London fields at least; Cancun's (and later) ones when present. */
static bool l1_header_decode(const uint8_t *p, size_t n, l1_header_t *h)
{
	rlp_item top, f[32];
	if (!rlp_decode(p, n, &top) || !top.is_list)
		return false;
	int count = rlp_list(&top, f, 32);
	if (count < 16)
		return false;
	memset(h, 0, sizeof(*h));
	if (!rlp_get_bytes_fixed(&f[0], h->parent_hash.b, 32) ||
	    !rlp_get_bytes_fixed(&f[4], h->transactions_root.b, 32) ||
	    !rlp_get_bytes_fixed(&f[5], h->receipts_root.b, 32) || !rlp_get_u64(&f[8], &h->number) ||
	    !rlp_get_u64(&f[11], &h->timestamp) || !rlp_get_bytes_fixed(&f[13], h->mix_hash.b, 32) ||
	    !rlp_get_u64(&f[15], &h->base_fee))
		return false;
	if (count >= 19) {
		h->has_excess_blob_gas = true;
		if (!rlp_get_u64(&f[18], &h->excess_blob_gas))
			return false;
	}
	if (count >= 20 && !rlp_get_bytes_fixed(&f[19], h->parent_beacon_block_root.b, 32))
		return false;
	return true;
}

static void fetch_l1_header(const hash32_t *hash, l1_header_t *out)
{
	bytes_t rlp = oracle_fetch_by_hash("l1-block-header", hash);
	if (!l1_header_decode(rlp.data, rlp.len, out))
		fatal_undecodable("L1 block header does not decode");
	out->hash = *hash;
	rt_free(rlp.data);
}

void l1_chain_init(l1_chain_t *c, const hash32_t *l1_head, uint64_t from_number)
{
	l1_header_t head;
	fetch_l1_header(l1_head, &head);
	c->first = from_number;
	c->count = 0;
	c->headers = NULL;
	if (head.number < from_number)
		return;
	c->count = (size_t)(head.number - from_number + 1);
	c->headers = rt_malloc(c->count * sizeof(l1_header_t));
	c->headers[c->count - 1] = head;
	for (size_t i = c->count - 1; i > 0; i--) {
		fetch_l1_header(&c->headers[i].parent_hash, &c->headers[i - 1]);
		if (c->headers[i - 1].number + 1 != c->headers[i].number)
			fatal_undecodable("L1 parent header has the wrong number");
	}
}

const l1_header_t *l1_block(const l1_chain_t *c, uint64_t number)
{
	if (number < c->first || number - c->first >= c->count)
		return NULL;
	return &c->headers[number - c->first];
}

/* The values of a derivable list trie (rlp(0), rlp(1), ...), after one hint. The trie is
 * kept (the values are views into it). */
size_t read_trie_list(const char *hint, const hash32_t *block_hash, const hash32_t *root,
			bytes_t **items)
{
	oracle_hint(hint, block_hash->b, 32);
	trie_t *t = trie_open(root, resolve_by_hash, NULL);
	size_t count = 0, cap = 0;
	*items = NULL;
	buf_t key = {0};
	for (uint64_t i = 0;; i++) {
		key.len = 0;
		rlp_put_u64(&key, i);
		bytes_t value;
		if (!trie_get(t, key.data, key.len, &value))
			break;
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			bytes_t *grown = rt_malloc(cap * sizeof(bytes_t));
			if (count)
				memcpy(grown, *items, count * sizeof(bytes_t));
			rt_free(*items);
			*items = grown;
		}
		(*items)[count++] = bytes_dup(value.data, value.len);
	}
	buf_free(&key);
	trie_free(t);
	return count;
}

/* calldata = 0x00 ‖ rlp([batch, ...]), batch = rlp([parent_hash, epoch_number, epoch_hash,
 * timestamp, [tx, ...]]). All or nothing. */
static bool decode_batches(const uint8_t *p, size_t n, uint64_t inclusion, batch_t **batches,
			   size_t *count, size_t *cap)
{
	if (n < 1 || p[0] != 0x00)
		return false;
	rlp_item list;
	if (!rlp_decode(p + 1, n - 1, &list) || !list.is_list)
		return false;
	size_t start = *count;
	const uint8_t *cur = list.payload;
	size_t left = list.len;
	rlp_item item;
	while (left > 0) {
		rlp_item f[5];
		if (!rlp_next(&cur, &left, &item) || !item.is_list || rlp_list(&item, f, 5) != 5)
			goto bad;
		batch_t b;
		memset(&b, 0, sizeof(b));
		b.inclusion_block = inclusion;
		if (!rlp_get_bytes_fixed(&f[0], b.parent_hash.b, 32) ||
		    !rlp_get_u64(&f[1], &b.epoch_number) ||
		    !rlp_get_bytes_fixed(&f[2], b.epoch_hash.b, 32) ||
		    !rlp_get_u64(&f[3], &b.timestamp) || !f[4].is_list)
			goto bad;
		size_t txs = 0;
		const uint8_t *tc = f[4].payload;
		size_t tl = f[4].len;
		rlp_item t;
		while (tl > 0) {
			if (!rlp_next(&tc, &tl, &t) || t.is_list)
				goto bad;
			txs++;
		}
		b.txs = txs ? rt_malloc(txs * sizeof(bytes_t)) : NULL;
		tc = f[4].payload;
		tl = f[4].len;
		for (size_t i = 0; i < txs; i++) {
			rlp_next(&tc, &tl, &t);
			b.txs[i] = bytes_dup(t.payload, t.len);
		}
		b.tx_count = txs;
		if (*count == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			batch_t *grown = rt_malloc(*cap * sizeof(batch_t));
			if (*count)
				memcpy(grown, *batches, *count * sizeof(batch_t));
			rt_free(*batches);
			*batches = grown;
		}
		(*batches)[(*count)++] = b;
	}
	return true;
bad:
	*count = start; /* the allocations of a bad calldata are dropped with it */
	return false;
}

void l1_read_batches(const l1_header_t *h, channel_state_t *ch, batch_t **batches,
		     size_t *count, size_t *cap)
{
	const frames_reader_t *frames = ROLLUP_CONFIG.frames;
	if (frames)
		frames->begin_block(ch, h->number);
	bytes_t *txs;
	size_t n = read_trie_list("l1-transactions", &h->hash, &h->transactions_root, &txs);
	for (size_t i = 0; i < n; i++) {
		transaction_t tx;
		if (!decode_transaction(txs[i].data, txs[i].len, &tx))
			continue;
		if (tx.type == TX_TYPE_BLOB || !tx.has_to ||
		    !address_eq(&tx.to, &ROLLUP_CONFIG.batch_inbox_address)) {
			transaction_free(&tx);
			continue;
		}
		address_t sender;
		const char *reason;
		bool signed_ok = recover_sender(ROLLUP_CONFIG.l1_chain_id, &tx, &sender, &reason);
		if (signed_ok && address_eq(&sender, &ROLLUP_CONFIG.batcher_address)) {
			if (frames) {
				frames->read_tx(ch, h, i, &tx.data, batches, count, cap);
			} else {
				size_t before = *count;
				bool ok = decode_batches(tx.data.data, tx.data.len, h->number,
							 batches, count, cap);
				rt_printf("rollup: l1 %llu tx %llu batcher calldata %s batches=%llu\n",
					  (unsigned long long)h->number, (unsigned long long)i,
					  ok ? "ok" : "undecodable-ignored",
					  (unsigned long long)(*count - before));
			}
		}
		transaction_free(&tx);
	}
	/* the batches hold copies */
	for (size_t i = 0; i < n; i++)
		rt_free(txs[i].data);
	rt_free(txs);
}

/* keccak("TransactionDeposited(address,address,uint256,bytes)") */
static void deposit_topic(hash32_t *out)
{
	static const char sig[] = "TransactionDeposited(address,address,uint256,bytes)";
	keccak256(sig, sizeof(sig) - 1, out->b);
}

static void derivation_error(const char *what)
{
	rt_printf("rollup: derivation error %s\n", what);
	fatal_undecodable("malformed deposit log: no valid L2 chain from this L1");
}

/* One TransactionDeposited log (spec §6.9). */
static void decode_deposit_log(const rlp_item *topics_item, const rlp_item *data_item,
			       const hash32_t *l1_hash, uint64_t log_index, deposit_t *d)
{
	rlp_item topics[4];
	if (!topics_item->is_list || rlp_list(topics_item, topics, 4) != 4)
		derivation_error("topics");
	hash32_t t[4];
	for (int i = 0; i < 4; i++)
		if (!rlp_get_bytes_fixed(&topics[i], t[i].b, 32))
			derivation_error("topic");
	for (int i = 0; i < 32; i++)
		if (t[3].b[i] != 0)
			derivation_error("version");
	if (data_item->is_list)
		derivation_error("data");
	const uint8_t *data = data_item->payload;
	size_t n = data_item->len;
	if (n < 64 || n % 32 != 0)
		derivation_error("data length");
	for (int i = 0; i < 31; i++)
		if (data[i] != 0)
			derivation_error("offset");
	if (data[31] != 0x20)
		derivation_error("offset");
	for (int i = 32; i < 56; i++)
		if (data[i] != 0)
			derivation_error("opaque length");
	uint64_t len = be64_read(data + 56);
	if (len > n - 64 || len + 32 <= n - 64)
		derivation_error("opaque length");
	const uint8_t *o = data + 64;
	if (len < 73)
		derivation_error("opaque too short");
	memset(d, 0, sizeof(*d));
	deposit_source_hash(l1_hash, log_index, &d->source_hash);
	memcpy(d->from.b, t[1].b + 12, 20);
	d->mint = u256_from_be(o, 32);
	d->value = u256_from_be(o + 32, 32);
	d->gas = be64_read(o + 64);
	d->has_to = o[72] == 0;
	if (d->has_to)
		memcpy(d->to.b, t[2].b + 12, 20);
	d->data = bytes_dup(o + 73, (size_t)len - 73);
}

void l1_read_deposits(const l1_header_t *h, deposit_t **deposits, size_t *count)
{
	hash32_t topic0;
	deposit_topic(&topic0);
	bytes_t *receipts;
	size_t n = read_trie_list("l1-receipts", &h->hash, &h->receipts_root, &receipts);
	size_t cap = 0;
	*deposits = NULL;
	*count = 0;
	uint64_t log_index = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = receipts[i].data;
		size_t len = receipts[i].len;
		if (len > 0 && p[0] < 0x80) { /* typed receipt */
			p++;
			len--;
		}
		rlp_item top, f[4];
		if (!rlp_decode(p, len, &top) || !top.is_list || rlp_list(&top, f, 4) != 4 ||
		    !f[3].is_list)
			fatal_undecodable("L1 receipt does not decode");
		uint64_t status = 0;
		bool succeeded = rlp_get_u64(&f[0], &status) && status == 1;
		const uint8_t *cur = f[3].payload;
		size_t left = f[3].len;
		rlp_item log;
		while (left > 0) {
			rlp_item lf[3];
			if (!rlp_next(&cur, &left, &log) || !log.is_list || rlp_list(&log, lf, 3) != 3)
				fatal_undecodable("L1 log does not decode");
			address_t emitter;
			if (!rlp_get_bytes_fixed(&lf[0], emitter.b, 20))
				fatal_undecodable("L1 log address does not decode");
			rlp_item first;
			const uint8_t *tc = lf[1].payload;
			size_t tl = lf[1].len;
			bool is_deposit = succeeded && lf[1].is_list &&
					  address_eq(&emitter, &ROLLUP_CONFIG.deposit_contract_address) &&
					  rlp_next(&tc, &tl, &first) && !first.is_list &&
					  first.len == 32 && memcmp(first.payload, topic0.b, 32) == 0;
			if (is_deposit) {
				if (*count == cap) {
					cap = cap ? cap * 2 : 8;
					deposit_t *grown = rt_malloc(cap * sizeof(deposit_t));
					if (*count)
						memcpy(grown, *deposits, *count * sizeof(deposit_t));
					rt_free(*deposits);
					*deposits = grown;
				}
				decode_deposit_log(&lf[1], &lf[2], &h->hash, log_index,
						   &(*deposits)[(*count)++]);
			}
			log_index++;
		}
	}
	for (size_t i = 0; i < n; i++)
		rt_free(receipts[i].data);
	rt_free(receipts);
}
