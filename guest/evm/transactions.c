/* Transactions (execution-specs `transactions.py`, Cancun). See transactions.h. */
#include "transactions.h"

#include "hash.h"
#include "oracle.h"
#include "rlp.h"
#include "vm/gas.h"

/* secp256k1's group order n and n/2 (ethereum/crypto/elliptic_curve.py SECP256K1N), as
 * big-endian bytes. */
static const uint8_t SECP256K1N_BE[32] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48,
	0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41,
};
static const uint8_t SECP256K1N_HALF_BE[32] = {
	0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4,
	0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
};

/* Field counts of the four encodings, and how many fields precede the signature. */
#define LEGACY_FIELDS 9
#define LEGACY_UNSIGNED 6
#define ACCESS_LIST_FIELDS 11
#define ACCESS_LIST_UNSIGNED 8
#define FEE_MARKET_FIELDS 12
#define FEE_MARKET_UNSIGNED 9
#define BLOB_FIELDS 14
#define BLOB_UNSIGNED 11
#define MAX_FIELDS 14

static bool get_bytes(const rlp_item *it, bytes_t *out)
{
	if (it->is_list)
		return false;
	out->data = (uint8_t *)it->payload;
	out->len = it->len;
	return true;
}

/* `to`: Bytes0 (creation) or a 20-byte address. */
static bool get_to(const rlp_item *it, transaction_t *tx)
{
	if (it->is_list)
		return false;
	if (it->len == 0) {
		tx->has_to = false;
		return true;
	}
	tx->has_to = true;
	return rlp_get_bytes_fixed(it, tx->to.b, 20);
}

/* rlp([[address, [slot, ...]], ...]) */
static bool get_access_list(const rlp_item *it, transaction_t *tx)
{
	if (!it->is_list)
		return false;
	size_t count = 0;
	const uint8_t *cur = it->payload;
	size_t left = it->len;
	rlp_item e;
	while (rlp_next(&cur, &left, &e))
		count++;
	if (left != 0)
		return false;
	tx->access_list = count ? rt_calloc(count, sizeof(access_t)) : NULL;
	tx->access_list_count = count;
	cur = it->payload;
	left = it->len;
	for (size_t i = 0; i < count; i++) {
		access_t *a = &tx->access_list[i];
		rlp_item pair[2];
		if (!rlp_next(&cur, &left, &e) || !e.is_list || rlp_list(&e, pair, 2) != 2)
			return false;
		if (!rlp_get_bytes_fixed(&pair[0], a->account.b, 20) || !pair[1].is_list)
			return false;
		size_t slots = 0;
		const uint8_t *sc = pair[1].payload;
		size_t sl = pair[1].len;
		rlp_item s;
		while (rlp_next(&sc, &sl, &s))
			slots++;
		if (sl != 0)
			return false;
		a->slots = slots ? rt_malloc(slots * sizeof(hash32_t)) : NULL;
		a->slot_count = slots;
		sc = pair[1].payload;
		sl = pair[1].len;
		for (size_t k = 0; k < slots; k++) {
			if (!rlp_next(&sc, &sl, &s) || !rlp_get_bytes_fixed(&s, a->slots[k].b, 32))
				return false;
		}
	}
	return true;
}

static bool get_versioned_hashes(const rlp_item *it, transaction_t *tx)
{
	if (!it->is_list)
		return false;
	size_t count = 0;
	const uint8_t *cur = it->payload;
	size_t left = it->len;
	rlp_item e;
	while (rlp_next(&cur, &left, &e))
		count++;
	if (left != 0)
		return false;
	tx->blob_versioned_hashes = count ? rt_malloc(count * sizeof(hash32_t)) : NULL;
	tx->blob_versioned_hash_count = count;
	cur = it->payload;
	left = it->len;
	for (size_t i = 0; i < count; i++) {
		if (!rlp_next(&cur, &left, &e) ||
		    !rlp_get_bytes_fixed(&e, tx->blob_versioned_hashes[i].b, 32))
			return false;
	}
	return true;
}

/* Splits the list into its fields, remembering where each field's encoding starts so that
 * the unsigned prefix can be re-wrapped for the signing hash. */
static int split_fields(const rlp_item *list, rlp_item *fields, const uint8_t **starts, int max)
{
	const uint8_t *cur = list->payload;
	size_t left = list->len;
	int n = 0;
	while (left > 0) {
		if (n == max)
			return -1;
		starts[n] = cur;
		if (!rlp_next(&cur, &left, &fields[n]))
			return -1;
		n++;
	}
	starts[n] = cur;
	return n;
}

static bool decode_fields(transaction_t *tx, const rlp_item *f)
{
	int i = 0;
	if (tx->type != TX_TYPE_LEGACY && !rlp_get_u64(&f[i++], &tx->chain_id))
		return false;
	if (!rlp_get_u256(&f[i++], &tx->nonce))
		return false;
	if (tx->type == TX_TYPE_LEGACY || tx->type == TX_TYPE_ACCESS_LIST) {
		if (!rlp_get_u256(&f[i++], &tx->gas_price))
			return false;
	} else {
		if (!rlp_get_u256(&f[i++], &tx->max_priority_fee_per_gas) ||
		    !rlp_get_u256(&f[i++], &tx->max_fee_per_gas))
			return false;
	}
	if (!rlp_get_u64(&f[i++], &tx->gas) || !get_to(&f[i++], tx) ||
	    !rlp_get_u256(&f[i++], &tx->value) || !get_bytes(&f[i++], &tx->data))
		return false;
	if (tx->type != TX_TYPE_LEGACY && !get_access_list(&f[i++], tx))
		return false;
	if (tx->type == TX_TYPE_BLOB) {
		/* BlobTransaction.to is an Address, not Bytes0: no creation by decoding */
		if (!tx->has_to)
			return false;
		if (!rlp_get_u256(&f[i++], &tx->max_fee_per_blob_gas) ||
		    !get_versioned_hashes(&f[i++], tx))
			return false;
	}
	return rlp_get_u256(&f[i], &tx->v) && rlp_get_u256(&f[i + 1], &tx->r) &&
	       rlp_get_u256(&f[i + 2], &tx->s);
}

bool decode_transaction(const uint8_t *raw, size_t n, transaction_t *tx)
{
	memset(tx, 0, sizeof(*tx));
	if (n == 0)
		return false;
	tx->raw.data = (uint8_t *)raw;
	tx->raw.len = n;
	const uint8_t *body = raw;
	size_t body_len = n;
	int want, unsigned_count;
	if (raw[0] >= 0xc0) {
		tx->type = TX_TYPE_LEGACY;
		want = LEGACY_FIELDS;
		unsigned_count = LEGACY_UNSIGNED;
	} else {
		tx->type = raw[0];
		body++;
		body_len--;
		switch (tx->type) {
		case TX_TYPE_ACCESS_LIST:
			want = ACCESS_LIST_FIELDS;
			unsigned_count = ACCESS_LIST_UNSIGNED;
			break;
		case TX_TYPE_FEE_MARKET:
			want = FEE_MARKET_FIELDS;
			unsigned_count = FEE_MARKET_UNSIGNED;
			break;
		case TX_TYPE_BLOB:
			want = BLOB_FIELDS;
			unsigned_count = BLOB_UNSIGNED;
			break;
		default:
			return false; /* TransactionTypeError */
		}
	}
	rlp_item list;
	rlp_item fields[MAX_FIELDS];
	const uint8_t *starts[MAX_FIELDS + 1];
	if (!rlp_decode(body, body_len, &list) || !list.is_list)
		return false;
	if (split_fields(&list, fields, starts, MAX_FIELDS) != want)
		return false;
	if (!decode_fields(tx, fields)) {
		transaction_free(tx);
		return false;
	}
	tx->unsigned_fields = starts[0];
	tx->unsigned_fields_len = (size_t)(starts[unsigned_count] - starts[0]);
	return true;
}

bool decode_deposit_transaction(const uint8_t *raw, size_t n, transaction_t *tx)
{
	memset(tx, 0, sizeof(*tx));
	if (n < 2 || raw[0] != TX_TYPE_DEPOSIT)
		return false;
	tx->type = TX_TYPE_DEPOSIT;
	tx->raw.data = (uint8_t *)raw;
	tx->raw.len = n;
	rlp_item list, f[8];
	if (!rlp_decode(raw + 1, n - 1, &list) || !list.is_list || rlp_list(&list, f, 8) != 8)
		return false;
	uint64_t system_flag;
	if (!rlp_get_bytes_fixed(&f[0], tx->source_hash.b, 32) ||
	    !rlp_get_bytes_fixed(&f[1], tx->from.b, 20) || !get_to(&f[2], tx) ||
	    !rlp_get_u256(&f[3], &tx->mint) || !rlp_get_u256(&f[4], &tx->value) ||
	    !rlp_get_u64(&f[5], &tx->gas) || !rlp_get_u64(&f[6], &system_flag) ||
	    system_flag > 1 || !get_bytes(&f[7], &tx->data))
		return false;
	tx->is_system_tx = system_flag == 1;
	return true;
}

void transaction_free(transaction_t *tx)
{
	for (size_t i = 0; i < tx->access_list_count; i++)
		if (tx->access_list)
			rt_free(tx->access_list[i].slots);
	rt_free(tx->access_list);
	rt_free(tx->blob_versioned_hashes);
	tx->access_list = NULL;
	tx->access_list_count = 0;
	tx->blob_versioned_hashes = NULL;
	tx->blob_versioned_hash_count = 0;
}

uint64_t calculate_intrinsic_cost(const transaction_t *tx)
{
	uint64_t data_cost = 0;
	for (size_t i = 0; i < tx->data.len; i++)
		data_cost += tx->data.data[i] == 0 ? TX_DATA_COST_PER_ZERO : TX_DATA_COST_PER_NON_ZERO;
	uint64_t create_cost = 0;
	if (!tx->has_to)
		create_cost = TX_CREATE_COST + init_code_cost((uint64_t)tx->data.len);
	uint64_t access_list_cost = 0;
	for (size_t i = 0; i < tx->access_list_count; i++) {
		access_list_cost += TX_ACCESS_LIST_ADDRESS_COST;
		access_list_cost +=
			(uint64_t)tx->access_list[i].slot_count * TX_ACCESS_LIST_STORAGE_KEY_COST;
	}
	return TX_BASE_COST + data_cost + create_cost + access_list_cost;
}

bool validate_transaction(const transaction_t *tx, uint64_t *intrinsic_gas, const char **reason)
{
	uint64_t cost = calculate_intrinsic_cost(tx);
	if (cost > tx->gas) {
		*reason = "intrinsic gas too low";
		return false;
	}
	u256 max_nonce = u256_from_u64(UINT64_MAX);
	if (u256_cmp(&tx->nonce, &max_nonce) >= 0) {
		*reason = "nonce overflow";
		return false;
	}
	if (!tx->has_to && tx->data.len > MAX_INIT_CODE_SIZE) {
		*reason = "init code too large";
		return false;
	}
	*intrinsic_gas = cost;
	return true;
}

void signing_hash(const transaction_t *tx, uint64_t chain_id, hash32_t *out)
{
	buf_t b = {0};
	if (tx->type != TX_TYPE_LEGACY)
		buf_push(&b, tx->type);
	size_t begin = rlp_list_begin(&b);
	rlp_put_raw(&b, tx->unsigned_fields, tx->unsigned_fields_len);
	u256 v27 = u256_from_u64(27), v28 = u256_from_u64(28);
	if (tx->type == TX_TYPE_LEGACY && !u256_eq(&tx->v, &v27) && !u256_eq(&tx->v, &v28)) {
		/* EIP-155: (fields..., chain_id, 0, 0) */
		rlp_put_u64(&b, chain_id);
		rlp_put_u64(&b, 0);
		rlp_put_u64(&b, 0);
	}
	rlp_list_end(&b, begin);
	keccak256(b.data, b.len, out->b);
	buf_free(&b);
}

bool recover_sender(uint64_t chain_id, const transaction_t *tx, address_t *sender,
		    const char **reason)
{
	u256 n = u256_from_be(SECP256K1N_BE, 32);
	u256 half_n = u256_from_be(SECP256K1N_HALF_BE, 32);
	if (u256_is_zero(&tx->r) || u256_cmp(&tx->r, &n) >= 0) {
		*reason = "bad signature r";
		return false;
	}
	if (u256_is_zero(&tx->s) || u256_cmp(&tx->s, &half_n) > 0) {
		*reason = "bad signature s";
		return false;
	}
	uint8_t recovery_id;
	if (tx->type == TX_TYPE_LEGACY) {
		u256 v27 = u256_from_u64(27), v28 = u256_from_u64(28);
		if (u256_eq(&tx->v, &v27) || u256_eq(&tx->v, &v28)) {
			recovery_id = (uint8_t)(tx->v.w[0] - 27);
		} else {
			u256 c = u256_from_u64(chain_id);
			u256 c2 = u256_add(&c, &c);
			u256 k35 = u256_from_u64(35), k36 = u256_from_u64(36);
			u256 v35 = u256_add(&k35, &c2), v36 = u256_add(&k36, &c2);
			if (u256_eq(&tx->v, &v35))
				recovery_id = 0;
			else if (u256_eq(&tx->v, &v36))
				recovery_id = 1;
			else {
				*reason = "bad signature v";
				return false;
			}
		}
	} else {
		if (!u256_fits_u64(&tx->v) || tx->v.w[0] > 1) {
			*reason = "bad signature y_parity";
			return false;
		}
		recovery_id = (uint8_t)tx->v.w[0];
		if (tx->chain_id != chain_id) {
			*reason = "wrong chain id";
			return false;
		}
	}

	/* ecrecover's input: hash ‖ v (27 or 28 as a 32-byte word) ‖ r ‖ s */
	uint8_t input[128];
	hash32_t h;
	signing_hash(tx, chain_id, &h);
	memcpy(input, h.b, 32);
	memset(input + 32, 0, 31);
	input[63] = (uint8_t)(27 + recovery_id);
	u256_to_be(&tx->r, input + 64);
	u256_to_be(&tx->s, input + 96);
	bytes_t out = {0};
	bool ok = oracle_precompile(0x01, GAS_ECRECOVER, input, sizeof(input), &out);
	if (!ok || out.len != 32) {
		if (ok)
			rt_free(out.data);
		*reason = "signature recovery failed";
		return false;
	}
	memcpy(sender->b, out.data + 12, 20);
	rt_free(out.data);
	return true;
}

void get_transaction_hash(const transaction_t *tx, hash32_t *out)
{
	keccak256(tx->raw.data, tx->raw.len, out->b);
}
