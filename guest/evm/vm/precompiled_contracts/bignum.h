/* Arbitrary-size modular exponentiation for MODEXP (private to modexp.c).
 *
 * Numbers are little-endian arrays of 32-bit limbs: 32x32->64 products are one `multu` on
 * MIPS32 and cheap elsewhere. An odd modulus uses Montgomery multiplication (no division in
 * the loop); an even one, schoolbook products reduced by Knuth's algorithm D. */
#ifndef EVM_PRECOMPILE_BIGNUM_H
#define EVM_PRECOMPILE_BIGNUM_H

#include <stddef.h>
#include <stdint.h>

/* out[0..mod_len) = base ^ exp mod modulus, big-endian, left-padded. The modulus must be
 * non-zero. All lengths are in bytes; base, exp and modulus may have leading zero bytes. */
void bn_modexp(const uint8_t *base, size_t base_len, const uint8_t *exp, size_t exp_len,
	       const uint8_t *modulus, size_t mod_len, uint8_t *out);

#endif
