/* zlib / DEFLATE decoder (RFC 1950, RFC 1951), see inflate.h for the contract.
 *
 * Bits are read LSB first into a 32-bit buffer (32-bit registers on mips32). A Huffman
 * code is decoded with one lookup in a table indexed by the next FAST bits (entry = symbol
 * and code length); codes longer than that, and bit patterns no code starts with, take a
 * canonical walk one bit at a time (RFC 1951 §3.2.2), which is rare in practice.
 *
 * Every VM instruction is a proof step, so the Huffman blocks run in two loops: an unchecked
 * one while the input surely holds the next symbols and the output has room for them (about
 * 18 mips32 steps per output byte of a typical batch stream), and a checked one, one symbol at
 * a time, near the end of the input or the output limit.
 */
#include "inflate.h"

#include "rt.h"

#define MAX_CODE_BITS 15
#define LITLEN_SYMBOLS 288 /* 286 and 287 exist in the fixed code but are invalid */
#define DIST_SYMBOLS 32    /* 30 and 31 likewise */
#define LITLEN_FAST 10
#define DIST_FAST 8
#define CLEN_FAST 7 /* code-length codes are at most 7 bits: always one lookup */
#define END_OF_BLOCK 256

/* A fast-table entry: symbol << 4 | code length. NOT_IN_TABLE (length 0, a symbol no code
 * has) sends the decoder to the canonical walk: a longer code, or no code at all. */
#define NOT_IN_TABLE (511u << 4)
typedef struct {
	uint16_t fast[1 << LITLEN_FAST];
	uint16_t count[MAX_CODE_BITS + 1]; /* codes of each length */
	uint16_t symbols[LITLEN_SYMBOLS];  /* symbols by (code length, value): canonical order */
	unsigned fast_bits;
	/* Bits that must be left in the input before a symbol is read (see dynamic_codes). */
	unsigned min_bits;
} huffman_t;

typedef struct {
	const uint8_t *in;
	size_t in_len, pos;
	uint32_t bitbuf; /* next bits of the input, the first one in bit 0 */
	unsigned bitcnt;
	uint8_t *out;
	size_t out_len, out_cap, limit;
	huffman_t litlen, dist, clen;
	uint8_t lengths[LITLEN_SYMBOLS + DIST_SYMBOLS];
} inflater_t;

/* RFC 1951 §3.2.5: length symbols 257..285 and distance symbols 0..29. */
static const uint16_t LENGTH_BASE[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,
					 15, 17, 19, 23, 27, 31, 35, 43, 51,  59,
					 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t LENGTH_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
					 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t DIST_BASE[30] = {1,    2,    3,    4,    5,    7,     9,     13,
				       17,   25,   33,   49,   65,   97,    129,   193,
				       257,  385,  513,  769,  1025, 1537,  2049,  3073,
				       4097, 6145, 8193, 12289, 16385, 24577};
static const uint8_t DIST_EXTRA[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
				       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* RFC 1951 §3.2.7: the order code-length code lengths are sent in. */
static const uint8_t CLEN_ORDER[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
				       11, 4,  12, 3, 13, 2, 14, 1, 15};

/* Builds the decoder for code lengths[0..n). Returns 0, or -1 if the lengths do not form a
 * prefix code: over-subscribed, or incomplete other than a single code of length 1 (RFC 1951
 * §3.2.7's one distance code; Go's compress/flate allows it for every code, zlib for litlen
 * and distance codes). An empty code is accepted: reading a symbol from it fails. */
static int huffman_build(huffman_t *h, const uint8_t *lengths, unsigned n, unsigned fast_bits)
{
	unsigned offset[MAX_CODE_BITS + 2];
	for (unsigned len = 0; len <= MAX_CODE_BITS; len++)
		h->count[len] = 0;
	for (unsigned i = 0; i < n; i++)
		h->count[lengths[i]]++;
	h->count[0] = 0;

	int32_t left = 1; /* unassigned codes of the current length */
	unsigned total = 0;
	for (unsigned len = 1; len <= MAX_CODE_BITS; len++) {
		left = 2 * left - h->count[len];
		if (left < 0)
			return -1;
		total += h->count[len];
	}
	if (left > 0 && total != 0 && !(total == 1 && h->count[1] == 1))
		return -1;
	h->min_bits = 0;
	for (unsigned len = MAX_CODE_BITS; len > 0; len--)
		if (h->count[len])
			h->min_bits = len;

	offset[1] = 0;
	for (unsigned len = 1; len <= MAX_CODE_BITS; len++)
		offset[len + 1] = offset[len] + h->count[len];
	for (unsigned i = 0; i < n; i++)
		if (lengths[i])
			h->symbols[offset[lengths[i]]++] = (uint16_t)i;

	/* Canonical codes in increasing order, kept bit-reversed (first bit sent in bit 0). A
	 * longer code is the shorter one followed by zeros, which leaves the reversed value as is;
	 * the next code is the reversed value incremented from its top bit down. */
	unsigned size = 1u << fast_bits;
	h->fast_bits = fast_bits;
	for (unsigned i = 0; i < size; i++)
		h->fast[i] = NOT_IN_TABLE;
	unsigned reversed = 0, index = 0;
	for (unsigned len = 1; len <= fast_bits; len++) {
		for (unsigned k = 0; k < h->count[len]; k++) {
			uint16_t entry = (uint16_t)(h->symbols[index++] << 4 | len);
			for (unsigned j = reversed; j < size; j += 1u << len)
				h->fast[j] = entry;
			unsigned bit = 1u << (len - 1);
			while (bit && (reversed & bit)) {
				reversed ^= bit;
				bit >>= 1;
			}
			reversed |= bit;
		}
	}
	return 0;
}

/* Makes at least 25 bits available, or every bit left in the input. */
static inline void refill(inflater_t *s)
{
	while (s->bitcnt <= 24 && s->pos < s->in_len) {
		s->bitbuf |= (uint32_t)s->in[s->pos++] << s->bitcnt;
		s->bitcnt += 8;
	}
}

/* The next n (<= 16) bits as a number, or -1 if the input ends first. */
static int32_t take_bits(inflater_t *s, unsigned n)
{
	if (s->bitcnt < n) {
		refill(s);
		if (s->bitcnt < n)
			return -1;
	}
	uint32_t v = s->bitbuf & ((1u << n) - 1);
	s->bitbuf >>= n;
	s->bitcnt -= n;
	return (int32_t)v;
}

/* The canonical walk for what the fast table does not resolve, over the `avail` bits in
 * `bits`: the symbol (and its code length in *used), or -1 if no code matches or the input
 * ends inside the code. */
static int32_t decode_slow(const huffman_t *h, uint32_t bits, unsigned avail, unsigned *used)
{
	uint32_t code = 0, first = 0, index = 0;
	for (unsigned len = 1; len <= MAX_CODE_BITS && len <= avail; len++) {
		code |= (bits >> (len - 1)) & 1;
		uint32_t count = h->count[len];
		if (code - first < count) {
			*used = len;
			return h->symbols[index + code - first];
		}
		index += count;
		first = (first + count) << 1;
		code <<= 1;
	}
	return -1;
}

/* One symbol for the code-length decoding (not the hot path). */
static int32_t decode_symbol(inflater_t *s, const huffman_t *h)
{
	if (s->bitcnt < MAX_CODE_BITS)
		refill(s);
	unsigned entry = h->fast[s->bitbuf & ((1u << h->fast_bits) - 1)];
	unsigned len = entry & 15;
	int32_t sym = (int32_t)(entry >> 4);
	if (len - 1u >= s->bitcnt) /* no entry (len 0), or the input ends inside the code */
		sym = decode_slow(h, s->bitbuf, s->bitcnt, &len);
	if (sym >= 0) {
		s->bitbuf >>= len;
		s->bitcnt -= len;
	}
	return sym;
}

/* Room for `need` more output bytes, growing geometrically up to the limit. Returns 0, or -1
 * when the limit leaves less room (the caller then fills what there is). */
static int reserve(inflater_t *s, size_t need)
{
	size_t room = s->limit - s->out_len;
	if (need <= s->out_cap - s->out_len)
		return 0;
	size_t cap = s->out_cap;
	size_t wanted = s->out_len + (need < room ? need : room);
	if (wanted > cap) {
		cap = cap < s->limit / 2 ? 2 * cap : s->limit;
		if (cap < wanted)
			cap = wanted;
		uint8_t *bigger = rt_malloc(cap ? cap : 1);
		if (!bigger)
			rt_panic("inflate: out of memory");
		memcpy(bigger, s->out, s->out_len);
		rt_free(s->out);
		s->out = bigger;
		s->out_cap = cap;
	}
	return need <= room ? 0 : -1;
}

/* A stored block (RFC 1951 §3.2.4) after its 3 header bits. */
static inflate_status stored_block(inflater_t *s)
{
	/* Skip to a byte boundary and hand the whole buffered bytes back to the input. */
	s->pos -= s->bitcnt >> 3;
	s->bitbuf = 0;
	s->bitcnt = 0;
	if (s->in_len - s->pos < 4)
		return INFLATE_ERROR;
	const uint8_t *p = s->in + s->pos;
	unsigned len = (unsigned)p[0] | (unsigned)p[1] << 8;
	unsigned nlen = (unsigned)p[2] | (unsigned)p[3] << 8;
	s->pos += 4;
	if (len != (~nlen & 0xFFFFu))
		return INFLATE_ERROR;
	size_t avail = s->in_len - s->pos;
	size_t n = len < avail ? len : avail;
	int limited = reserve(s, n);
	if (limited)
		n = s->limit - s->out_len;
	memcpy(s->out + s->out_len, s->in + s->pos, n);
	s->out_len += n;
	s->pos += n;
	if (limited)
		return INFLATE_LIMIT;
	return n == len ? INFLATE_OK : INFLATE_ERROR;
}

/* Appends `length` bytes from `distance` back (<= what is there): overlapping copies repeat
 * the period, so copy it, then twice it, ... */
static inline void copy_match(uint8_t *dst, size_t distance, size_t length)
{
	const uint8_t *src = dst - distance;
	if (length < 16) {
		for (size_t i = 0; i < length; i++)
			dst[i] = src[i];
		return;
	}
	while (length) {
		size_t chunk = (size_t)(dst - src);
		if (chunk > length)
			chunk = length;
		memcpy(dst, src, chunk);
		dst += chunk;
		length -= chunk;
	}
}

#define FAST_IN_BYTES 6 /* a symbol reads at most 15 + 5 + 15 + 13 bits */
#define FAST_OUT_BYTES 258
#define FAST_GROW (64 * FAST_OUT_BYTES)

/* Up to `budget` symbols with no bounds checks: the caller made sure the input holds
 * FAST_IN_BYTES per symbol plus 4 (the bit buffer reads at most 30 bits ahead) and the output
 * has FAST_OUT_BYTES of room per symbol. Returns 0 when the budget is spent, 1 at end of
 * block, -1 at an invalid symbol or distance. (zlib's inflate_fast has the same idea.) */
static int fast_symbols(inflater_t *s, const huffman_t *litlen, const huffman_t *dist,
			size_t budget)
{
	const uint8_t *in = s->in + s->pos;
	uint32_t bits = s->bitbuf;
	unsigned nbits = s->bitcnt;
	uint8_t *out = s->out + s->out_len;
	int result = 0;
/* At least n (<= 15) bits: two bytes at once (nbits + 16 <= 30). */
#define FILL(n)                                                                              \
	do {                                                                                 \
		if (nbits < (n)) {                                                           \
			bits |= ((uint32_t)in[0] | (uint32_t)in[1] << 8) << nbits;           \
			in += 2;                                                             \
			nbits += 16;                                                         \
		}                                                                            \
	} while (0)
	while (budget--) {
		FILL(MAX_CODE_BITS);
		unsigned entry = litlen->fast[bits & ((1u << LITLEN_FAST) - 1)];
		unsigned len = entry & 15, sym = entry >> 4;
		bits >>= len;
		nbits -= len;
		if (sym < 256) {
			*out++ = (uint8_t)sym;
			continue;
		}
		if (entry == NOT_IN_TABLE) {
			int32_t slow = decode_slow(litlen, bits, nbits, &len);
			if (slow < 0) {
				result = -1;
				break;
			}
			bits >>= len;
			nbits -= len;
			sym = (unsigned)slow;
			if (sym < 256) {
				*out++ = (uint8_t)sym;
				continue;
			}
		}
		if (sym == END_OF_BLOCK) {
			result = 1;
			break;
		}
		sym -= 257;
		if (sym >= 29) { /* 286, 287 */
			result = -1;
			break;
		}
		FILL(5);
		unsigned n = LENGTH_EXTRA[sym];
		size_t length = LENGTH_BASE[sym] + (bits & ((1u << n) - 1));
		bits >>= n;
		nbits -= n;

		FILL(MAX_CODE_BITS);
		entry = dist->fast[bits & ((1u << DIST_FAST) - 1)];
		len = entry & 15;
		sym = entry >> 4;
		if (entry == NOT_IN_TABLE) {
			int32_t slow = decode_slow(dist, bits, nbits, &len);
			sym = slow < 0 ? 30 : (unsigned)slow;
		}
		if (sym >= 30) { /* 30, 31, or no code */
			result = -1;
			break;
		}
		bits >>= len;
		nbits -= len;
		FILL(13);
		n = DIST_EXTRA[sym];
		size_t distance = DIST_BASE[sym] + (bits & ((1u << n) - 1));
		bits >>= n;
		nbits -= n;
		if (distance > (size_t)(out - s->out)) {
			result = -1;
			break;
		}
		copy_match(out, distance, length);
		out += length;
	}
#undef FILL
	s->pos = (size_t)(in - s->in);
	s->bitbuf = bits;
	s->bitcnt = nbits;
	s->out_len = (size_t)(out - s->out);
	return result;
}

/* Literals and length/distance pairs until end of block (RFC 1951 §3.2.5). The hot loop:
 * the bit buffer, input and output positions live in locals, written back on the way out. */
static inflate_status huffman_block(inflater_t *s, const huffman_t *litlen, const huffman_t *dist)
{
	const uint8_t *in = s->in;
	size_t in_len = s->in_len, pos = s->pos;
	uint32_t bits = s->bitbuf;
	unsigned nbits = s->bitcnt;
	uint8_t *out = s->out;
	size_t out_len = s->out_len, out_cap = s->out_cap;
	inflate_status status = INFLATE_ERROR;

/* At least n (<= 15) bits in `bits` if the input has them: two bytes at once while at least
 * two remain (nbits + 16 <= 30), else byte by byte. */
#define REFILL(n)                                                                            \
	do {                                                                                 \
		if (nbits < (n)) {                                                           \
			if (in_len - pos >= 2) {                                             \
				bits |= ((uint32_t)in[pos] | (uint32_t)in[pos + 1] << 8) << nbits; \
				pos += 2;                                                    \
				nbits += 16;                                                 \
			} else {                                                             \
				while (nbits <= 24 && pos < in_len) {                        \
					bits |= (uint32_t)in[pos++] << nbits;                \
					nbits += 8;                                          \
				}                                                            \
			}                                                                    \
		}                                                                            \
	} while (0)
/* sym = the next symbol of code h (fast table of `fast` bits); on failure leave. */
#define DECODE(sym, h, nfast)                                                               \
	do {                                                                                 \
		REFILL(MAX_CODE_BITS);                                                       \
		unsigned entry_ = (h)->fast[bits & ((1u << (nfast)) - 1)];                  \
		unsigned len_ = entry_ & 15;                                                 \
		sym = (int32_t)(entry_ >> 4);                                                \
		if (len_ - 1u >= nbits) {                                                    \
			sym = decode_slow((h), bits, nbits, &len_);                          \
			if (sym < 0)                                                         \
				goto done;                                                   \
		}                                                                            \
		bits >>= len_;                                                               \
		nbits -= len_;                                                               \
	} while (0)
/* v = the next n (<= 13) bits as a number; on failure leave. */
#define TAKE(v, n)                                                                           \
	do {                                                                                 \
		unsigned n_ = (n);                                                           \
		REFILL(n_);                                                                  \
		if (nbits < n_)                                                              \
			goto done;                                                           \
		v = bits & ((1u << n_) - 1);                                                 \
		bits >>= n_;                                                                 \
		nbits -= n_;                                                                 \
	} while (0)

	for (;;) {
		/* Far from the ends of the input and the output buffer: the unchecked loop. The
		 * buffer grows well before it is full, so that the output room does not cut the
		 * budget into short runs (it still may within FAST_GROW of the limit). */
		if (out_cap - out_len < FAST_GROW && out_cap < s->limit) {
			s->out_len = out_len;
			reserve(s, FAST_GROW);
			out = s->out;
			out_cap = s->out_cap;
		}
		if (in_len - pos >= FAST_IN_BYTES + 4 && out_cap - out_len >= FAST_OUT_BYTES) {
			size_t budget = (in_len - pos - 4) / FAST_IN_BYTES;
			if (budget > (out_cap - out_len) / FAST_OUT_BYTES)
				budget = (out_cap - out_len) / FAST_OUT_BYTES;
			s->pos = pos;
			s->bitbuf = bits;
			s->bitcnt = nbits;
			s->out_len = out_len;
			int result = fast_symbols(s, litlen, dist, budget);
			pos = s->pos;
			bits = s->bitbuf;
			nbits = s->bitcnt;
			out_len = s->out_len;
			if (result) {
				status = result > 0 ? INFLATE_OK : INFLATE_ERROR;
				goto done;
			}
			continue;
		}
		/* Near an end: one symbol with every check. (The unchecked loop always has at
		 * least 15 bits, more than any min_bits.) */
		int32_t sym;
		REFILL(MAX_CODE_BITS);
		if (nbits < litlen->min_bits)
			goto done;
		DECODE(sym, litlen, LITLEN_FAST);
		if (sym < 256) {
			if (out_len == out_cap) {
				s->out_len = out_len;
				if (reserve(s, 1)) {
					status = INFLATE_LIMIT;
					goto done;
				}
				out = s->out;
				out_cap = s->out_cap;
			}
			out[out_len++] = (uint8_t)sym;
			continue;
		}
		if (sym == END_OF_BLOCK) {
			status = INFLATE_OK;
			goto done;
		}
		sym -= 257;
		if (sym >= 29)
			goto done; /* 286, 287 */
		uint32_t extra;
		TAKE(extra, LENGTH_EXTRA[sym]);
		size_t length = LENGTH_BASE[sym] + extra;
		DECODE(sym, dist, DIST_FAST);
		if (sym >= 30)
			goto done; /* 30, 31 */
		TAKE(extra, DIST_EXTRA[sym]);
		size_t distance = DIST_BASE[sym] + extra;
		if (distance > out_len)
			goto done;
		if (length > out_cap - out_len) {
			s->out_len = out_len;
			if (reserve(s, length)) {
				length = s->limit - out_len;
				status = INFLATE_LIMIT;
			}
			out = s->out;
			out_cap = s->out_cap;
		}
		copy_match(out + out_len, distance, length);
		out_len += length;
		if (status == INFLATE_LIMIT)
			goto done;
	}
#undef REFILL
#undef DECODE
#undef TAKE
done:
	s->pos = pos;
	s->bitbuf = bits;
	s->bitcnt = nbits;
	s->out_len = out_len;
	return status;
}

/* RFC 1951 §3.2.6. Rebuilt per call: cheap next to any stream that uses it. */
static void fixed_codes(inflater_t *s)
{
	uint8_t *l = s->lengths;
	unsigned i = 0;
	for (; i < 144; i++)
		l[i] = 8;
	for (; i < 256; i++)
		l[i] = 9;
	for (; i < 280; i++)
		l[i] = 7;
	for (; i < LITLEN_SYMBOLS; i++)
		l[i] = 8;
	huffman_build(&s->litlen, l, LITLEN_SYMBOLS, LITLEN_FAST);
	for (i = 0; i < DIST_SYMBOLS; i++)
		l[i] = 5;
	huffman_build(&s->dist, l, DIST_SYMBOLS, DIST_FAST);
}

/* A dynamic block's code definitions (RFC 1951 §3.2.7). */
static inflate_status dynamic_codes(inflater_t *s)
{
	int32_t hlit = take_bits(s, 5), hdist = take_bits(s, 5), hclen = take_bits(s, 4);
	if (hlit < 0 || hdist < 0 || hclen < 0)
		return INFLATE_ERROR;
	unsigned nlit = (unsigned)hlit + 257, ndist = (unsigned)hdist + 1;
	if (nlit > 286 || ndist > 30)
		return INFLATE_ERROR;
	uint8_t clen[19] = {0};
	for (int32_t i = 0; i < hclen + 4; i++) {
		int32_t v = take_bits(s, 3);
		if (v < 0)
			return INFLATE_ERROR;
		clen[CLEN_ORDER[i]] = (uint8_t)v;
	}
	if (huffman_build(&s->clen, clen, 19, CLEN_FAST))
		return INFLATE_ERROR;

	uint8_t *l = s->lengths;
	unsigned n = nlit + ndist;
	for (unsigned i = 0; i < n;) {
		int32_t sym = decode_symbol(s, &s->clen);
		if (sym < 0)
			return INFLATE_ERROR;
		if (sym < 16) {
			l[i++] = (uint8_t)sym;
			continue;
		}
		uint8_t value = 0;
		int32_t repeat;
		if (sym == 16) {
			if (i == 0)
				return INFLATE_ERROR;
			value = l[i - 1];
			repeat = take_bits(s, 2);
			repeat = repeat < 0 ? -1 : repeat + 3;
		} else if (sym == 17) {
			repeat = take_bits(s, 3);
			repeat = repeat < 0 ? -1 : repeat + 3;
		} else {
			repeat = take_bits(s, 7);
			repeat = repeat < 0 ? -1 : repeat + 11;
		}
		if (repeat < 0 || (unsigned)repeat > n - i)
			return INFLATE_ERROR;
		while (repeat--)
			l[i++] = value;
	}
	if (huffman_build(&s->litlen, l, nlit, LITLEN_FAST) ||
	    huffman_build(&s->dist, l + nlit, ndist, DIST_FAST))
		return INFLATE_ERROR;
	/* Go's compress/flate (op-node's reader) reads at least as many bits as the end-of-block
	 * code has before it decodes any litlen symbol of a dynamic block. So near the end of a
	 * cut stream, a short literal with fewer bits than that left is an error there, not a
	 * byte; doing the same keeps the bytes of a cut channel equal to op-node's. */
	if (l[END_OF_BLOCK] > s->litlen.min_bits)
		s->litlen.min_bits = l[END_OF_BLOCK];
	return INFLATE_OK;
}

static inflate_status inflate_blocks(inflater_t *s)
{
	/* RFC 1950 §2.2: CMF, FLG. */
	if (s->in_len < 2)
		return INFLATE_ERROR;
	unsigned cmf = s->in[0], flg = s->in[1];
	if ((cmf & 15) != 8 || (cmf >> 4) > 7 || (cmf * 256 + flg) % 31 != 0 || (flg & 0x20))
		return INFLATE_ERROR;
	s->pos = 2;
	for (;;) {
		int32_t header = take_bits(s, 3);
		if (header < 0)
			return INFLATE_ERROR;
		inflate_status status;
		switch (header >> 1) {
		case 0:
			status = stored_block(s);
			break;
		case 1:
			fixed_codes(s);
			status = huffman_block(s, &s->litlen, &s->dist);
			break;
		case 2:
			status = dynamic_codes(s);
			if (status == INFLATE_OK)
				status = huffman_block(s, &s->litlen, &s->dist);
			break;
		default:
			return INFLATE_ERROR;
		}
		if (status != INFLATE_OK || (header & 1))
			return status;
	}
}

inflate_status zlib_inflate(const uint8_t *in, size_t in_len, size_t limit, uint8_t **out,
			    size_t *out_len)
{
	inflater_t *s = rt_malloc(sizeof *s);
	if (!s)
		rt_panic("inflate: out of memory");
	s->in = in;
	s->in_len = in_len;
	s->pos = 0;
	s->bitbuf = 0;
	s->bitcnt = 0;
	s->limit = limit;
	s->out_len = 0;
	/* A first guess of 4x the input (channels compress batches about that well). */
	s->out_cap = in_len < limit / 4 ? 4 * in_len + 256 : limit;
	if (s->out_cap > limit)
		s->out_cap = limit;
	s->out = rt_malloc(s->out_cap ? s->out_cap : 1);
	if (!s->out)
		rt_panic("inflate: out of memory");
	inflate_status status = inflate_blocks(s);
	*out = s->out;
	*out_len = s->out_len;
	rt_free(s);
	return status;
}
