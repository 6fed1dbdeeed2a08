/* keccak256: Keccak-f[1600], rate 136 bytes, padding 0x01 .. 0x80 (not SHA3's 0x06). */
#include "hash.h"

static const uint64_t round_constants[24] = {
	0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull,
	0x8000000080008000ull, 0x000000000000808bull, 0x0000000080000001ull,
	0x8000000080008081ull, 0x8000000000008009ull, 0x000000000000008aull,
	0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
	0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull,
	0x8000000000008003ull, 0x8000000000008002ull, 0x8000000000000080ull,
	0x000000000000800aull, 0x800000008000000aull, 0x8000000080008081ull,
	0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

/* Rotation offsets and the pi lane order, walked along the rho-pi cycle. */
static const uint8_t rho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
				27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const uint8_t pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
			       15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static inline uint64_t rotl64(uint64_t x, unsigned n)
{
	return (x << n) | (x >> (64 - n));
}

static void keccak_f1600(uint64_t a[25])
{
	for (int round = 0; round < 24; round++) {
		uint64_t c[5], t;
		for (int x = 0; x < 5; x++)
			c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
		for (int x = 0; x < 5; x++) {
			t = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
			for (int y = 0; y < 25; y += 5)
				a[y + x] ^= t;
		}
		t = a[1];
		for (int i = 0; i < 24; i++) {
			uint64_t next = a[pi[i]];
			a[pi[i]] = rotl64(t, rho[i]);
			t = next;
		}
		for (int y = 0; y < 25; y += 5) {
			uint64_t row[5];
			for (int x = 0; x < 5; x++)
				row[x] = a[y + x];
			for (int x = 0; x < 5; x++)
				a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
		}
		a[0] ^= round_constants[round];
	}
}

static uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

void keccak256(const void *data, size_t len, uint8_t out[32])
{
	enum { RATE = 136 };
	uint64_t a[25] = {0};
	const uint8_t *p = data;
	while (len >= RATE) {
		for (int i = 0; i < RATE / 8; i++)
			a[i] ^= load_le64(p + 8 * i);
		keccak_f1600(a);
		p += RATE;
		len -= RATE;
	}
	uint8_t last[RATE] = {0};
	for (size_t i = 0; i < len; i++)
		last[i] = p[i];
	last[len] ^= 0x01;
	last[RATE - 1] ^= 0x80;
	for (int i = 0; i < RATE / 8; i++)
		a[i] ^= load_le64(last + 8 * i);
	keccak_f1600(a);
	for (int i = 0; i < 32; i++)
		out[i] = (uint8_t)(a[i / 8] >> (8 * (i % 8)));
}
