/* Logs blooms (execution-specs `bloom.py`): 2048-bit filters with three bits per entry. */
#ifndef EVM_BLOOM_H
#define EVM_BLOOM_H

#include "blocks.h"

/* Set the three bits of keccak256(bytes) in `bloom`. */
void add_to_bloom(uint8_t bloom[256], const uint8_t *bytes, size_t len);
/* The bloom of every log's address and topics (out is overwritten). */
void logs_bloom(const log_t *logs, size_t count, uint8_t out[256]);

#endif
