/* The transactions and the template of a derived L2 block (docs/ROLLUP.md §3, spec §6.8,
 * §6.9): the L1 info deposit, user deposits, coinbase/randao/beacon root from the origin. */
#include "hash.h"
#include "rlp.h"
#include "rollup.h"
#include "transactions.h"
#include "vm/gas.h"

/* 0xdeaddeaddeaddeaddeaddeaddeaddeaddead0001 */
static const address_t L1_INFO_DEPOSITOR = {{0xde, 0xad, 0xde, 0xad, 0xde, 0xad, 0xde,
					      0xad, 0xde, 0xad, 0xde, 0xad, 0xde, 0xad,
					      0xde, 0xad, 0xde, 0xad, 0x00, 0x01}};
/* L1Block 0x4200000000000000000000000000000000000015 */
static const address_t L1_BLOCK_ADDRESS = {{0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					     0, 0, 0, 0, 0, 0, 0, 0, 0, 0x15}};
/* SequencerFeeVault 0x4200000000000000000000000000000000000011: the L2 coinbase */
static const address_t SEQUENCER_FEE_VAULT = {{0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0,
						0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11}};

#define L1_INFO_GAS 1000000
#define L1_INFO_LEN 164
static const uint8_t SET_L1_BLOCK_VALUES_ECOTONE[4] = {0x44, 0x0a, 0x5e, 0x20};

/* keccak256(u256(domain) ‖ keccak256(a ‖ u256(b))) (spec §6.9) */
static void source_hash(uint64_t domain, const hash32_t *a, uint64_t b, hash32_t *out)
{
	uint8_t buf[64];
	memcpy(buf, a->b, 32);
	memset(buf + 32, 0, 24);
	be64_write(buf + 56, b);
	uint8_t inner[32];
	keccak256(buf, 64, inner);
	memset(buf, 0, 24);
	be64_write(buf + 24, domain);
	memcpy(buf + 32, inner, 32);
	keccak256(buf, 64, out->b);
}

static bytes_t encode_deposit(const hash32_t *source, const address_t *from, const address_t *to,
			      const u256 *mint, const u256 *value, uint64_t gas, const uint8_t *data,
			      size_t len)
{
	buf_t b = {0};
	buf_push(&b, TX_TYPE_DEPOSIT);
	size_t begin = rlp_list_begin(&b);
	rlp_put_bytes(&b, source->b, 32);
	rlp_put_bytes(&b, from->b, 20);
	if (to)
		rlp_put_bytes(&b, to->b, 20);
	else
		rlp_put_bytes(&b, NULL, 0);
	rlp_put_u256(&b, mint);
	rlp_put_u256(&b, value);
	rlp_put_u64(&b, gas);
	rlp_put_u64(&b, 0); /* isSystemTx false (Regolith) */
	rlp_put_bytes(&b, data, len);
	rlp_list_end(&b, begin);
	bytes_t out = {b.data, b.len};
	return out;
}

bytes_t l1_info_deposit(const l1_header_t *origin, uint64_t seq)
{
	uint8_t data[L1_INFO_LEN];
	memset(data, 0, sizeof(data));
	memcpy(data, SET_L1_BLOCK_VALUES_ECOTONE, 4);
	/* 4..11: base fee scalar and blob base fee scalar, both 0 (ROLLUP.md §3) */
	be64_write(data + 12, seq);
	be64_write(data + 20, origin->timestamp);
	be64_write(data + 28, origin->number);
	be64_write(data + 60, origin->base_fee); /* u256 at 36..67 */
	u256 blob_base_fee = u256_from_u64(1);
	if (origin->has_excess_blob_gas)
		blob_base_fee = calculate_blob_gas_price(origin->excess_blob_gas);
	u256_to_be(&blob_base_fee, data + 68);
	memcpy(data + 100, origin->hash.b, 32);
	memcpy(data + 132 + 12, ROLLUP_CONFIG.batcher_address.b, 20);
	hash32_t source;
	source_hash(1, &origin->hash, seq, &source);
	u256 zero = u256_zero();
	return encode_deposit(&source, &L1_INFO_DEPOSITOR, &L1_BLOCK_ADDRESS, &zero, &zero,
			      L1_INFO_GAS, data, sizeof(data));
}

bytes_t user_deposit_tx(const deposit_t *d)
{
	return encode_deposit(&d->source_hash, &d->from, d->has_to ? &d->to : NULL, &d->mint,
			      &d->value, d->gas, d->data.data, d->data.len);
}

void block_template(const l1_header_t *origin, uint64_t timestamp, block_template_t *t)
{
	memset(t, 0, sizeof(*t));
	t->coinbase = SEQUENCER_FEE_VAULT;
	t->timestamp = timestamp;
	t->gas_limit = ROLLUP_CONFIG.gas_limit;
	t->prev_randao = origin->mix_hash;
	t->parent_beacon_block_root = origin->parent_beacon_block_root;
}

bool parse_l1_info(const uint8_t *raw, size_t n, uint64_t *seq, uint64_t *l1_number,
		   hash32_t *l1_hash)
{
	transaction_t tx;
	if (!decode_deposit_transaction(raw, n, &tx))
		return false;
	if (!address_eq(&tx.from, &L1_INFO_DEPOSITOR) || tx.data.len != L1_INFO_LEN ||
	    memcmp(tx.data.data, SET_L1_BLOCK_VALUES_ECOTONE, 4) != 0)
		return false;
	*seq = be64_read(tx.data.data + 12);
	*l1_number = be64_read(tx.data.data + 28);
	memcpy(l1_hash->b, tx.data.data + 100, 32);
	return true;
}

void deposit_source_hash(const hash32_t *l1_hash, uint64_t log_index, hash32_t *out)
{
	source_hash(0, l1_hash, log_index, out);
}
