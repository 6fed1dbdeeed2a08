/* rlp / blocks / bloom unit-test main: each stdin line "op args..." prints one answer line
 * ("err" when a decoder refuses its input). Items are written as nested JSON: a string is
 * "hex", a list is [item,...]. Logs are tokens address/topic,topic/data (topics or data may
 * be "-" for none).
 *   decode RLP          -> the item as JSON
 *   encode JSON         -> RLP hex
 *   u64 HEX / u256 HEX  -> rlp_put_u64 / rlp_put_u256
 *   getu64 RLP / getu256 RLP / fixed N RLP -> the value as hex (fixed: the bytes)
 *   list MAX RLP        -> rlp_list's count (-1 on error)
 *   next PAYLOAD        -> "count left": rlp_next over concatenated items
 *   header RLP          -> "reencoded hash f0 ... f19" (every field as hex)
 *   withdrawal RLP      -> "index validator address amount"
 *   logs LOG...         -> logs_encode; log LOG -> log_encode; bloom LOG... -> logs_bloom
 *   addbloom HEX...     -> add_to_bloom of each entry into an empty bloom
 *   receipt TYPE OK CUM BLOOM LOG... -> receipt_encode
 *   buf HEX             -> keccak of HEX twice (buf_push, buf_append, bytes_dup) and checks
 *   consts              -> EMPTY_CODE_HASH EMPTY_TRIE_ROOT EMPTY_OMMER_HASH
 *   fatal WORD          -> fatal_undecodable(WORD): "evm: error WORD", exit 2 */
#include "blocks.h"
#include "bloom.h"
#include "hash.h"
#include "rlp.h"
#include "rt.h"
#include "test_io.h"

#define MAX_WORDS 300

static bool op_is(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && memcmp(a, b, strlen(a)) == 0;
}

static void put_u64_hex(uint64_t v)
{
	uint8_t be[8];
	for (int k = 0; k < 8; k++)
		be[k] = (uint8_t)(v >> (56 - 8 * k));
	test_put_hex_bytes(be, 8);
}

static bool dump(const rlp_item *it)
{
	if (!it->is_list) {
		test_put("\"");
		test_put_hex_bytes(it->payload, it->len);
		test_put("\"");
		return true;
	}
	test_put("[");
	const uint8_t *cur = it->payload;
	size_t left = it->len;
	rlp_item e;
	bool first = true;
	while (left) {
		if (!rlp_next(&cur, &left, &e))
			return false;
		if (!first)
			test_put(",");
		first = false;
		if (!dump(&e))
			return false;
	}
	test_put("]");
	return true;
}

/* Parse the JSON notation at *s, appending its RLP to b. */
static bool encode_json(const char **s, buf_t *b)
{
	const char *p = *s;
	if (*p == '"') {
		const char *q = ++p;
		while (*q && *q != '"')
			q++;
		if (*q != '"')
			return false;
		size_t digits = (size_t)(q - p);
		uint8_t *tmp = rt_malloc(digits / 2 + 1);
		for (size_t i = 0; i < digits / 2; i++)
			tmp[i] = (uint8_t)(test_hex_val(p[2 * i]) * 16 + test_hex_val(p[2 * i + 1]));
		rlp_put_bytes(b, tmp, digits / 2);
		rt_free(tmp);
		*s = q + 1;
		return true;
	}
	if (*p != '[')
		return false;
	p++;
	size_t list = rlp_list_begin(b);
	if (*p == ']') {
		p++;
	} else {
		for (;;) {
			if (!encode_json(&p, b))
				return false;
			if (*p == ',') {
				p++;
				continue;
			}
			if (*p != ']')
				return false;
			p++;
			break;
		}
	}
	rlp_list_end(b, list);
	*s = p;
	return true;
}

/* address/topic,topic/data */
static void parse_log(char *tok, log_t *log)
{
	char *parts[3] = {tok, NULL, NULL};
	int k = 1;
	for (char *p = tok; *p && k < 3; p++) {
		if (*p == '/') {
			*p = 0;
			parts[k++] = p + 1;
		}
	}
	bytes_t addr = test_parse_hex(parts[0]);
	memcpy(log->address.b, addr.data, 20);
	rt_free(addr.data);
	size_t count = 0;
	char *t = parts[1];
	log->topics = NULL;
	if (t && !(t[0] == '-' && t[1] == 0)) {
		count = 1;
		for (char *p = t; *p; p++)
			count += *p == ',';
		log->topics = rt_malloc(count * sizeof(hash32_t));
		size_t i = 0;
		char *start = t;
		for (char *p = t;; p++) {
			if (*p == ',' || *p == 0) {
				char end = *p;
				*p = 0;
				bytes_t h = test_parse_hex(start);
				memcpy(log->topics[i++].b, h.data, 32);
				rt_free(h.data);
				if (!end)
					break;
				start = p + 1;
			}
		}
	}
	log->topic_count = count;
	log->data = test_parse_hex(parts[2] ? parts[2] : "-");
}

static void put_buf(buf_t *b)
{
	test_put_hex_bytes(b->data, b->len);
	buf_free(b);
}

static void run_header(const bytes_t *in)
{
	header_t h;
	if (!header_decode(in->data, in->len, &h)) {
		test_put("err");
		return;
	}
	buf_t b = {0};
	header_encode(&h, &b);
	put_buf(&b);
	hash32_t hash;
	header_hash(&h, &hash);
	test_put(" ");
	test_put_hex_bytes(hash.b, 32);
	uint8_t be[32];
	const uint8_t *fixed[7] = {h.parent_hash.b, h.ommers_hash.b, h.coinbase.b,
				   h.state_root.b, h.transactions_root.b, h.receipt_root.b,
				   h.bloom};
	const size_t fixed_len[7] = {32, 32, 20, 32, 32, 32, 256};
	for (int i = 0; i < 7; i++) {
		test_put(" ");
		test_put_hex_bytes(fixed[i], fixed_len[i]);
	}
	u256_to_be(&h.difficulty, be);
	test_put(" ");
	test_put_hex_bytes(be, 32);
	const uint64_t ints1[4] = {h.number, h.gas_limit, h.gas_used, h.timestamp};
	for (int i = 0; i < 4; i++) {
		test_put(" ");
		put_u64_hex(ints1[i]);
	}
	test_put(" ");
	if (h.extra_data_len)
		test_put_hex_bytes(h.extra_data, h.extra_data_len);
	else
		test_put("-");
	test_put(" ");
	test_put_hex_bytes(h.prev_randao.b, 32);
	test_put(" ");
	test_put_hex_bytes(h.nonce, 8);
	test_put(" ");
	put_u64_hex(h.base_fee_per_gas);
	test_put(" ");
	test_put_hex_bytes(h.withdrawals_root.b, 32);
	test_put(" ");
	put_u64_hex(h.blob_gas_used);
	test_put(" ");
	put_u64_hex(h.excess_blob_gas);
	test_put(" ");
	test_put_hex_bytes(h.parent_beacon_block_root.b, 32);
}

static void free_logs(log_t *logs, int n)
{
	for (int i = 0; i < n; i++) {
		rt_free(logs[i].topics);
		rt_free(logs[i].data.data);
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *cursor = test_read_all(&len);
	static char *w[MAX_WORDS];
	static log_t logs[MAX_WORDS];
	int n;
	while ((n = test_next_line(&cursor, w, MAX_WORDS)) >= 0) {
		if (n == 0)
			continue;
		const char *op = w[0];
		bytes_t arg = test_parse_hex(n > 1 ? w[1] : "-");
		rlp_item it;
		if (op_is(op, "decode")) {
			if (!rlp_decode(arg.data, arg.len, &it)) {
				test_put("err");
			} else {
				size_t mark = test_out.len;
				if (!dump(&it)) {
					test_out.len = mark;
					test_put("dump-failed");
				}
			}
		} else if (op_is(op, "encode")) {
			buf_t b = {0};
			const char *s = n > 1 ? w[1] : "";
			if (encode_json(&s, &b) && *s == 0)
				put_buf(&b);
			else
				test_put("bad-json");
		} else if (op_is(op, "u64")) {
			buf_t b = {0};
			size_t off = arg.len > 8 ? arg.len - 8 : 0;
			uint64_t v = 0;
			for (size_t i = off; i < arg.len; i++)
				v = (v << 8) | arg.data[i];
			rlp_put_u64(&b, v);
			put_buf(&b);
		} else if (op_is(op, "u256")) {
			buf_t b = {0};
			size_t off = arg.len > 32 ? arg.len - 32 : 0;
			u256 v = u256_from_be(arg.data + off, arg.len - off);
			rlp_put_u256(&b, &v);
			put_buf(&b);
		} else if (op_is(op, "getu64")) {
			uint64_t v;
			if (rlp_decode(arg.data, arg.len, &it) && rlp_get_u64(&it, &v))
				put_u64_hex(v);
			else
				test_put("err");
		} else if (op_is(op, "getu256")) {
			u256 v;
			uint8_t be[32];
			if (rlp_decode(arg.data, arg.len, &it) && rlp_get_u256(&it, &v)) {
				u256_to_be(&v, be);
				test_put_hex_bytes(be, 32);
			} else {
				test_put("err");
			}
		} else if (op_is(op, "fixed") && n > 2) {
			bytes_t nb = test_parse_hex(w[1]);
			size_t want = 0;
			for (size_t i = 0; i < nb.len; i++)
				want = want * 256 + nb.data[i];
			rt_free(nb.data);
			bytes_t in = test_parse_hex(w[2]);
			uint8_t out[256];
			if (want <= 256 && rlp_decode(in.data, in.len, &it) &&
			    rlp_get_bytes_fixed(&it, out, want)) {
				if (want)
					test_put_hex_bytes(out, want);
				else
					test_put("-");
			} else {
				test_put("err");
			}
			rt_free(in.data);
		} else if (op_is(op, "list") && n > 2) {
			bytes_t mb = test_parse_hex(w[1]);
			int max = mb.len ? mb.data[mb.len - 1] : 0;
			rt_free(mb.data);
			bytes_t in = test_parse_hex(w[2]);
			static rlp_item elems[256];
			int count = -1;
			if (rlp_decode(in.data, in.len, &it))
				count = rlp_list(&it, elems, max);
			if (count < 0) {
				test_put("-1");
			} else {
				test_put_uint((uint64_t)count);
			}
			rt_free(in.data);
		} else if (op_is(op, "next")) {
			const uint8_t *cur = arg.data;
			size_t left = arg.len;
			uint64_t count = 0;
			while (rlp_next(&cur, &left, &it))
				count++;
			test_put_uint(count);
			test_put(" ");
			test_put_uint(left);
		} else if (op_is(op, "header")) {
			run_header(&arg);
		} else if (op_is(op, "withdrawal")) {
			withdrawal_t wd;
			if (withdrawal_decode(arg.data, arg.len, &wd)) {
				put_u64_hex(wd.index);
				test_put(" ");
				put_u64_hex(wd.validator_index);
				test_put(" ");
				test_put_hex_bytes(wd.address.b, 20);
				test_put(" ");
				put_u64_hex(wd.amount);
			} else {
				test_put("err");
			}
		} else if (op_is(op, "log") || op_is(op, "logs") || op_is(op, "bloom")) {
			int count = n - 1;
			for (int i = 0; i < count; i++)
				parse_log(w[1 + i], &logs[i]);
			buf_t b = {0};
			if (op_is(op, "log")) {
				log_encode(&logs[0], &b);
			} else if (op_is(op, "logs")) {
				logs_encode(logs, (size_t)count, &b);
			} else {
				uint8_t bloom[256];
				logs_bloom(logs, (size_t)count, bloom);
				buf_append(&b, bloom, 256);
			}
			put_buf(&b);
			free_logs(logs, count);
		} else if (op_is(op, "addbloom")) {
			uint8_t bloom[256] = {0};
			for (int i = 1; i < n; i++) {
				bytes_t e = test_parse_hex(w[i]);
				add_to_bloom(bloom, e.data, e.len);
				rt_free(e.data);
			}
			test_put_hex_bytes(bloom, 256);
		} else if (op_is(op, "receipt") && n > 4) {
			bytes_t ty = test_parse_hex(w[1]);
			bytes_t ok = test_parse_hex(w[2]);
			bytes_t cum = test_parse_hex(w[3]);
			bytes_t bloom = test_parse_hex(w[4]);
			uint64_t c = 0;
			for (size_t i = 0; i < cum.len; i++)
				c = (c << 8) | cum.data[i];
			int count = n - 5;
			for (int i = 0; i < count; i++)
				parse_log(w[5 + i], &logs[i]);
			buf_t b = {0};
			receipt_encode(ty.len ? ty.data[ty.len - 1] : 0,
				       ok.len && ok.data[ok.len - 1], c, bloom.data, logs,
				       (size_t)count, &b);
			put_buf(&b);
			free_logs(logs, count);
			rt_free(ty.data);
			rt_free(ok.data);
			rt_free(cum.data);
			rt_free(bloom.data);
		} else if (op_is(op, "buf")) {
			/* grow a buffer byte by byte, by appends and by bytes_dup; print its keccak */
			buf_t b = {0};
			for (size_t i = 0; i < arg.len; i++)
				buf_push(&b, arg.data[i]);
			buf_append(&b, arg.data, arg.len);
			bytes_t copy = bytes_dup(b.data, b.len);
			bytes_t none = bytes_dup(NULL, 0);
			uint8_t h[32];
			keccak256(copy.data, copy.len, h);
			test_put_hex_bytes(h, 32);
			test_put(none.data != NULL && none.len == 0 ? " nonnull" : " null");
			rt_free(copy.data);
			rt_free(none.data);
			buf_free(&b);
			test_put(b.data == NULL && b.len == 0 && b.cap == 0 ? " zeroed" : " dirty");
		} else if (op_is(op, "fatal")) {
			test_flush();
			fatal_undecodable(n > 1 ? w[1] : "");
		} else if (op_is(op, "consts")) {
			test_put_hex_bytes(EMPTY_CODE_HASH.b, 32);
			test_put(" ");
			test_put_hex_bytes(EMPTY_TRIE_ROOT.b, 32);
			test_put(" ");
			test_put_hex_bytes(EMPTY_OMMER_HASH.b, 32);
		} else {
			test_put("unknown-op");
		}
		rt_free(arg.data);
		test_put("\n");
		if (test_out.len > (1 << 16))
			test_flush();
	}
	test_flush();
	return 0;
}
