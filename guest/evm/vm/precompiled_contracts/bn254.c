/* bn254 G1 arithmetic over Fp (see bn254.h): Montgomery multiplication (CIOS), Jacobian
 * point addition and doubling, double-and-add scalar multiplication, Fermat inversion. */
#include "bn254.h"

#include "rt.h"

static const fp_t P = {{0xd87cfd47, 0x3c208c16, 0x6871ca8d, 0x97816a91, 0x8181585d, 0xb85045b6,
			0xe131a029, 0x30644e72}};
static const fp_t R2 = {{0x538afa89, 0xf32cfc5b, 0xd44501fb, 0xb5e71911, 0x0a417ff6,
			 0x47ab1eff, 0xcab8351f, 0x06d89f71}}; /* 2^512 mod p */
static const fp_t ONE = {{0xc58f0d9d, 0xd35d438d, 0xf5c70b3d, 0x0a78eb28, 0x7879462c,
			  0x666ea36f, 0x9a07df2f, 0x0e0a77c1}}; /* 1 in Montgomery form */
static const fp_t CURVE_B = {{0x50ad28d7, 0x7a17caa9, 0xe15521b9, 0x1f6ac17a, 0x696bd284,
			      0x334bea4e, 0xce179d8e, 0x2a1f6744}}; /* 3 in Montgomery form */
static const fp_t R3 = {{0xda1530df, 0xb1cd6daf, 0xa7283db6, 0x62f210e6, 0x0ada0afb,
			 0xef7f0b0c, 0x2d592544, 0x20fd6e90}}; /* 2^768 mod p */
static const uint32_t P_INV_NEG = 0xe4866389; /* -p^-1 mod 2^32 */

static bool fp_is_zero(const fp_t *a)
{
	uint32_t acc = 0;
	for (int i = 0; i < 8; i++)
		acc |= a->l[i];
	return acc == 0;
}

static bool fp_eq(const fp_t *a, const fp_t *b) { return memcmp(a->l, b->l, sizeof a->l) == 0; }

/* a >= p, for any 8-limb a. */
static bool geq_p(const uint32_t a[8])
{
	for (int i = 7; i >= 0; i--) {
		if (a[i] != P.l[i])
			return a[i] > P.l[i];
	}
	return true;
}

/* r = a - p (limb-wise with borrow); the caller knows a >= p or wants the wrap-around. */
static void sub_p(uint32_t r[8], const uint32_t a[8])
{
	uint64_t borrow = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t d = (uint64_t)a[i] - P.l[i] - borrow;
		r[i] = (uint32_t)d;
		borrow = (d >> 32) & 1;
	}
}

static void fp_add(fp_t *r, const fp_t *a, const fp_t *b)
{
	uint64_t carry = 0;
	uint32_t t[8];
	for (int i = 0; i < 8; i++) {
		uint64_t s = (uint64_t)a->l[i] + b->l[i] + carry;
		t[i] = (uint32_t)s;
		carry = s >> 32;
	}
	/* p < 2^254, so a + b < 2^255 never carries out of 8 limbs. */
	if (geq_p(t))
		sub_p(t, t);
	memcpy(r->l, t, sizeof t);
}

static void fp_sub(fp_t *r, const fp_t *a, const fp_t *b)
{
	uint64_t borrow = 0;
	uint32_t t[8];
	for (int i = 0; i < 8; i++) {
		uint64_t d = (uint64_t)a->l[i] - b->l[i] - borrow;
		t[i] = (uint32_t)d;
		borrow = (d >> 32) & 1;
	}
	if (borrow) { /* went below zero: add p back */
		uint64_t carry = 0;
		for (int i = 0; i < 8; i++) {
			uint64_t s = (uint64_t)t[i] + P.l[i] + carry;
			t[i] = (uint32_t)s;
			carry = s >> 32;
		}
	}
	memcpy(r->l, t, sizeof t);
}

/* r = a·b·2^-256 mod p (coarsely integrated operand scanning). */
static void fp_mul(fp_t *r, const fp_t *a, const fp_t *b)
{
	uint32_t t[10] = {0};
	for (int i = 0; i < 8; i++) {
		uint64_t c = 0;
		for (int j = 0; j < 8; j++) {
			uint64_t s = (uint64_t)a->l[j] * b->l[i] + t[j] + c;
			t[j] = (uint32_t)s;
			c = s >> 32;
		}
		uint64_t s = (uint64_t)t[8] + c;
		t[8] = (uint32_t)s;
		t[9] = (uint32_t)(s >> 32);
		uint32_t m = t[0] * P_INV_NEG;
		c = ((uint64_t)m * P.l[0] + t[0]) >> 32;
		for (int j = 1; j < 8; j++) {
			s = (uint64_t)m * P.l[j] + t[j] + c;
			t[j - 1] = (uint32_t)s;
			c = s >> 32;
		}
		s = (uint64_t)t[8] + c;
		t[7] = (uint32_t)s;
		t[8] = t[9] + (uint32_t)(s >> 32);
	}
	if (t[8] != 0 || geq_p(t))
		sub_p(t, t);
	memcpy(r->l, t, 8 * sizeof(uint32_t));
}

static void fp_sqr(fp_t *r, const fp_t *a) { fp_mul(r, a, a); }

static bool limbs_even(const uint32_t a[8]) { return (a[0] & 1) == 0; }

static bool limbs_is_one(const uint32_t a[8])
{
	uint32_t acc = a[0] ^ 1;
	for (int i = 1; i < 8; i++)
		acc |= a[i];
	return acc == 0;
}

static void limbs_shr1(uint32_t a[8], uint32_t top_bit)
{
	for (int i = 0; i < 7; i++)
		a[i] = (a[i] >> 1) | (a[i + 1] << 31);
	a[7] = (a[7] >> 1) | (top_bit << 31);
}

/* a -= b for a >= b. */
static void limbs_sub(uint32_t a[8], const uint32_t b[8])
{
	uint64_t borrow = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t d = (uint64_t)a[i] - b[i] - borrow;
		a[i] = (uint32_t)d;
		borrow = (d >> 32) & 1;
	}
}

static bool limbs_geq(const uint32_t a[8], const uint32_t b[8])
{
	for (int i = 7; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] > b[i];
	return true;
}

/* x / 2 mod p for x < p. */
static void half_mod_p(fp_t *x)
{
	if (limbs_even(x->l)) {
		limbs_shr1(x->l, 0);
		return;
	}
	uint64_t carry = 0; /* x + p < 2^255: the sum's top bit goes back in by the shift */
	for (int i = 0; i < 8; i++) {
		uint64_t s = (uint64_t)x->l[i] + P.l[i] + carry;
		x->l[i] = (uint32_t)s;
		carry = s >> 32;
	}
	limbs_shr1(x->l, (uint32_t)carry);
}

/* r = a^-1 in Montgomery form (0 for a = 0, as py_ecc's prime_field_inv), by the binary
 * extended Euclidean algorithm: several times fewer steps than a^(p-2). Invariants:
 * x1·a ≡ u and x2·a ≡ v (mod p), on the Montgomery representatives. */
static void fp_inv(fp_t *r, const fp_t *a)
{
	if (fp_is_zero(a)) {
		memset(r, 0, sizeof *r);
		return;
	}
	fp_t u = *a, v = P, x1 = {{1, 0, 0, 0, 0, 0, 0, 0}}, x2 = {{0}};
	while (!limbs_is_one(u.l) && !limbs_is_one(v.l)) {
		while (limbs_even(u.l)) {
			limbs_shr1(u.l, 0);
			half_mod_p(&x1);
		}
		while (limbs_even(v.l)) {
			limbs_shr1(v.l, 0);
			half_mod_p(&x2);
		}
		if (limbs_geq(u.l, v.l)) {
			limbs_sub(u.l, v.l);
			fp_sub(&x1, &x1, &x2);
		} else {
			limbs_sub(v.l, u.l);
			fp_sub(&x2, &x2, &x1);
		}
	}
	/* (aR)^-1 = a^-1·R^-1; one Montgomery product with R^3 gives a^-1·R. */
	fp_mul(r, limbs_is_one(u.l) ? &x1 : &x2, &R3);
}

/* Big-endian 32 bytes (already checked < p) to Montgomery form, and back. */
static void fp_from_be(fp_t *r, const uint8_t in[32])
{
	fp_t plain;
	for (int i = 0; i < 8; i++) {
		const uint8_t *q = in + 28 - 4 * i;
		plain.l[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	}
	fp_mul(r, &plain, &R2);
}

static void fp_to_be(uint8_t out[32], const fp_t *a)
{
	fp_t plain, one_plain = {{1, 0, 0, 0, 0, 0, 0, 0}};
	fp_mul(&plain, a, &one_plain);
	for (int i = 0; i < 8; i++) {
		uint8_t *q = out + 28 - 4 * i;
		q[0] = (uint8_t)(plain.l[i] >> 24);
		q[1] = (uint8_t)(plain.l[i] >> 16);
		q[2] = (uint8_t)(plain.l[i] >> 8);
		q[3] = (uint8_t)plain.l[i];
	}
}

/* 32 big-endian bytes < p? */
static bool be_below_p(const uint8_t in[32])
{
	uint32_t v[8];
	for (int i = 0; i < 8; i++) {
		const uint8_t *q = in + 28 - 4 * i;
		v[i] = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
	}
	return !geq_p(v);
}

static void g1_set_infinity(g1_t *r)
{
	r->x = ONE;
	r->y = ONE;
	memset(&r->z, 0, sizeof r->z);
}

bool g1_from_bytes(g1_t *out, const uint8_t in[64])
{
	if (!be_below_p(in) || !be_below_p(in + 32))
		return false;
	fp_from_be(&out->x, in);
	fp_from_be(&out->y, in + 32);
	if (fp_is_zero(&out->x) && fp_is_zero(&out->y)) {
		g1_set_infinity(out);
		return true;
	}
	out->z = ONE;
	fp_t lhs, rhs;
	fp_sqr(&lhs, &out->y);
	fp_sqr(&rhs, &out->x);
	fp_mul(&rhs, &rhs, &out->x);
	fp_add(&rhs, &rhs, &CURVE_B);
	return fp_eq(&lhs, &rhs);
}

void g1_to_bytes(uint8_t out[64], const g1_t *p)
{
	if (fp_is_zero(&p->z)) {
		memset(out, 0, 64);
		return;
	}
	fp_t zinv, zinv2, zinv3, x, y;
	fp_inv(&zinv, &p->z);
	fp_sqr(&zinv2, &zinv);
	fp_mul(&zinv3, &zinv2, &zinv);
	fp_mul(&x, &p->x, &zinv2);
	fp_mul(&y, &p->y, &zinv3);
	fp_to_be(out, &x);
	fp_to_be(out + 32, &y);
}

/* 2P (a = 0 doubling, "dbl-2009-l"). bn254's G1 has no point of order 2, so Y != 0. */
static void g1_double(g1_t *r, const g1_t *p)
{
	if (fp_is_zero(&p->z)) {
		*r = *p;
		return;
	}
	fp_t a, b, c, d, e, f, t;
	fp_sqr(&a, &p->x);
	fp_sqr(&b, &p->y);
	fp_sqr(&c, &b);
	fp_add(&t, &p->x, &b);
	fp_sqr(&t, &t);
	fp_sub(&t, &t, &a);
	fp_sub(&t, &t, &c);
	fp_add(&d, &t, &t); /* D = 2((X + B)^2 - A - C) */
	fp_add(&e, &a, &a);
	fp_add(&e, &e, &a); /* E = 3A */
	fp_sqr(&f, &e);
	fp_t z3;
	fp_mul(&z3, &p->y, &p->z);
	fp_add(&z3, &z3, &z3); /* Z3 = 2YZ, before Y is overwritten */
	fp_t x3;
	fp_sub(&x3, &f, &d);
	fp_sub(&x3, &x3, &d); /* X3 = F - 2D */
	fp_t y3, c8;
	fp_sub(&y3, &d, &x3);
	fp_mul(&y3, &y3, &e);
	fp_add(&c8, &c, &c);
	fp_add(&c8, &c8, &c8);
	fp_add(&c8, &c8, &c8);
	fp_sub(&y3, &y3, &c8); /* Y3 = E(D - X3) - 8C */
	r->x = x3;
	r->y = y3;
	r->z = z3;
}

void g1_add(g1_t *r, const g1_t *a, const g1_t *b)
{
	if (fp_is_zero(&a->z)) {
		*r = *b;
		return;
	}
	if (fp_is_zero(&b->z)) {
		*r = *a;
		return;
	}
	/* b with Z = 1 (a decoded input, as in every step of g1_mul) saves five products. */
	bool b_affine = fp_eq(&b->z, &ONE);
	fp_t z1z1, z2z2, u1, u2, s1, s2, h, rr;
	fp_sqr(&z1z1, &a->z);
	if (b_affine) {
		u1 = a->x;
		s1 = a->y;
	} else {
		fp_sqr(&z2z2, &b->z);
		fp_mul(&u1, &a->x, &z2z2);
		fp_mul(&s1, &a->y, &b->z);
		fp_mul(&s1, &s1, &z2z2);
	}
	fp_mul(&u2, &b->x, &z1z1);
	fp_mul(&s2, &b->y, &a->z);
	fp_mul(&s2, &s2, &z1z1);
	fp_sub(&h, &u2, &u1);
	fp_sub(&rr, &s2, &s1);
	if (fp_is_zero(&h)) {
		if (fp_is_zero(&rr))
			g1_double(r, a); /* same point */
		else
			g1_set_infinity(r); /* P + (-P) */
		return;
	}
	fp_t h2, h3, u1h2, x3, y3, z3, t;
	fp_sqr(&h2, &h);
	fp_mul(&h3, &h2, &h);
	fp_mul(&u1h2, &u1, &h2);
	fp_sqr(&x3, &rr);
	fp_sub(&x3, &x3, &h3);
	fp_sub(&x3, &x3, &u1h2);
	fp_sub(&x3, &x3, &u1h2); /* X3 = R^2 - H^3 - 2·U1·H^2 */
	fp_sub(&y3, &u1h2, &x3);
	fp_mul(&y3, &y3, &rr);
	fp_mul(&t, &s1, &h3);
	fp_sub(&y3, &y3, &t); /* Y3 = R(U1·H^2 - X3) - S1·H^3 */
	if (b_affine)
		fp_mul(&z3, &a->z, &h);
	else {
		fp_mul(&z3, &a->z, &b->z);
		fp_mul(&z3, &z3, &h); /* Z3 = H·Z1·Z2 */
	}
	r->x = x3;
	r->y = y3;
	r->z = z3;
}

void g1_mul(g1_t *r, const g1_t *p, const uint8_t scalar[32])
{
	g1_t acc;
	g1_set_infinity(&acc);
	for (int i = 0; i < 256; i++) {
		g1_double(&acc, &acc);
		if ((scalar[i / 8] >> (7 - i % 8)) & 1)
			g1_add(&acc, &acc, p);
	}
	*r = acc;
}
