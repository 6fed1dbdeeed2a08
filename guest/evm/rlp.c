/* RLP (rlp.h): strict decoding with the checks of `ethereum_rlp.decode`, and encoding into a
 * buf_t. An item is refused when:
 *   - it runs past its input or its enclosing list, or leaves trailing bytes there;
 *   - a single byte below 0x80 is written as a one-byte string (0x81 0x00..0x7f);
 *   - a long form (0xb8..0xbf, 0xf8..0xff) carries a payload shorter than 56 bytes, or its
 *     length starts with a zero byte.
 * rlp_decode and rlp_next check the whole subtree of the item they return, so a list that
 * decodes is valid all the way down, as with the spec's recursive decoder. */
#include "rlp.h"

/* Nesting deeper than this is refused (EVM structures nest at most 4 levels; the spec's
 * recursive decoder hits Python's recursion limit at a few hundred). */
#define RLP_MAX_DEPTH 128

typedef struct {
	bool is_list;
	size_t off;  /* header size */
	size_t plen; /* payload size */
} rlp_head;

/* The header of the item at p, which must fit (header and payload) within `avail` bytes. */
static bool read_head(const uint8_t *p, size_t avail, rlp_head *h)
{
	if (avail == 0)
		return false;
	uint8_t b = p[0];
	if (b < 0x80) {
		h->is_list = false;
		h->off = 0;
		h->plen = 1;
		return true;
	}
	h->is_list = b >= 0xc0;
	uint8_t base = h->is_list ? 0xc0 : 0x80;
	if (b - base <= 55) {
		h->off = 1;
		h->plen = (size_t)(b - base);
		if (h->plen > avail - 1)
			return false;
		if (!h->is_list && h->plen == 1 && p[1] < 0x80)
			return false; /* should have been the byte itself */
		return true;
	}
	size_t ll = (size_t)(b - base - 55); /* 1..8 length bytes */
	if (ll > avail - 1)
		return false;
	if (p[1] == 0)
		return false; /* leading zero in the length */
	uint64_t len = 0;
	for (size_t i = 0; i < ll; i++)
		len = (len << 8) | p[1 + i];
	if (len < 56)
		return false; /* the short form was required */
	if (len > (uint64_t)(avail - 1 - ll))
		return false;
	h->off = 1 + ll;
	h->plen = (size_t)len;
	return true;
}

/* Check that [p, p+n) is exactly one valid item, nested items included. */
static bool validate(const uint8_t *p, size_t n, rlp_head *top)
{
	if (!read_head(p, n, top) || top->off + top->plen != n)
		return false;
	if (!top->is_list)
		return true;
	size_t ends[RLP_MAX_DEPTH];
	int depth = 0;
	ends[0] = n;
	size_t pos = top->off;
	for (;;) {
		while (depth >= 0 && pos == ends[depth])
			depth--;
		if (depth < 0)
			return true;
		rlp_head h;
		if (!read_head(p + pos, ends[depth] - pos, &h))
			return false;
		if (h.is_list && h.plen > 0) {
			if (depth + 1 >= RLP_MAX_DEPTH)
				return false;
			ends[++depth] = pos + h.off + h.plen;
			pos += h.off;
		} else {
			pos += h.off + h.plen;
		}
	}
}

bool rlp_decode(const uint8_t *p, size_t n, rlp_item *out)
{
	rlp_head h;
	if (!validate(p, n, &h))
		return false;
	out->is_list = h.is_list;
	out->payload = p + h.off;
	out->len = h.plen;
	return true;
}

bool rlp_next(const uint8_t **cursor, size_t *left, rlp_item *out)
{
	rlp_head h;
	if (*left == 0 || !read_head(*cursor, *left, &h))
		return false;
	size_t total = h.off + h.plen;
	if (!validate(*cursor, total, &h))
		return false;
	out->is_list = h.is_list;
	out->payload = *cursor + h.off;
	out->len = h.plen;
	*cursor += total;
	*left -= total;
	return true;
}

int rlp_list(const rlp_item *list, rlp_item *elems, int max)
{
	if (!list->is_list)
		return -1;
	const uint8_t *cur = list->payload;
	size_t left = list->len;
	int count = 0;
	rlp_item it;
	while (left > 0) {
		if (!rlp_next(&cur, &left, &it))
			return -1;
		if (count >= max)
			return -1;
		elems[count++] = it;
	}
	return count;
}

bool rlp_get_u64(const rlp_item *it, uint64_t *out)
{
	if (it->is_list || it->len > 8 || (it->len > 0 && it->payload[0] == 0))
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < it->len; i++)
		v = (v << 8) | it->payload[i];
	*out = v;
	return true;
}

bool rlp_get_u256(const rlp_item *it, u256 *out)
{
	if (it->is_list || it->len > 32 || (it->len > 0 && it->payload[0] == 0))
		return false;
	*out = u256_from_be(it->payload, it->len);
	return true;
}

bool rlp_get_bytes_fixed(const rlp_item *it, uint8_t *out, size_t n)
{
	if (it->is_list || it->len != n)
		return false;
	if (n)
		memcpy(out, it->payload, n);
	return true;
}

/* --- encoding ------------------------------------------------------------------------ */

/* Big-endian bytes of v without leading zeros into out[8]; returns the count (0 for 0). */
static size_t be_minimal(uint64_t v, uint8_t out[8])
{
	size_t n = 0;
	for (uint64_t t = v; t; t >>= 8)
		n++;
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n;
}

/* The header for a payload of `len` bytes: short base 0x80/0xc0, long base 0xb7/0xf7. */
static size_t make_head(uint8_t out[9], uint8_t short_base, size_t len)
{
	if (len < 56) {
		out[0] = (uint8_t)(short_base + len);
		return 1;
	}
	size_t ll = be_minimal((uint64_t)len, out + 1);
	out[0] = (uint8_t)(short_base + 55 + ll);
	return 1 + ll;
}

void rlp_put_bytes(buf_t *b, const uint8_t *p, size_t n)
{
	if (n == 1 && p[0] < 0x80) {
		buf_push(b, p[0]);
		return;
	}
	uint8_t head[9];
	size_t hl = make_head(head, 0x80, n);
	buf_reserve(b, hl + n);
	buf_append(b, head, hl);
	buf_append(b, p, n);
}

void rlp_put_u64(buf_t *b, uint64_t v)
{
	uint8_t be[8];
	size_t n = be_minimal(v, be);
	rlp_put_bytes(b, be, n);
}

void rlp_put_u256(buf_t *b, const u256 *v)
{
	uint8_t be[32];
	u256_to_be(v, be);
	size_t skip = 32 - u256_byte_length(v);
	rlp_put_bytes(b, be + skip, 32 - skip);
}

void rlp_put_raw(buf_t *b, const uint8_t *encoded, size_t n)
{
	buf_append(b, encoded, n);
}

size_t rlp_list_begin(buf_t *b)
{
	return b->len;
}

void rlp_list_end(buf_t *b, size_t begin)
{
	size_t plen = b->len - begin;
	uint8_t head[9];
	size_t hl = make_head(head, 0xc0, plen);
	buf_reserve(b, hl);
	memmove(b->data + begin + hl, b->data + begin, plen);
	memcpy(b->data + begin, head, hl);
	b->len += hl;
}
