/* Preimage-oracle client: the guest side of the hint and preimage channels.
 *
 * Wire protocol (cannon-mips32.md 5.2, asterisc-riscv64.md 5.3), guest view:
 *   hint:     write uint32_be(len) || bytes to fd 4, then read a 1-byte ack from fd 3
 *   preimage: write the 32-byte key to fd 6, then read uint64_be(len) || bytes from fd 5
 * Inside a VM every read/write may move only a few bytes (Cannon: at most 4 for fds 5/6),
 * so all transfers loop. A VM read past the end of a preimage is a fault, so the client
 * reads exactly 8 + len bytes and never probes for end of file.
 */
#ifndef GUEST_PREIMAGE_H
#define GUEST_PREIMAGE_H

#include <stddef.h>
#include <stdint.h>

enum {
	PREIMAGE_KEY_LOCAL = 1,
	PREIMAGE_KEY_KECCAK256 = 2,
	PREIMAGE_KEY_SHA256 = 4,
};

/* Key builders. A local key is 0x01, 23 zero bytes, uint64_be(index). Hash keys replace
 * the first byte of the hash with the type byte. */
void preimage_local_key(uint8_t key[32], uint64_t index);
void preimage_hash_key(uint8_t key[32], uint8_t type, const uint8_t hash[32]);

/* Send one hint and wait for the ack. 0 on success, -1 on I/O failure. */
int preimage_hint(const void *hint, uint32_t len);
int preimage_hint_str(const char *hint);

/* Ask for a preimage and read it into a fresh rt_malloc'd buffer (NULL on I/O failure;
 * an empty preimage gives a non-NULL 1-byte buffer). *len receives the length. */
uint8_t *preimage_get(const uint8_t key[32], uint64_t *len);

/* Same, into a caller buffer: returns the length, or -1 on I/O failure or if the
 * preimage is longer than cap (the rest is still drained so the stream stays in sync). */
int64_t preimage_get_into(const uint8_t key[32], void *buf, uint64_t cap);

/* Fetch a keccak256 / sha256 preimage and check that it hashes to `hash`.
 * Returns NULL (and *len = 0) on mismatch or I/O failure. */
uint8_t *preimage_get_keccak256(const uint8_t hash[32], uint64_t *len);
uint8_t *preimage_get_sha256(const uint8_t hash[32], uint64_t *len);

/* Lower-case hex of n bytes into out (2n chars + NUL). */
void hex_encode(char *out, const uint8_t *data, size_t n);

#endif
