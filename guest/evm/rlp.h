/* RLP (Ethereum Yellow Paper appendix B; execution-specs `ethereum_rlp`).
 *
 * Decoding is zero-copy over a caller-owned buffer and strict: non-canonical encodings
 * (a single byte < 0x80 encoded as a string, long forms for short payloads, leading zeros in
 * lengths) and lengths past the end are errors, as in the spec's decoder. Integers must be
 * minimal (no leading zero bytes) when read with rlp_get_uint* / rlp_get_u256.
 */
#ifndef EVM_RLP_H
#define EVM_RLP_H

#include "types.h"
#include "u256.h"

/* A decoded item: a view into the input. For a list, `payload` spans the concatenated
 * encodings of the elements; iterate them with rlp_next. */
typedef struct {
	bool is_list;
	const uint8_t *payload;
	size_t len;
} rlp_item;

/* Decode exactly one item spanning all of [p, p+n). false on any error or trailing bytes. */
bool rlp_decode(const uint8_t *p, size_t n, rlp_item *out);
/* Iterate a list: `*cursor` starts at list.payload with `*left` = list.len; each call decodes
 * the next element. Returns false at the end or on error (then *left != 0). */
bool rlp_next(const uint8_t **cursor, size_t *left, rlp_item *out);
/* Split a list into at most `max` elements; returns the count, or -1 on error / too many. */
int rlp_list(const rlp_item *list, rlp_item *elems, int max);

bool rlp_get_u64(const rlp_item *it, uint64_t *out); /* string, minimal, <= 8 bytes */
bool rlp_get_u256(const rlp_item *it, u256 *out);    /* string, minimal, <= 32 bytes */
bool rlp_get_bytes_fixed(const rlp_item *it, uint8_t *out, size_t n); /* string of exactly n */

/* Encoding into a buf_t. Lists: remember the offset from rlp_list_begin, append the element
 * encodings, then rlp_list_end(buf, offset) moves them behind the right header. */
void rlp_put_bytes(buf_t *b, const uint8_t *p, size_t n);
void rlp_put_u64(buf_t *b, uint64_t v);
void rlp_put_u256(buf_t *b, const u256 *v);
void rlp_put_raw(buf_t *b, const uint8_t *encoded, size_t n); /* an already-encoded item */
size_t rlp_list_begin(buf_t *b);
void rlp_list_end(buf_t *b, size_t begin);

#endif
