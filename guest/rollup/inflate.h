/* zlib (RFC 1950) / DEFLATE (RFC 1951) decoder for OP channel data (docs/ROLLUP.md §4.2).
 *
 * Written from the RFCs. Where the RFCs leave room, it follows Go's compress/flate (op-node's
 * decoder), so that a malformed or cut channel yields the same bytes there and here:
 * incomplete Huffman codes are refused except a lone code of length 1, an empty code is
 * accepted until a symbol is read from it, a litlen code without end-of-block is accepted
 * (decoding stops at the first code it cannot read), HLIT > 286 and HDIST > 30 are refused
 * in the block header, a truncated stored block keeps the bytes it had, and in a dynamic
 * block no litlen symbol is read with fewer input bits left than the end-of-block code has
 * (zlib would still decode a short literal there). tests/rollup/test_inflate.py checks all of
 * it against Go's compress/flate and Python's zlib.
 */
#ifndef ROLLUP_INFLATE_H
#define ROLLUP_INFLATE_H

#include <stddef.h>
#include <stdint.h>

typedef enum { INFLATE_OK = 0, INFLATE_ERROR = 1, INFLATE_LIMIT = 2 } inflate_status;

/* Decodes the zlib stream (RFC 1950: CMF/FLG header checked: CM 8, CINFO <= 7, FCHECK, no
 * preset dictionary) in in[0..in_len) into a buffer it rt_malloc's, at most `limit` bytes.
 * Always sets *out (rt_malloc'd, possibly empty; caller rt_free's) and *out_len to the bytes
 * produced before it stopped. Returns OK when the final block ended (adler-32 trailer NOT
 * checked, per ROLLUP.md §4.2), ERROR at the first malformed input (bad header, bad block type 3,
 * stored-length mismatch, invalid/over-subscribed/incomplete Huffman code where RFC 1951 forbids
 * it, code lengths repeat past the end, distance beyond the output start, literal/length symbol
 * 286/287, distance symbol 30/31, input ended early), LIMIT when the output would exceed `limit`
 * (bytes up to the limit are kept). */
inflate_status zlib_inflate(const uint8_t *in, size_t in_len, size_t limit, uint8_t **out, size_t *out_len);

#endif
