/* The one fetch seam (kona's providers, op-program's oracle clients): everything the program
 * knows about the outside world comes through these functions, each a hint followed by one
 * or more preimage requests on fds 3-6 (guest/lib/preimage.h). Every keccak-keyed preimage
 * is checked against its hash here; a mismatch or an I/O failure is fatal_undecodable (exit
 * 2), so code above this layer only ever sees verified bytes.
 *
 * Hint strings (all "<type> 0x<hex>", lowercase; documented in guest/evm/README.md):
 *   l2-block-header <blockhash32>            header RLP under keccak(blockhash)
 *   l2-transactions <blockhash32>            every node of the block's transaction trie
 *   l2-withdrawals  <blockhash32>            every node of the block's withdrawals trie
 *   l2-code <codehash32>                     contract code under keccak(codehash)
 *   l2-account-proof <u64be block number ‖ address20>
 *                                            the account's proof nodes at that block
 *   l2-account-storage-proof <u64be number ‖ address20 ‖ slot32>
 *                                            the account's and the slot's proof nodes
 *   l2-state-node <nodehash32 ‖ context>     one trie node; context = 0x00 (account trie) or
 *                                            0x01 ‖ address20 (that account's storage trie),
 *                                            then the node's path, one nibble per byte
 *   l1-precompile-v2 <address20 ‖ u64be required gas ‖ input>
 *                                            the precompile's result under the type-6 key
 */
#ifndef EVM_ORACLE_H
#define EVM_ORACLE_H

#include "types.h"

/* Local (boot) inputs, key type 1. Returns the length, or -1 if missing or longer than cap. */
int64_t oracle_local(uint64_t index, void *buf, uint64_t cap);

/* Send one hint "<type> 0x<payload hex>". */
void oracle_hint(const char *type, const uint8_t *payload, size_t len);

/* The preimage of keccak256 key `hash`, verified (keccak256(value) == hash). Sends no hint:
 * call oracle_hint first when the host needs one. The returned buffer is rt_malloc'd and
 * owned by the caller. Fatal on mismatch or I/O failure. */
bytes_t oracle_keccak_preimage(const hash32_t *hash);

/* Hint + verified preimage in one call: oracle_hint(type, hash, 32) then the preimage. */
bytes_t oracle_fetch_by_hash(const char *hint_type, const hash32_t *hash);

/* An accelerated precompile (op-program §3): hint l1-precompile-v2, read the type-6 key
 * 0x06 ‖ keccak(address ‖ u64be(required_gas) ‖ input)[1:]. The preimage is
 * status(1) ‖ output. Returns true and the output (rt_malloc'd) when status is 1, false
 * when the precompile failed. An empty preimage is fatal. */
bool oracle_precompile(uint8_t address_low_byte, uint64_t required_gas, const uint8_t *input,
		       size_t len, bytes_t *output);

/* Counters for the statistics line main.c prints. */
extern uint64_t oracle_hint_count;
extern uint64_t oracle_preimage_count;
extern uint64_t oracle_preimage_bytes;

#endif
