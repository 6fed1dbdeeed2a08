/* BLAKE2F (0x09), execution-specs `precompiled_contracts/blake2f.py` (EIP-152): BLAKE2b's
 * compression function F with a caller-chosen number of rounds.
 *
 * Input, exactly 213 bytes: rounds (u32 big-endian) ‖ h (8 × u64 little-endian) ‖
 * m (16 × u64 LE) ‖ t (2 × u64 LE) ‖ f (1 byte: 0, or 1 for the final block).
 * Output: the new h, 8 × u64 LE. Gas: 1 per round. */
#include "../gas.h"
#include "precompiled_contracts.h"
#include "util.h"

#define BLAKE2F_INPUT_LENGTH 213

static const uint64_t IV[8] = {
	0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull,
	0xa54ff53a5f1d36f1ull, 0x510e527fade682d1ull, 0x9b05688c2b3e6c1full,
	0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};

/* Message schedule: the word order of each round (round i uses row i mod 10). */
static const uint8_t SIGMA[10][16] = {
	{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
	{14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
	{11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
	{7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
	{9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
	{2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
	{12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
	{13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
	{6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
	{10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
};

static inline uint64_t rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The mixing function G (RFC 7693 §3.1). */
static inline void mix(uint64_t v[16], int a, int b, int c, int d, uint64_t x, uint64_t y)
{
	v[a] = v[a] + v[b] + x;
	v[d] = rotr64(v[d] ^ v[a], 32);
	v[c] = v[c] + v[d];
	v[b] = rotr64(v[b] ^ v[c], 24);
	v[a] = v[a] + v[b] + y;
	v[d] = rotr64(v[d] ^ v[a], 16);
	v[c] = v[c] + v[d];
	v[b] = rotr64(v[b] ^ v[c], 63);
}

static void compress(uint32_t rounds, uint64_t h[8], const uint64_t m[16], uint64_t t0,
		     uint64_t t1, bool final_block)
{
	uint64_t v[16];
	for (int i = 0; i < 8; i++) {
		v[i] = h[i];
		v[i + 8] = IV[i];
	}
	v[12] ^= t0;
	v[13] ^= t1;
	if (final_block)
		v[14] = ~v[14];
	for (uint32_t r = 0; r < rounds; r++) {
		const uint8_t *s = SIGMA[r % 10];
		mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
		mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
		mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
		mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
		mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
		mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
		mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
		mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
	}
	for (int i = 0; i < 8; i++)
		h[i] ^= v[i] ^ v[i + 8];
}

void blake2f(evm_t *evm)
{
	const bytes_t *data = &evm->message->data;
	if (data->len != BLAKE2F_INPUT_LENGTH) {
		evm->error = ERR_INVALID_PARAMETER;
		return;
	}
	const uint8_t *p = data->data;
	uint32_t rounds = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
	uint64_t h[8], m[16];
	for (int i = 0; i < 8; i++)
		h[i] = load_le64(p + 4 + 8 * i);
	for (int i = 0; i < 16; i++)
		m[i] = load_le64(p + 68 + 8 * i);
	uint64_t t0 = load_le64(p + 196), t1 = load_le64(p + 204);
	uint8_t f = p[212];

	/* GAS */
	if (!charge_gas(evm, GAS_BLAKE2_PER_ROUND * (uint64_t)rounds))
		return;
	if (f != 0 && f != 1) {
		evm->error = ERR_INVALID_PARAMETER;
		return;
	}

	/* OPERATION */
	compress(rounds, h, m, t0, t1, f == 1);
	uint8_t out[64];
	for (int i = 0; i < 8; i++)
		store_le64(out + 8 * i, h[i]);
	set_output(evm, out, 64);
}
