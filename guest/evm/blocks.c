/* Headers, withdrawals, logs and receipts (execution-specs `blocks.py`) and their RLP. */
#include "blocks.h"

#include "hash.h"

#define HEADER_FIELDS 20 /* Cancun: through parent_beacon_block_root */

bool header_decode(const uint8_t *rlp, size_t n, header_t *out)
{
	rlp_item top, f[HEADER_FIELDS];
	if (!rlp_decode(rlp, n, &top) || !top.is_list)
		return false;
	if (rlp_list(&top, f, HEADER_FIELDS) != HEADER_FIELDS)
		return false; /* pre-Cancun or later-fork headers are not for this program */
	memset(out, 0, sizeof *out);
	if (f[12].is_list || f[12].len > 32)
		return false;
	out->extra_data_len = f[12].len;
	if (f[12].len)
		memcpy(out->extra_data, f[12].payload, f[12].len);
	return rlp_get_bytes_fixed(&f[0], out->parent_hash.b, 32) &&
	       rlp_get_bytes_fixed(&f[1], out->ommers_hash.b, 32) &&
	       rlp_get_bytes_fixed(&f[2], out->coinbase.b, 20) &&
	       rlp_get_bytes_fixed(&f[3], out->state_root.b, 32) &&
	       rlp_get_bytes_fixed(&f[4], out->transactions_root.b, 32) &&
	       rlp_get_bytes_fixed(&f[5], out->receipt_root.b, 32) &&
	       rlp_get_bytes_fixed(&f[6], out->bloom, 256) &&
	       rlp_get_u256(&f[7], &out->difficulty) &&
	       rlp_get_u64(&f[8], &out->number) &&
	       rlp_get_u64(&f[9], &out->gas_limit) &&
	       rlp_get_u64(&f[10], &out->gas_used) &&
	       rlp_get_u64(&f[11], &out->timestamp) &&
	       rlp_get_bytes_fixed(&f[13], out->prev_randao.b, 32) &&
	       rlp_get_bytes_fixed(&f[14], out->nonce, 8) &&
	       rlp_get_u64(&f[15], &out->base_fee_per_gas) &&
	       rlp_get_bytes_fixed(&f[16], out->withdrawals_root.b, 32) &&
	       rlp_get_u64(&f[17], &out->blob_gas_used) &&
	       rlp_get_u64(&f[18], &out->excess_blob_gas) &&
	       rlp_get_bytes_fixed(&f[19], out->parent_beacon_block_root.b, 32);
}

void header_encode(const header_t *h, buf_t *out)
{
	size_t list = rlp_list_begin(out);
	rlp_put_bytes(out, h->parent_hash.b, 32);
	rlp_put_bytes(out, h->ommers_hash.b, 32);
	rlp_put_bytes(out, h->coinbase.b, 20);
	rlp_put_bytes(out, h->state_root.b, 32);
	rlp_put_bytes(out, h->transactions_root.b, 32);
	rlp_put_bytes(out, h->receipt_root.b, 32);
	rlp_put_bytes(out, h->bloom, 256);
	rlp_put_u256(out, &h->difficulty);
	rlp_put_u64(out, h->number);
	rlp_put_u64(out, h->gas_limit);
	rlp_put_u64(out, h->gas_used);
	rlp_put_u64(out, h->timestamp);
	rlp_put_bytes(out, h->extra_data, h->extra_data_len);
	rlp_put_bytes(out, h->prev_randao.b, 32);
	rlp_put_bytes(out, h->nonce, 8);
	rlp_put_u64(out, h->base_fee_per_gas);
	rlp_put_bytes(out, h->withdrawals_root.b, 32);
	rlp_put_u64(out, h->blob_gas_used);
	rlp_put_u64(out, h->excess_blob_gas);
	rlp_put_bytes(out, h->parent_beacon_block_root.b, 32);
	rlp_list_end(out, list);
}

void header_hash(const header_t *h, hash32_t *out)
{
	buf_t b = {0};
	header_encode(h, &b);
	keccak256(b.data, b.len, out->b);
	buf_free(&b);
}

bool withdrawal_decode(const uint8_t *rlp, size_t n, withdrawal_t *out)
{
	rlp_item top, f[4];
	if (!rlp_decode(rlp, n, &top) || rlp_list(&top, f, 4) != 4)
		return false;
	return rlp_get_u64(&f[0], &out->index) && rlp_get_u64(&f[1], &out->validator_index) &&
	       rlp_get_bytes_fixed(&f[2], out->address.b, 20) &&
	       rlp_get_u64(&f[3], &out->amount);
}

void log_encode(const log_t *log, buf_t *out)
{
	size_t list = rlp_list_begin(out);
	rlp_put_bytes(out, log->address.b, 20);
	size_t topics = rlp_list_begin(out);
	for (size_t i = 0; i < log->topic_count; i++)
		rlp_put_bytes(out, log->topics[i].b, 32);
	rlp_list_end(out, topics);
	rlp_put_bytes(out, log->data.data, log->data.len);
	rlp_list_end(out, list);
}

void logs_encode(const log_t *logs, size_t count, buf_t *out)
{
	size_t list = rlp_list_begin(out);
	for (size_t i = 0; i < count; i++)
		log_encode(&logs[i], out);
	rlp_list_end(out, list);
}

/* fork.py `make_receipt`: typed transactions' receipts are the type byte followed by the
 * RLP; a legacy transaction's (type 0) is the bare RLP. */
void receipt_encode(uint8_t tx_type, bool succeeded, uint64_t cumulative_gas_used,
		    const uint8_t bloom[256], const log_t *logs, size_t count, buf_t *out)
{
	if (tx_type != 0)
		buf_push(out, tx_type);
	size_t list = rlp_list_begin(out);
	uint8_t one = 1;
	rlp_put_bytes(out, &one, succeeded ? 1 : 0);
	rlp_put_u64(out, cumulative_gas_used);
	rlp_put_bytes(out, bloom, 256);
	logs_encode(logs, count, out);
	rlp_list_end(out, list);
}
