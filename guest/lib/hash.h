/* keccak256 (Ethereum's Keccak, original padding) and SHA-256, so a guest can verify
 * every preimage the host sends instead of trusting it. */
#ifndef GUEST_HASH_H
#define GUEST_HASH_H

#include <stddef.h>
#include <stdint.h>

void keccak256(const void *data, size_t len, uint8_t out[32]);
void sha256(const void *data, size_t len, uint8_t out[32]);

#endif
