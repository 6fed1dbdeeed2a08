/* keccak256: Keccak-f[1600], rate 136 bytes, padding 0x01 .. 0x80 (not SHA3's 0x06).
 *
 * Every preimage the guests read is hashed here, so in the VMs this is the hottest code there
 * is (the evm program spent ~85% of its steps in the old loop-and-table version). What makes it
 * fast on both MIPS II (32-bit registers only) and RV64 (no rotate instruction):
 *
 * - The round is written out lane by lane, so every rotation has a constant amount (a
 *   variable 64-bit rotation on MIPS II is a branchy helper; a constant one is 4 shifts and
 *   2 ors) and no table is consulted to find a lane.
 * - Each round reads one state and writes the other (two rounds per loop iteration), computing
 *   the next state plane by plane: rho and pi send five lanes, one from each column, into each
 *   output plane, where chi combines them. Nothing is moved around just to permute lanes.
 * - On 64-bit targets both states are locals the compiler keeps in registers. On 32-bit MIPS
 *   (50 words of state, ~27 registers) a round is a function over two arrays in memory: each
 *   word is loaded twice and stored once a round; letting the compiler allocate the state
 *   to registers spilled twice as many loads and stores (23% more steps).
 * - Six lanes are kept complemented, so chi needs five NOTs a round instead of 25 (ROUND).
 * - Lanes are absorbed from two 32-bit halves (no 64-bit shift per byte on MIPS) and the last
 *   partial block in place, without a padded copy.
 *
 * Steps per one-block hash (zig 0.17.1 -O2): mips32 35.6k -> 14.3k, riscv64 17.0k -> 6.6k.
 *
 * A bit-interleaved representation (each lane as its even and odd bits in two 32-bit words)
 * was considered for MIPS: it turns theta's five rotations by one into one 32-bit rotation
 * each, saving ~18 instructions a round (~430 per permutation), but moving 17 lanes in and 8
 * out of that form costs more than that for every one-block hash, and most hashes here (trie
 * keys, short trie nodes) are one block. MIPS II has no rotate instruction, so the usual win of
 * bit interleaving (free 32-bit rotates, as on ARM) does not exist there.
 */
#include "hash.h"

enum { RATE = 136, RATE_LANES = RATE / 8 };

/* Lanes stored complemented (see ROUND): bit i for lane i. */
#define COMPLEMENTED_LANES ((1u << 1) | (1u << 2) | (1u << 8) | (1u << 12) | (1u << 17) | (1u << 20))

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

/* n is always a constant in [1, 63] here. */
#define ROL(x, n) (((x) << (n)) | ((x) >> (64 - (n))))

/* One round from the state s into the state d (lane (x, y) at index x + 5y): theta (column
 * parities c, then t[x] = c[x-1] ^ rol(c[x+1], 1) added to column x), rho and pi (lane (x, y)
 * goes, rotated by its offset, to (y, 2x + 3y)), chi along each output row, iota on lane 0.
 * Output row Y takes its lane X from input (X + 3Y mod 5, X), written b<X> below.
 *
 * Lanes 1, 2, 8, 12, 17 and 20 are kept complemented (COMPLEMENTED_LANES), in s as in d. Chi,
 * b0 ^ (~b1 & b2) on true values, then needs a NOT in only one lane per row (five a round, not
 * twenty-five): with some inputs and outputs complemented it becomes b0 ^ (b1 | b2),
 * b0 ^ (b1 & b2) and so on. Neither MIPS II nor RV64IM has and-not, so each saved NOT is an
 * instruction (two per lane on MIPS). Each row's five formulas were found by trying every
 * and/or/nor form against chi's truth table under the complement pattern of that row's inputs
 * (which follows from the complemented lanes' columns through theta) and outputs. */
#define ROUND(s, d, rc)                                                                 \
	do {                                                                            \
		uint64_t c0 = s[0] ^ s[5] ^ s[10] ^ s[15] ^ s[20];                      \
		uint64_t c1 = s[1] ^ s[6] ^ s[11] ^ s[16] ^ s[21];                      \
		uint64_t c2 = s[2] ^ s[7] ^ s[12] ^ s[17] ^ s[22];                      \
		uint64_t c3 = s[3] ^ s[8] ^ s[13] ^ s[18] ^ s[23];                      \
		uint64_t c4 = s[4] ^ s[9] ^ s[14] ^ s[19] ^ s[24];                      \
		uint64_t t0 = c4 ^ ROL(c1, 1);                                          \
		uint64_t t1 = c0 ^ ROL(c2, 1);                                          \
		uint64_t t2 = c1 ^ ROL(c3, 1);                                          \
		uint64_t t3 = c2 ^ ROL(c4, 1);                                          \
		uint64_t t4 = c3 ^ ROL(c0, 1);                                          \
		uint64_t b0, b1, b2, b3, b4;                                            \
		/* row 0: (0,0) r0, (1,1) r44, (2,2) r43, (3,3) r21, (4,4) r14 */       \
		b0 = s[0] ^ t0;                                                         \
		b1 = s[6] ^ t1, b1 = ROL(b1, 44);                                       \
		b2 = s[12] ^ t2, b2 = ROL(b2, 43);                                      \
		b3 = s[18] ^ t3, b3 = ROL(b3, 21);                                      \
		b4 = s[24] ^ t4, b4 = ROL(b4, 14);                                      \
		d[0] = b0 ^ (b1 | b2);                                                  \
		d[1] = b1 ^ (~b2 | b3);                                                 \
		d[2] = b2 ^ (b3 & b4);                                                  \
		d[3] = b3 ^ (b4 | b0);                                                  \
		d[4] = b4 ^ (b0 & b1);                                                  \
		d[0] ^= (rc);                                                           \
		/* row 1: (3,0) r28, (4,1) r20, (0,2) r3, (1,3) r45, (2,4) r61 */       \
		b0 = s[3] ^ t3, b0 = ROL(b0, 28);                                       \
		b1 = s[9] ^ t4, b1 = ROL(b1, 20);                                       \
		b2 = s[10] ^ t0, b2 = ROL(b2, 3);                                       \
		b3 = s[16] ^ t1, b3 = ROL(b3, 45);                                      \
		b4 = s[22] ^ t2, b4 = ROL(b4, 61);                                      \
		d[5] = b0 ^ (b1 | b2);                                                  \
		d[6] = b1 ^ (b2 & b3);                                                  \
		d[7] = b2 ^ (b3 | ~b4);                                                 \
		d[8] = b3 ^ (b4 | b0);                                                  \
		d[9] = b4 ^ (b0 & b1);                                                  \
		/* row 2: (1,0) r1, (2,1) r6, (3,2) r25, (4,3) r8, (0,4) r18 */         \
		b0 = s[1] ^ t1, b0 = ROL(b0, 1);                                        \
		b1 = s[7] ^ t2, b1 = ROL(b1, 6);                                        \
		b2 = s[13] ^ t3, b2 = ROL(b2, 25);                                      \
		b3 = s[19] ^ t4, b3 = ROL(b3, 8);                                       \
		b4 = s[20] ^ t0, b4 = ROL(b4, 18);                                      \
		d[10] = b0 ^ (b1 | b2);                                                 \
		d[11] = b1 ^ (b2 & b3);                                                 \
		d[12] = b2 ^ (~b3 & b4);                                                \
		d[13] = b3 ^ ~(b4 | b0);                                                \
		d[14] = b4 ^ (b0 & b1);                                                 \
		/* row 3: (4,0) r27, (0,1) r36, (1,2) r10, (2,3) r15, (3,4) r56 */      \
		b0 = s[4] ^ t4, b0 = ROL(b0, 27);                                       \
		b1 = s[5] ^ t0, b1 = ROL(b1, 36);                                       \
		b2 = s[11] ^ t1, b2 = ROL(b2, 10);                                      \
		b3 = s[17] ^ t2, b3 = ROL(b3, 15);                                      \
		b4 = s[23] ^ t3, b4 = ROL(b4, 56);                                      \
		d[15] = b0 ^ (b1 & b2);                                                 \
		d[16] = b1 ^ (b2 | b3);                                                 \
		d[17] = b2 ^ (~b3 | b4);                                                \
		d[18] = ~(b3 ^ (b4 & b0));                                              \
		d[19] = b4 ^ (b0 | b1);                                                 \
		/* row 4: (2,0) r62, (3,1) r55, (4,2) r39, (0,3) r41, (1,4) r2 */       \
		b0 = s[2] ^ t2, b0 = ROL(b0, 62);                                       \
		b1 = s[8] ^ t3, b1 = ROL(b1, 55);                                       \
		b2 = s[14] ^ t4, b2 = ROL(b2, 39);                                      \
		b3 = s[15] ^ t0, b3 = ROL(b3, 41);                                      \
		b4 = s[21] ^ t1, b4 = ROL(b4, 2);                                       \
		d[20] = b0 ^ (~b1 & b2);                                                \
		d[21] = b1 ^ ~(b2 | b3);                                                \
		d[22] = b2 ^ (b3 & b4);                                                 \
		d[23] = b3 ^ (b4 | b0);                                                 \
		d[24] = b4 ^ (b0 & b1);                                                 \
	} while (0)

#if UINTPTR_MAX > 0xffffffffu
/* 64-bit registers: the compiler keeps both states in registers (as scalars). */
static void keccak_f1600(uint64_t st[25])
{
	uint64_t a[25], e[25];
	for (int i = 0; i < 25; i++)
		a[i] = st[i];
	for (int round = 0; round < 24; round += 2) {
		ROUND(a, e, round_constants[round]);
		ROUND(e, a, round_constants[round + 1]);
	}
	for (int i = 0; i < 25; i++)
		st[i] = a[i];
}
#else
/* 32-bit registers: 50 words of state cannot live in ~27 registers, and left to itself the
 * compiler spills and reloads them several times a round. Here a round reads its input from
 * memory and writes its output there, one plane at a time, so each lane is loaded about twice
 * (theta's parities, then its plane) and stored once, and only t and one plane are live.
 * The two state pointers pass through volatile locals between rounds, so the compiler cannot
 * see that a round reads what the previous one wrote and carry values across rounds in
 * registers (which brings the spilling back); a function call per round did the same at the
 * price of saving and restoring ten registers each time (15.0 k steps a hash, now 14.5 k). */
static void keccak_f1600(uint64_t st[25])
{
	uint64_t e[25];
	uint64_t *volatile from = st, *volatile to = e;
	for (int round = 0; round < 24; round++) {
		uint64_t *s = from, *d = to;
		ROUND(s, d, round_constants[round]);
		from = d;
		to = s;
	}
}
#endif

/* Little-endian lane from 8 bytes, built from two 32-bit halves (no 64-bit shift per byte). */
static uint64_t load_le64(const uint8_t *p)
{
	uint32_t lo = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		      (uint32_t)p[3] << 24;
	uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
		      (uint32_t)p[7] << 24;
	return (uint64_t)hi << 32 | lo;
}

static void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

void keccak256(const void *data, size_t len, uint8_t out[32])
{
	uint64_t st[25];
	for (int i = 0; i < 25; i++)
		st[i] = 0;
	st[1] = st[2] = st[8] = st[12] = st[17] = st[20] = ~(uint64_t)0; /* COMPLEMENTED_LANES */
	const uint8_t *p = data;
	while (len >= RATE) {
		for (int i = 0; i < RATE_LANES; i++)
			st[i] ^= load_le64(p + 8 * i);
		keccak_f1600(st);
		p += RATE;
		len -= RATE;
	}
	/* The last, partial block: whole lanes, then the bytes of the lane the data ends in
	 * followed by the 0x01 pad byte; 0x80 closes the block. (XOR into a complemented lane
	 * gives the complement of the XOR: absorbing needs no care.) */
	size_t lanes = len / 8;
	for (size_t i = 0; i < lanes; i++)
		st[i] ^= load_le64(p + 8 * i);
	uint64_t tail = 0;
	for (size_t i = len % 8; i-- > 0;)
		tail = tail << 8 | p[8 * lanes + i];
	st[lanes] ^= tail ^ (uint64_t)0x01 << (8 * (len % 8));
	st[RATE_LANES - 1] ^= 0x8000000000000000ull;
	keccak_f1600(st);
	for (int i = 0; i < 4; i++) {
		uint64_t lane = (COMPLEMENTED_LANES >> i & 1) ? ~st[i] : st[i];
		store_le32(out + 8 * i, (uint32_t)lane);
		store_le32(out + 8 * i + 4, (uint32_t)(lane >> 32));
	}
}
