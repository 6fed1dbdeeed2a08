/* Merkle Patricia Trie (execution-specs `trie.py`, Yellow Paper appendix D) that reads
 * lazily and writes back.
 *
 * A trie starts from a root hash; nodes are loaded on demand through `resolve` (which returns
 * verified node RLP, or fails fatally), kept decoded in memory, modified in place, and hashed
 * again only where they changed. Keys are raw byte strings: a "secure" trie (state, storage)
 * is used with keccak256(key) by the caller; derivable lists (transactions, receipts,
 * withdrawals) with rlp(index). Deleting a key collapses branches with one child left and
 * merges extensions, loading the remaining sibling through `resolve` when it is only a hash.
 */
#ifndef EVM_TRIE_H
#define EVM_TRIE_H

#include "types.h"

/* Loads the node whose RLP hashes to `hash`; `path` (one nibble per byte, `npath` long) is
 * where it sits, for hosts that look nodes up by path. Must return verified bytes
 * (rt_malloc'd, ownership passes to the trie) or not return (fatal). */
typedef bytes_t (*trie_resolver)(void *ctx, const hash32_t *hash, const uint8_t *path,
				 size_t npath);

typedef struct trie trie_t;

/* A trie over `root` (EMPTY_TRIE_ROOT for an empty one). `resolve` may be NULL for a trie
 * built from empty (then any hash reference is fatal). */
trie_t *trie_open(const hash32_t *root, trie_resolver resolve, void *ctx);
void trie_free(trie_t *t);

/* Value stored under `key`, or false when absent. The value bytes stay owned by the trie and
 * valid until the next write to this trie. */
bool trie_get(trie_t *t, const uint8_t *key, size_t keylen, bytes_t *value);
/* Insert or replace; an empty value (vlen == 0) deletes, as in trie.py's trie_set. The trie
 * copies the value. */
void trie_put(trie_t *t, const uint8_t *key, size_t keylen, const uint8_t *value, size_t vlen);
/* The root hash (EMPTY_TRIE_ROOT for an empty trie). Re-hashes only changed nodes. */
void trie_root(trie_t *t, hash32_t *out);

/* A node that hashes right but does not decode as a trie node can only sit under a root
 * nobody vouched for (e.g. the claimed block's transactions root), so by default it is
 * fatal_undecodable (exit 2). A caller reading such a trie may set this hook for the time of
 * the read to judge the claim instead (e.g. exit 1); it must not return. NULL: the default. */
extern void (*trie_on_malformed)(const char *what);

/* Counters: nodes resolved (fetched) and nodes hashed, for the statistics line. */
extern uint64_t trie_nodes_resolved;
extern uint64_t trie_nodes_hashed;

#endif
