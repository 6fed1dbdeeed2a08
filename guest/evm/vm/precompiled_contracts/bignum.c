/* Modular exponentiation over arbitrary-size numbers (see bignum.h). Left-to-right binary
 * exponentiation; every product is reduced at once, so no intermediate exceeds 2n limbs. */
#include "bignum.h"

#include <stdbool.h>

#include "rt.h"

typedef uint32_t limb_t;

#define WINDOW_MIN_BYTES 8 /* exponents longer than this use 4-bit windows */

/* A modulus and the scratch space its reductions use. */
typedef struct {
	size_t n;         /* limbs, top limb non-zero */
	const limb_t *m;  /* the modulus */
	bool montgomery;  /* odd modulus */
	limb_t m_inv_neg; /* -m^-1 mod 2^32 (Montgomery only) */
	unsigned shift;   /* left shift that sets the top bit of m (division only) */
	limb_t top_inv;   /* reciprocal of m_norm's top limb for div_2by1 (division only) */
	limb_t *m_norm;   /* m << shift, n limbs (division only) */
	limb_t *product;  /* 2n limbs: a full product */
	limb_t *work;     /* 2n + 2 limbs: division / Montgomery scratch */
} modulus_t;

static void limbs_from_be(limb_t *out, size_t n, const uint8_t *be, size_t len)
{
	memset(out, 0, n * sizeof(limb_t));
	for (size_t i = 0; i < len; i++) {
		size_t pos = len - 1 - i; /* byte i counted from the least significant end */
		out[i / 4] |= (limb_t)be[pos] << (8 * (i % 4));
	}
}

static void limbs_to_be(uint8_t *out, size_t len, const limb_t *a, size_t n)
{
	for (size_t i = 0; i < len; i++) {
		size_t limb = i / 4;
		out[len - 1 - i] = limb < n ? (uint8_t)(a[limb] >> (8 * (i % 4))) : 0;
	}
}

static size_t significant_limbs(const limb_t *a, size_t n)
{
	while (n > 0 && a[n - 1] == 0)
		n--;
	return n;
}

static unsigned leading_zeros32(limb_t x)
{
	unsigned count = 0;
	for (limb_t bit = 0x80000000u; bit && !(x & bit); bit >>= 1)
		count++;
	return count;
}

/* (u1·2^32 + u0) / d for a normalised d (top bit set) and u1 < d, with the precomputed
 * reciprocal v = floor((2^64 - 1) / d) - 2^32 (Möller and Granlund, "Improved division by
 * invariant integers", 2011, algorithm 4): two products and no division instruction, where
 * a 64-bit `/` on MIPS32 is a ~1000-step shift-subtract loop (rt/divide.c). */
static limb_t div_2by1(limb_t u1, limb_t u0, limb_t d, limb_t v, limb_t *rest)
{
	uint64_t q = (uint64_t)v * u1 + (((uint64_t)u1 << 32) | u0);
	limb_t q1 = (limb_t)(q >> 32) + 1, q0 = (limb_t)q;
	limb_t r = u0 - q1 * d;
	if (r > q0) {
		q1--;
		r += d;
	}
	if (r >= d) {
		q1++;
		r -= d;
	}
	*rest = r;
	return q1;
}

/* r[0..n) = u[0..nu) mod m (Knuth, TAOCP vol. 2, 4.3.1, algorithm D; remainder only). */
static void rem(const modulus_t *M, const limb_t *u, size_t nu, limb_t *r)
{
	size_t n = M->n;
	nu = significant_limbs(u, nu);
	if (nu < n) { /* u < 2^(32(n-1)) <= m */
		memset(r, 0, n * sizeof(limb_t));
		memcpy(r, u, nu * sizeof(limb_t));
		return;
	}
	const limb_t *vn = M->m_norm;
	limb_t d = vn[n - 1];
	unsigned s = M->shift;
	limb_t *un = M->work; /* nu + 1 limbs: u << s */
	un[nu] = s ? u[nu - 1] >> (32 - s) : 0;
	for (size_t i = nu - 1; i > 0; i--)
		un[i] = s ? (u[i] << s) | (u[i - 1] >> (32 - s)) : u[i];
	un[0] = u[0] << s;
	for (size_t j = nu - n + 1; j-- > 0;) {
		/* qhat = top two limbs / d, at most 2 too large; rhat its remainder. The top limb
		 * never exceeds d; when it equals d the quotient digit is capped at 2^32 - 1. */
		limb_t qhat, rhat;
		bool rhat_big = false; /* rhat >= 2^32: no correction can be needed */
		if (un[j + n] >= d) {
			qhat = 0xffffffffu;
			uint64_t sum = (uint64_t)un[j + n - 1] + d;
			rhat = (limb_t)sum;
			rhat_big = (sum >> 32) != 0;
		} else {
			qhat = div_2by1(un[j + n], un[j + n - 1], d, M->top_inv, &rhat);
		}
		while (n >= 2 && !rhat_big &&
		       (uint64_t)qhat * vn[n - 2] > (((uint64_t)rhat << 32) | un[j + n - 2])) {
			qhat--;
			uint64_t sum = (uint64_t)rhat + d;
			rhat = (limb_t)sum;
			rhat_big = (sum >> 32) != 0;
		}
		/* un[j..j+n] -= qhat · vn */
		uint64_t borrow = 0, carry = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t p = (uint64_t)qhat * vn[i] + carry;
			carry = p >> 32;
			uint64_t diff = (uint64_t)un[i + j] - (uint32_t)p - borrow;
			un[i + j] = (limb_t)diff;
			borrow = (diff >> 32) & 1;
		}
		uint64_t diff = (uint64_t)un[j + n] - carry - borrow;
		un[j + n] = (limb_t)diff;
		if ((diff >> 32) & 1) { /* qhat was one too large: add vn back */
			uint64_t c = 0;
			for (size_t i = 0; i < n; i++) {
				uint64_t sum = (uint64_t)un[i + j] + vn[i] + c;
				un[i + j] = (limb_t)sum;
				c = sum >> 32;
			}
			un[j + n] += (limb_t)c;
		}
	}
	for (size_t i = 0; i < n; i++)
		r[i] = s ? (un[i] >> s) | (un[i + 1] << (32 - s)) : un[i];
}

/* r = a·b mod m by a full product and division (a, b < m). */
static void mulmod_division(const modulus_t *M, limb_t *r, const limb_t *a, const limb_t *b)
{
	size_t n = M->n;
	limb_t *t = M->product;
	memset(t, 0, 2 * n * sizeof(limb_t));
	for (size_t i = 0; i < n; i++) {
		uint64_t c = 0;
		if (a[i] == 0)
			continue;
		for (size_t j = 0; j < n; j++) {
			uint64_t s = (uint64_t)a[i] * b[j] + t[i + j] + c;
			t[i + j] = (limb_t)s;
			c = s >> 32;
		}
		t[i + n] = (limb_t)c;
	}
	rem(M, t, 2 * n, r);
}

/* a >= m for n-limb a plus an extra top limb `top`. */
static bool at_least_m(const modulus_t *M, const limb_t *a, limb_t top)
{
	if (top)
		return true;
	for (size_t i = M->n; i-- > 0;)
		if (a[i] != M->m[i])
			return a[i] > M->m[i];
	return true;
}

/* r = a·b·2^(-32n) mod m (Montgomery, coarsely integrated operand scanning). */
static void mulmod_montgomery(const modulus_t *M, limb_t *r, const limb_t *a, const limb_t *b)
{
	size_t n = M->n;
	limb_t *t = M->work; /* n + 2 limbs */
	memset(t, 0, (n + 2) * sizeof(limb_t));
	for (size_t i = 0; i < n; i++) {
		uint64_t c = 0;
		for (size_t j = 0; j < n; j++) {
			uint64_t s = (uint64_t)a[j] * b[i] + t[j] + c;
			t[j] = (limb_t)s;
			c = s >> 32;
		}
		uint64_t s = (uint64_t)t[n] + c;
		t[n] = (limb_t)s;
		t[n + 1] = (limb_t)(s >> 32);
		limb_t q = t[0] * M->m_inv_neg;
		c = ((uint64_t)q * M->m[0] + t[0]) >> 32;
		for (size_t j = 1; j < n; j++) {
			s = (uint64_t)q * M->m[j] + t[j] + c;
			t[j - 1] = (limb_t)s;
			c = s >> 32;
		}
		s = (uint64_t)t[n] + c;
		t[n - 1] = (limb_t)s;
		t[n] = t[n + 1] + (limb_t)(s >> 32);
	}
	if (at_least_m(M, t, t[n])) {
		uint64_t borrow = 0;
		for (size_t i = 0; i < n; i++) {
			uint64_t d = (uint64_t)t[i] - M->m[i] - borrow;
			t[i] = (limb_t)d;
			borrow = (d >> 32) & 1;
		}
	}
	memcpy(r, t, n * sizeof(limb_t));
}

static void mulmod(const modulus_t *M, limb_t *r, const limb_t *a, const limb_t *b)
{
	if (M->montgomery)
		mulmod_montgomery(M, r, a, b);
	else
		mulmod_division(M, r, a, b);
}

void bn_modexp(const uint8_t *base, size_t base_len, const uint8_t *exp, size_t exp_len,
	       const uint8_t *modulus, size_t mod_len, uint8_t *out)
{
	size_t mod_limbs = (mod_len + 3) / 4;
	limb_t *m = rt_malloc(mod_limbs * sizeof(limb_t) + 1);
	limbs_from_be(m, mod_limbs, modulus, mod_len);
	modulus_t M = {0};
	M.n = significant_limbs(m, mod_limbs);
	M.m = m;
	size_t n = M.n;
	M.montgomery = (m[0] & 1) != 0;
	M.shift = leading_zeros32(m[n - 1]);
	M.m_norm = rt_malloc(n * sizeof(limb_t));
	for (size_t i = n; i-- > 0;)
		M.m_norm[i] = M.shift ? (m[i] << M.shift) | (i ? m[i - 1] >> (32 - M.shift) : 0)
				      : m[i];
	/* floor((2^64 - 1) / d) - 2^32 for d = m_norm's top limb: one slow division per call */
	limb_t d = M.m_norm[n - 1];
	M.top_inv = (limb_t)(((uint64_t)(~d) << 32 | 0xffffffffu) / d);
	if (M.montgomery) { /* -m^-1 mod 2^32 by Newton's iteration: x <- x(2 - m0·x) */
		limb_t x = m[0];
		for (int i = 0; i < 5; i++)
			x *= 2 - m[0] * x;
		M.m_inv_neg = (limb_t)0 - x;
	}
	size_t base_limbs = (base_len + 3) / 4;
	size_t wide = (base_limbs > 2 * n ? base_limbs : 2 * n) + n; /* room for base · R */
	M.product = rt_malloc(2 * n * sizeof(limb_t));
	M.work = rt_malloc((wide + 2) * sizeof(limb_t));
	limb_t *scratch = rt_malloc(wide * sizeof(limb_t));
	limb_t *acc = rt_malloc(n * sizeof(limb_t));
	limb_t *b = rt_malloc(n * sizeof(limb_t));
	limb_t *one = rt_malloc(n * sizeof(limb_t));

	/* b = base (·R in Montgomery form) mod m; one = 1 (or R) mod m. */
	size_t lift = M.montgomery ? n : 0;
	memset(scratch, 0, wide * sizeof(limb_t));
	limbs_from_be(scratch + lift, base_limbs, base, base_len);
	rem(&M, scratch, lift + base_limbs, b);
	memset(scratch, 0, wide * sizeof(limb_t));
	scratch[lift] = 1;
	rem(&M, scratch, lift + 1, one);

	memcpy(acc, one, n * sizeof(limb_t));
	size_t first = 0; /* skip the exponent's leading zero bytes */
	while (first < exp_len && exp[first] == 0)
		first++;
	bool started = false; /* before the exponent's first 1 bit, acc = 1 needs no squaring */
	if (exp_len - first > WINDOW_MIN_BYTES) {
		/* Fixed 4-bit windows: 4 squarings and at most one product per nibble, after 14
		 * products for the table b^1..b^15 (worth it only for long exponents). */
		limb_t *table = rt_malloc(16 * n * sizeof(limb_t));
		memcpy(table + n, b, n * sizeof(limb_t));
		for (int k = 2; k < 16; k++)
			mulmod(&M, table + k * n, table + (k - 1) * n, b);
		for (size_t i = first; i < exp_len; i++) {
			for (int shift = 4; shift >= 0; shift -= 4) {
				unsigned nibble = (exp[i] >> shift) & 15;
				if (started)
					for (int k = 0; k < 4; k++)
						mulmod(&M, acc, acc, acc);
				if (nibble) {
					mulmod(&M, acc, acc, table + nibble * n);
					started = true;
				}
			}
		}
		rt_free(table);
	} else {
		for (size_t i = first; i < exp_len; i++) {
			for (int bit = 7; bit >= 0; bit--) {
				if (started)
					mulmod(&M, acc, acc, acc);
				if ((exp[i] >> bit) & 1) {
					mulmod(&M, acc, acc, b);
					started = true;
				}
			}
		}
	}
	if (M.montgomery) { /* leave Montgomery form: acc · 1 · R^-1 */
		memset(one, 0, n * sizeof(limb_t));
		one[0] = 1;
		mulmod(&M, acc, acc, one);
	}
	limbs_to_be(out, mod_len, acc, n);
	rt_free(m);
	rt_free(M.m_norm);
	rt_free(M.product);
	rt_free(M.work);
	rt_free(scratch);
	rt_free(acc);
	rt_free(b);
	rt_free(one);
}
