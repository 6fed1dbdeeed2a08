/* Logs blooms (bloom.py): each entry sets three bits, taken from the low 11 bits of the
 * first three big-endian 16-bit words of its keccak256, counted from the bloom's end. */
#include "bloom.h"

#include "hash.h"

void add_to_bloom(uint8_t bloom[256], const uint8_t *bytes, size_t len)
{
	uint8_t h[32];
	keccak256(bytes, len, h);
	for (int idx = 0; idx < 6; idx += 2) {
		unsigned bit_to_set = (((unsigned)h[idx] << 8) | h[idx + 1]) & 0x07ff;
		unsigned bit_index = 0x07ff - bit_to_set;
		bloom[bit_index / 8] |= (uint8_t)(1u << (7 - bit_index % 8));
	}
}

void logs_bloom(const log_t *logs, size_t count, uint8_t out[256])
{
	memset(out, 0, 256);
	for (size_t i = 0; i < count; i++) {
		add_to_bloom(out, logs[i].address.b, 20);
		for (size_t t = 0; t < logs[i].topic_count; t++)
			add_to_bloom(out, logs[i].topics[t].b, 32);
	}
}
