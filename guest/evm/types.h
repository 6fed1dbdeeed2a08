/* Plain types shared by every part of the EVM program (execution-specs `fork_types.py`,
 * `ethereum_types`): byte strings, addresses, hashes. Nothing here allocates. */
#ifndef EVM_TYPES_H
#define EVM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt.h"

typedef struct {
	uint8_t b[20];
} address_t;

typedef struct {
	uint8_t b[32];
} hash32_t;

/* A byte string: `data` may be NULL when `len` is 0. Ownership is stated where used. */
typedef struct {
	uint8_t *data;
	size_t len;
} bytes_t;

/* A growable byte buffer (rt_malloc'd). Used by the RLP encoder, memory, return data. */
typedef struct {
	uint8_t *data;
	size_t len;
	size_t cap;
} buf_t;

void buf_reserve(buf_t *b, size_t extra);          /* room for `extra` more bytes */
void buf_append(buf_t *b, const void *p, size_t n); /* append n bytes */
void buf_push(buf_t *b, uint8_t byte);
void buf_free(buf_t *b);                            /* frees and zeroes */
bytes_t bytes_dup(const void *p, size_t n);         /* rt_malloc'd copy (non-NULL even if n==0) */

static inline bool address_eq(const address_t *a, const address_t *b)
{
	return memcmp(a->b, b->b, 20) == 0;
}
static inline bool hash_eq(const hash32_t *a, const hash32_t *b)
{
	return memcmp(a->b, b->b, 32) == 0;
}

/* keccak256 of the empty string and of rlp([]) / the empty trie root (fork_types.py, trie.py). */
extern const hash32_t EMPTY_CODE_HASH;  /* c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470 */
extern const hash32_t EMPTY_TRIE_ROOT;  /* 56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421 */
extern const hash32_t EMPTY_OMMER_HASH; /* 1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347 */

/* Fatal errors: the program stops with the verdict codes of main.c.
 *   fatal_undecodable: inputs that cannot be decoded or a preimage that does not match its
 *                      hash (exit 2: the run proves nothing either way).
 * Every message is one line on stdout, prefixed "evm: ". */
__attribute__((noreturn)) void fatal_undecodable(const char *what);

#endif
