/* 256-bit EVM words (u256.h): execution-specs `vm/instructions/arithmetic.py`,
 * `bitwise.py` and `comparison.py` over four 64-bit limbs.
 *
 * Multiplication and division work on 32-bit digits: a 32x32->64 product is one `multu` on
 * MIPS32, and division is Knuth's algorithm D (TAOCP 4.3.1; the formulation of Hacker's
 * Delight `divmnu`) whose only divisions are 32-bit by 16-bit-ish steps (`div_2by1`), so no
 * 64-bit division helper (a bit-by-bit loop on MIPS, rt/divide.c) is ever called. The same
 * code runs on every target, so the host tests cover what MIPS executes. */
#include "u256.h"

#include "rt.h"

/* --- 32-bit digit views --------------------------------------------------------------- */

static void to_digits(const u256 *a, uint32_t d[8])
{
	for (int i = 0; i < 4; i++) {
		d[2 * i] = (uint32_t)a->w[i];
		d[2 * i + 1] = (uint32_t)(a->w[i] >> 32);
	}
}

static u256 from_digits(const uint32_t d[8])
{
	u256 r;
	for (int i = 0; i < 4; i++)
		r.w[i] = (uint64_t)d[2 * i] | ((uint64_t)d[2 * i + 1] << 32);
	return r;
}

/* Number of significant digits (0 for zero). */
static int digits_used(const uint32_t *d, int n)
{
	while (n > 0 && d[n - 1] == 0)
		n--;
	return n;
}

static int clz32(uint32_t x)
{
	int n = 0;
	if (x == 0)
		return 32;
	if (!(x & 0xffff0000u)) {
		n += 16;
		x <<= 16;
	}
	if (!(x & 0xff000000u)) {
		n += 8;
		x <<= 8;
	}
	if (!(x & 0xf0000000u)) {
		n += 4;
		x <<= 4;
	}
	if (!(x & 0xc0000000u)) {
		n += 2;
		x <<= 2;
	}
	if (!(x & 0x80000000u))
		n += 1;
	return n;
}

static int clz64(uint64_t x)
{
	uint32_t hi = (uint32_t)(x >> 32);
	return hi ? clz32(hi) : 32 + clz32((uint32_t)x);
}

/* (hi:lo) / v for a normalised v (top bit set) and hi < v: the quotient fits 32 bits.
 * Two schoolbook steps with 16-bit half-digits, so only 32-bit `divu` is used. */
static uint32_t div_2by1(uint32_t hi, uint32_t lo, uint32_t v, uint32_t *rem)
{
	const uint32_t b = 0x10000u;
	uint32_t vn1 = v >> 16, vn0 = v & 0xffffu;
	uint32_t un1 = lo >> 16, un0 = lo & 0xffffu;

	uint32_t q1 = hi / vn1;
	uint32_t rhat = hi - q1 * vn1;
	while (q1 >= b || q1 * vn0 > ((rhat << 16) | un1)) {
		q1--;
		rhat += vn1;
		if (rhat >= b)
			break;
	}
	uint32_t un21 = (hi << 16) + un1 - q1 * v; /* mod 2^32: the true value is < v */

	uint32_t q0 = un21 / vn1;
	rhat = un21 - q0 * vn1;
	while (q0 >= b || q0 * vn0 > ((rhat << 16) | un0)) {
		q0--;
		rhat += vn1;
		if (rhat >= b)
			break;
	}
	*rem = (un21 << 16) + un0 - q0 * v;
	return (q1 << 16) | q0;
}

#define MAX_DIGITS 17 /* a 512-bit dividend plus the normalisation digit */

/* q = u / v, r = u % v for u of m digits and v of n digits (v[n-1] != 0, 1 <= n <= m <= 16).
 * q gets m - n + 1 digits, r gets n digits; either may be NULL. */
static void divmod_digits(const uint32_t *u, int m, const uint32_t *v, int n, uint32_t *q,
			  uint32_t *r)
{
	uint32_t un[MAX_DIGITS], vn[8];
	int s = clz32(v[n - 1]);

	/* Normalise: shift so the divisor's top bit is set (s may be 0: no 32-bit shift). */
	for (int i = n - 1; i > 0; i--)
		vn[i] = s ? (v[i] << s) | (v[i - 1] >> (32 - s)) : v[i];
	vn[0] = v[0] << s;
	un[m] = s ? u[m - 1] >> (32 - s) : 0;
	for (int i = m - 1; i > 0; i--)
		un[i] = s ? (u[i] << s) | (u[i - 1] >> (32 - s)) : u[i];
	un[0] = u[0] << s;

	if (n == 1) {
		uint32_t rem = un[m]; /* < 2^s <= vn[0] */
		for (int i = m - 1; i >= 0; i--) {
			uint32_t qd = div_2by1(rem, un[i], vn[0], &rem);
			if (q)
				q[i] = qd;
		}
		if (r)
			r[0] = rem >> s;
		return;
	}

	for (int j = m - n; j >= 0; j--) {
		/* Estimate the quotient digit from the top two digits; it is at most 2 too big. */
		uint32_t top = un[j + n], next = un[j + n - 1], vtop = vn[n - 1];
		uint32_t qhat;
		uint64_t rhat;
		if (top >= vtop) { /* top == vtop: the estimate would not fit 32 bits */
			qhat = 0xffffffffu;
			rhat = (uint64_t)next + vtop; /* (top*b + next) - qhat*vtop */
		} else {
			uint32_t r32;
			qhat = div_2by1(top, next, vtop, &r32);
			rhat = r32;
		}
		while (rhat <= 0xffffffffu &&
		       (uint64_t)qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
			qhat--;
			rhat += vtop;
		}

		/* un[j..j+n] -= qhat * vn */
		uint32_t carry = 0, borrow = 0;
		for (int i = 0; i < n; i++) {
			uint64_t p = (uint64_t)qhat * vn[i] + carry;
			carry = (uint32_t)(p >> 32);
			uint32_t lo = (uint32_t)p, x = un[i + j];
			uint32_t d = x - lo;
			uint32_t b1 = x < lo;
			uint32_t d2 = d - borrow;
			uint32_t b2 = d < borrow;
			un[i + j] = d2;
			borrow = b1 | b2;
		}
		uint64_t sub = (uint64_t)carry + borrow;
		uint32_t x = un[j + n];
		un[j + n] = x - (uint32_t)sub;
		if ((uint64_t)x < sub) {
			/* qhat was one too big (probability ~2/2^32): add the divisor back. */
			qhat--;
			uint64_t c = 0;
			for (int i = 0; i < n; i++) {
				uint64_t t = (uint64_t)un[i + j] + vn[i] + c;
				un[i + j] = (uint32_t)t;
				c = t >> 32;
			}
			un[j + n] += (uint32_t)c;
		}
		if (q)
			q[j] = qhat;
	}
	if (r) {
		for (int i = 0; i < n - 1; i++)
			r[i] = s ? (un[i] >> s) | (un[i + 1] << (32 - s)) : un[i];
		r[n - 1] = un[n - 1] >> s;
	}
}

/* u (m <= 16 digits) mod v (8 digits, may be zero: then 0), as a u256. */
static u256 mod_digits(const uint32_t *u, int m, const uint32_t v[8])
{
	uint32_t r[8] = {0};
	int n = digits_used(v, 8);
	int mu = digits_used(u, m);
	if (n == 0)
		return u256_zero();
	if (mu < n) {
		for (int i = 0; i < mu; i++)
			r[i] = u[i];
		return from_digits(r);
	}
	divmod_digits(u, mu, v, n, NULL, r);
	return from_digits(r);
}

/* --- conversions and comparisons --------------------------------------------------- */

u256 u256_from_be(const uint8_t *b, size_t n)
{
	u256 r = u256_zero();
	if (n > 32) { /* the last 32 bytes */
		b += n - 32;
		n = 32;
	}
	/* 32-bit digits from the least significant end: no 64-bit shift per byte on MIPS32 */
	const uint8_t *p = b + n;
	for (unsigned i = 0; n > 0; i++) {
		uint32_t d = 0;
		unsigned take = n < 4 ? (unsigned)n : 4;
		for (unsigned k = 0; k < take; k++)
			d |= (uint32_t)p[-1 - (int)k] << (8 * k);
		p -= take;
		n -= take;
		r.w[i / 2] |= (uint64_t)d << (32 * (i % 2));
	}
	return r;
}

void u256_to_be(const u256 *a, uint8_t out[32])
{
	for (int k = 0; k < 32; k++)
		out[31 - k] = (uint8_t)(a->w[k / 8] >> ((k % 8) * 8));
}

int u256_cmp(const u256 *a, const u256 *b)
{
	for (int i = 3; i >= 0; i--) {
		if (a->w[i] != b->w[i])
			return a->w[i] < b->w[i] ? -1 : 1;
	}
	return 0;
}

int u256_scmp(const u256 *a, const u256 *b)
{
	bool na = u256_is_neg(a), nb = u256_is_neg(b);
	if (na != nb)
		return na ? -1 : 1;
	return u256_cmp(a, b);
}

unsigned u256_bit_length(const u256 *a)
{
	for (int i = 3; i >= 0; i--) {
		if (a->w[i])
			return (unsigned)(64 * i + 64 - clz64(a->w[i]));
	}
	return 0;
}

unsigned u256_byte_length(const u256 *a)
{
	return (u256_bit_length(a) + 7) / 8;
}

/* --- arithmetic.py ------------------------------------------------------------------- */

static inline u256 add_impl(const u256 *a, const u256 *b)
{
	if (u256_fits_u64(a) && u256_fits_u64(b)) { /* both < 2^64: a 65-bit sum */
		uint64_t s = a->w[0] + b->w[0];
		u256 r = {{s, s < a->w[0], 0, 0}};
		return r;
	}
	u256 r;
	uint64_t carry = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t s = a->w[i] + carry;
		uint64_t c1 = s < carry;
		r.w[i] = s + b->w[i];
		carry = c1 | (r.w[i] < s);
	}
	return r;
}

u256 u256_add(const u256 *a, const u256 *b) { return add_impl(a, b); }
void u256_add_to(u256 *r, const u256 *a, const u256 *b) { *r = add_impl(a, b); }

static inline u256 sub_impl(const u256 *a, const u256 *b)
{
	if (u256_fits_u64(a) && u256_fits_u64(b)) { /* both < 2^64: a borrow fills the top */
		uint64_t top = a->w[0] < b->w[0] ? UINT64_MAX : 0;
		u256 r = {{a->w[0] - b->w[0], top, top, top}};
		return r;
	}
	u256 r;
	uint64_t borrow = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t d = a->w[i] - b->w[i];
		uint64_t b1 = a->w[i] < b->w[i];
		r.w[i] = d - borrow;
		borrow = b1 | (d < borrow);
	}
	return r;
}

u256 u256_sub(const u256 *a, const u256 *b) { return sub_impl(a, b); }
void u256_sub_to(u256 *r, const u256 *a, const u256 *b) { *r = sub_impl(a, b); }

u256 u256_neg(const u256 *a)
{
	u256 z = u256_zero();
	return u256_sub(&z, a);
}

/* a * d mod 2^256 for one 32-bit digit d: one row of products (MUL by a small constant). */
static u256 mul_digit(const u256 *a, uint32_t d)
{
	u256 r;
	uint64_t carry = 0; /* < 2^32 */
	for (int i = 0; i < 4; i++) {
		uint64_t lo = (uint64_t)(uint32_t)a->w[i] * d + carry;
		uint64_t hi = (uint64_t)(uint32_t)(a->w[i] >> 32) * d + (lo >> 32);
		r.w[i] = hi << 32 | (uint32_t)lo;
		carry = hi >> 32;
	}
	return r;
}

static inline u256 mul_impl(const u256 *a, const u256 *b)
{
	if (u256_fits_u64(a) && u256_fits_u64(b)) { /* both < 2^64: a 128-bit product */
		uint64_t a0 = (uint32_t)a->w[0], a1 = a->w[0] >> 32;
		uint64_t b0 = (uint32_t)b->w[0], b1 = b->w[0] >> 32;
		uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
		uint64_t mid = (p00 >> 32) + (uint32_t)p01 + (uint32_t)p10; /* < 3 * 2^32 */
		u256 r = {{(mid << 32) | (uint32_t)p00, p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32),
			   0, 0}};
		return r;
	}
	if (u256_fits_u64(b) && b->w[0] >> 32 == 0)
		return mul_digit(a, (uint32_t)b->w[0]);
	if (u256_fits_u64(a) && a->w[0] >> 32 == 0)
		return mul_digit(b, (uint32_t)a->w[0]);
	uint32_t x[8], y[8], r[8] = {0};
	to_digits(a, x);
	to_digits(b, y);
	int nx = digits_used(x, 8), ny = digits_used(y, 8);
	for (int i = 0; i < nx; i++) {
		uint32_t carry = 0;
		if (x[i] == 0)
			continue;
		for (int j = 0; j < ny && i + j < 8; j++) {
			uint64_t t = (uint64_t)x[i] * y[j] + r[i + j] + carry;
			r[i + j] = (uint32_t)t;
			carry = (uint32_t)(t >> 32);
		}
		if (i + ny < 8)
			r[i + ny] = carry;
	}
	return from_digits(r);
}

u256 u256_mul(const u256 *a, const u256 *b) { return mul_impl(a, b); }
void u256_mul_to(u256 *r, const u256 *a, const u256 *b) { *r = mul_impl(a, b); }

static void mul_digits_full(const uint32_t x[8], const uint32_t y[8], uint32_t r[16])
{
	for (int i = 0; i < 16; i++)
		r[i] = 0;
	for (int i = 0; i < 8; i++) {
		uint32_t carry = 0;
		if (x[i] == 0)
			continue;
		for (int j = 0; j < 8; j++) {
			uint64_t t = (uint64_t)x[i] * y[j] + r[i + j] + carry;
			r[i + j] = (uint32_t)t;
			carry = (uint32_t)(t >> 32);
		}
		r[i + 8] = carry;
	}
}

/* out[0] is the least significant 64 bits of the product, out[7] the most. */
void u256_mul_full(const u256 *a, const u256 *b, uint64_t out[8])
{
	uint32_t x[8], y[8], r[16];
	to_digits(a, x);
	to_digits(b, y);
	mul_digits_full(x, y, r);
	for (int i = 0; i < 8; i++)
		out[i] = (uint64_t)r[2 * i] | ((uint64_t)r[2 * i + 1] << 32);
}

/* Quotient and remainder of two u256 (both zero when b is zero). */
static void divmod(const u256 *a, const u256 *b, u256 *q, u256 *r)
{
	uint32_t u[8], v[8], qd[8] = {0}, rd[8] = {0};
	if (u256_is_zero(b) || u256_lt(a, b)) {
		if (q)
			*q = u256_zero();
		if (r)
			*r = u256_is_zero(b) ? u256_zero() : *a;
		return;
	}
	to_digits(a, u);
	to_digits(b, v);
	int m = digits_used(u, 8), n = digits_used(v, 8);
	divmod_digits(u, m, v, n, qd, rd);
	if (q)
		*q = from_digits(qd);
	if (r)
		*r = from_digits(rd);
}

u256 u256_div(const u256 *a, const u256 *b)
{
	u256 q;
	divmod(a, b, &q, NULL);
	return q;
}

u256 u256_mod(const u256 *a, const u256 *b)
{
	u256 r;
	divmod(a, b, NULL, &r);
	return r;
}

static u256 u256_abs(const u256 *a)
{
	return u256_is_neg(a) ? u256_neg(a) : *a;
}

/* SDIV: the quotient rounded towards zero; -2^255 / -1 overflows back to -2^255, which is
 * what negating the unsigned quotient 2^255 gives, so no special case is needed. */
u256 u256_sdiv(const u256 *a, const u256 *b)
{
	u256 x = u256_abs(a), y = u256_abs(b);
	u256 q = u256_div(&x, &y);
	return u256_is_neg(a) != u256_is_neg(b) ? u256_neg(&q) : q;
}

/* SMOD: |a| mod |b| with the dividend's sign. */
u256 u256_smod(const u256 *a, const u256 *b)
{
	u256 x = u256_abs(a), y = u256_abs(b);
	u256 r = u256_mod(&x, &y);
	return u256_is_neg(a) ? u256_neg(&r) : r;
}

u256 u256_addmod(const u256 *a, const u256 *b, const u256 *n)
{
	uint32_t s[9], v[8];
	u256 sum = u256_add(a, b);
	to_digits(&sum, s);
	s[8] = u256_lt(&sum, a) ? 1 : 0; /* the 257th bit */
	to_digits(n, v);
	return mod_digits(s, 9, v);
}

u256 u256_mulmod(const u256 *a, const u256 *b, const u256 *n)
{
	uint32_t x[8], y[8], p[16], v[8];
	if (u256_is_zero(n))
		return u256_zero();
	to_digits(a, x);
	to_digits(b, y);
	mul_digits_full(x, y, p);
	to_digits(n, v);
	return mod_digits(p, 16, v);
}

/* a^2 mod 2^256: each cross product x_i*x_j (i < j) once, doubled, plus the squares
 * x_i^2; 20 digit products instead of the 36 of a general truncated multiplication. */
static u256 u256_sqr(const u256 *a)
{
	uint32_t x[8], r[8] = {0};
	to_digits(a, x);
	for (int i = 0; i < 7; i++) {
		uint32_t carry = 0;
		if (x[i] == 0)
			continue;
		int j = i + 1;
		for (; i + j < 8; j++) {
			uint64_t t = (uint64_t)x[i] * x[j] + r[i + j] + carry;
			r[i + j] = (uint32_t)t;
			carry = (uint32_t)(t >> 32);
		}
		/* the row's carry lands on digit i + j, past 7 for every row: dropped */
	}
	for (int i = 7; i > 0; i--)
		r[i] = (r[i] << 1) | (r[i - 1] >> 31);
	r[0] <<= 1;
	uint32_t carry = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t sq = (uint64_t)x[i] * x[i];
		uint64_t t = (uint64_t)r[2 * i] + (uint32_t)sq + carry;
		r[2 * i] = (uint32_t)t;
		t = (uint64_t)r[2 * i + 1] + (uint32_t)(sq >> 32) + (t >> 32);
		r[2 * i + 1] = (uint32_t)t;
		carry = (uint32_t)(t >> 32);
	}
	return from_digits(r);
}

/* EXP: base^exponent mod 2^256 by left-to-right square-and-multiply. */
u256 u256_exp(const u256 *base, const u256 *exponent)
{
	u256 r = u256_from_u64(1);
	int bits = (int)u256_bit_length(exponent);
	for (int i = bits - 1; i >= 0; i--) {
		r = u256_sqr(&r);
		if ((exponent->w[i / 64] >> (i % 64)) & 1)
			r = u256_mul(&r, base);
	}
	return r;
}

/* SIGNEXTEND: treat `value` as a (byte_index + 1)-byte signed number; byte_index > 30
 * leaves it as it is. */
u256 u256_signextend(const u256 *byte_index, const u256 *value)
{
	if (!u256_fits_u64(byte_index) || byte_index->w[0] > 30)
		return *value;
	unsigned bit = (unsigned)byte_index->w[0] * 8 + 7; /* the sign bit, <= 247 */
	unsigned limb = bit / 64, off = bit % 64;
	bool negative = (value->w[limb] >> off) & 1;
	u256 r = *value;
	uint64_t above = off == 63 ? 0 : ~(uint64_t)0 << (off + 1); /* bits over the sign bit */
	if (negative) {
		r.w[limb] |= above;
		for (unsigned i = limb + 1; i < 4; i++)
			r.w[i] = ~(uint64_t)0;
	} else {
		r.w[limb] &= ~above;
		for (unsigned i = limb + 1; i < 4; i++)
			r.w[i] = 0;
	}
	return r;
}

/* --- bitwise.py ---------------------------------------------------------------------- */

u256 u256_and(const u256 *a, const u256 *b)
{
	u256 r;
	for (int i = 0; i < 4; i++)
		r.w[i] = a->w[i] & b->w[i];
	return r;
}

u256 u256_or(const u256 *a, const u256 *b)
{
	u256 r;
	for (int i = 0; i < 4; i++)
		r.w[i] = a->w[i] | b->w[i];
	return r;
}

u256 u256_xor(const u256 *a, const u256 *b)
{
	u256 r;
	for (int i = 0; i < 4; i++)
		r.w[i] = a->w[i] ^ b->w[i];
	return r;
}

u256 u256_not(const u256 *a)
{
	u256 r;
	for (int i = 0; i < 4; i++)
		r.w[i] = ~a->w[i];
	return r;
}

/* BYTE: the index-th byte counting from the most significant; 0 for index >= 32. */
u256 u256_byte(const u256 *index, const u256 *value)
{
	if (!u256_fits_u64(index) || index->w[0] >= 32)
		return u256_zero();
	unsigned k = 31 - (unsigned)index->w[0]; /* position from the least significant byte */
	return u256_from_u64((value->w[k / 8] >> ((k % 8) * 8)) & 0xff);
}

/* The shift amount if it is below 256, else 256. */
static unsigned shift_amount(const u256 *shift)
{
	if (!u256_fits_u64(shift) || shift->w[0] >= 256)
		return 256;
	return (unsigned)shift->w[0];
}

static u256 shl_bits(const u256 *v, unsigned k)
{
	u256 r = u256_zero();
	if (k >= 256)
		return r;
	unsigned limbs = k / 64, bits = k % 64;
	for (int i = 3; i >= (int)limbs; i--) {
		int src = i - (int)limbs;
		uint64_t x = v->w[src] << bits;
		if (bits && src > 0)
			x |= v->w[src - 1] >> (64 - bits);
		r.w[i] = x;
	}
	return r;
}

static u256 shr_bits(const u256 *v, unsigned k)
{
	u256 r = u256_zero();
	if (k >= 256)
		return r;
	unsigned limbs = k / 64, bits = k % 64;
	for (int i = 0; i + (int)limbs < 4; i++) {
		int src = i + (int)limbs;
		uint64_t x = v->w[src] >> bits;
		if (bits && src < 3)
			x |= v->w[src + 1] << (64 - bits);
		r.w[i] = x;
	}
	return r;
}

u256 u256_shl(const u256 *shift, const u256 *value)
{
	return shl_bits(value, shift_amount(shift));
}

u256 u256_shr(const u256 *shift, const u256 *value)
{
	return shr_bits(value, shift_amount(shift));
}

/* SAR: for a negative value, shifting right in sign bits is ~((~value) >> shift); a shift
 * of 256 or more leaves 0 or -1. */
u256 u256_sar(const u256 *shift, const u256 *value)
{
	unsigned k = shift_amount(shift);
	if (!u256_is_neg(value))
		return shr_bits(value, k);
	u256 inv = u256_not(value);
	u256 s = shr_bits(&inv, k);
	return u256_not(&s);
}
