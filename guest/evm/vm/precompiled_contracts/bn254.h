/* The bn254 (alt_bn128) curve's base field Fp and its group G1: y^2 = x^3 + 3 over Fp,
 * p = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47 (py_ecc's
 * `field_modulus`). Private to the precompiles (alt_bn128.c).
 *
 * Field elements are 8 little-endian 32-bit limbs in Montgomery form (x·2^256 mod p), so a
 * product is 64 32x32->64 multiplications plus 64 for the reduction and no division: 32-bit
 * limbs suit MIPS32 (multu) and are no worse on the 64-bit targets. */
#ifndef EVM_PRECOMPILE_BN254_H
#define EVM_PRECOMPILE_BN254_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
	uint32_t l[8];
} fp_t;

/* Jacobian coordinates: (X, Y, Z) is the affine point (X/Z^2, Y/Z^3); Z = 0 is infinity. */
typedef struct {
	fp_t x, y, z;
} g1_t;

/* Decode a 64-byte big-endian (x ‖ y) as the spec's bytes_to_g1: false when a coordinate is
 * >= p or the point is not on the curve; (0, 0) is the point at infinity. */
bool g1_from_bytes(g1_t *out, const uint8_t in[64]);
/* Encode as affine big-endian x ‖ y; infinity is 64 zero bytes (py_ecc's normalize). */
void g1_to_bytes(uint8_t out[64], const g1_t *p);
void g1_add(g1_t *out, const g1_t *a, const g1_t *b);
/* n·P for a 256-bit big-endian scalar n (not reduced: n·P is the same group element). */
void g1_mul(g1_t *out, const g1_t *p, const uint8_t scalar[32]);

#endif
