/* 256-bit unsigned words (the EVM's U256) with two's-complement signed views.
 *
 * Four 64-bit limbs, least significant first (w[0]). All arithmetic is modulo 2^256, as the
 * EVM's; division by zero gives zero (DIV/MOD/SDIV/SMOD/ADDMOD/MULMOD semantics). No
 * allocation, no floating point, no division instructions beyond what rt/divide.c supplies.
 */
#ifndef EVM_U256_H
#define EVM_U256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint64_t w[4];
} u256;

static inline u256 u256_zero(void) { u256 r = {{0, 0, 0, 0}}; return r; }
static inline u256 u256_from_u64(uint64_t v) { u256 r = {{v, 0, 0, 0}}; return r; }
static inline bool u256_is_zero(const u256 *a) { return !(a->w[0] | a->w[1] | a->w[2] | a->w[3]); }
static inline bool u256_eq(const u256 *a, const u256 *b)
{
	return a->w[0] == b->w[0] && a->w[1] == b->w[1] && a->w[2] == b->w[2] && a->w[3] == b->w[3];
}
/* True when the value fits in 64 bits (then w[0] is the value). */
static inline bool u256_fits_u64(const u256 *a) { return !(a->w[1] | a->w[2] | a->w[3]); }
static inline bool u256_is_neg(const u256 *a) { return (a->w[3] >> 63) != 0; }

/* Big-endian conversion. from_be takes n <= 32 bytes (left-padded with zeros);
 * to_be writes exactly 32 bytes. */
u256 u256_from_be(const uint8_t *b, size_t n);
void u256_to_be(const u256 *a, uint8_t out[32]);

int u256_cmp(const u256 *a, const u256 *b);  /* unsigned: -1, 0, 1 */
int u256_scmp(const u256 *a, const u256 *b); /* signed (two's complement) */
static inline bool u256_lt(const u256 *a, const u256 *b) { return u256_cmp(a, b) < 0; }

u256 u256_add(const u256 *a, const u256 *b);
u256 u256_sub(const u256 *a, const u256 *b);
u256 u256_mul(const u256 *a, const u256 *b);
/* The same into *r, which may be a or b: the interpreter's in-place stack slots (no copy of a
 * returned value). */
void u256_add_to(u256 *r, const u256 *a, const u256 *b);
void u256_sub_to(u256 *r, const u256 *a, const u256 *b);
void u256_mul_to(u256 *r, const u256 *a, const u256 *b);
u256 u256_div(const u256 *a, const u256 *b);   /* 0 if b == 0 */
u256 u256_mod(const u256 *a, const u256 *b);   /* 0 if b == 0 */
u256 u256_sdiv(const u256 *a, const u256 *b);  /* EVM SDIV, incl. -2^255 / -1 = -2^255 */
u256 u256_smod(const u256 *a, const u256 *b);  /* EVM SMOD: sign of the dividend */
u256 u256_addmod(const u256 *a, const u256 *b, const u256 *n); /* exact (257-bit sum) */
u256 u256_mulmod(const u256 *a, const u256 *b, const u256 *n); /* exact (512-bit product) */
u256 u256_exp(const u256 *base, const u256 *exponent);
u256 u256_signextend(const u256 *byte_index, const u256 *value);
u256 u256_neg(const u256 *a);
u256 u256_and(const u256 *a, const u256 *b);
u256 u256_or(const u256 *a, const u256 *b);
u256 u256_xor(const u256 *a, const u256 *b);
u256 u256_not(const u256 *a);
u256 u256_byte(const u256 *index, const u256 *value); /* EVM BYTE */
u256 u256_shl(const u256 *shift, const u256 *value);  /* EVM SHL: shift >= 256 gives 0 */
u256 u256_shr(const u256 *shift, const u256 *value);
u256 u256_sar(const u256 *shift, const u256 *value);
unsigned u256_bit_length(const u256 *a);  /* 0 for zero */
unsigned u256_byte_length(const u256 *a); /* 0 for zero */

/* Full-width helpers for precompiles (modexp, bn254): a 512-bit product and a remainder. */
void u256_mul_full(const u256 *a, const u256 *b, uint64_t out[8]);

#endif
