/* Heap workout: many small blocks through the size-class free lists, then large blocks
 * that get their own mappings, then brk if the system lets it grow. Every block is filled
 * with a pattern derived from its identity and verified before it is freed, so a VM that
 * loses or aliases memory fails here. Maps about 36 MiB (Linux) to 45 MiB (bump-only VM heaps). */
#include "rt.h"

#define SMALL_ROUNDS 4
#define SMALL_BLOCKS 3000
#define LARGE_ROUNDS 2
#define LARGE_BLOCKS 8
#define LARGE_SIZE (2u << 20) /* > 1 MiB: mmap'd directly, munmap'd on free */
#define BRK_GROW (1u << 20)
#define STRIDE 16 /* words */

static uint32_t rng = 0x2545f491u;
static uint32_t checksum = 0x811c9dc5u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint32_t pattern(uint32_t tag, size_t i)
{
	uint32_t x = tag * 0x9e3779b1u + (uint32_t)i * 0x85ebca6bu;
	return x ^ (x >> 15);
}

/* stride 1 fills every word; large regions use a 64-byte stride, which still touches
 * every page and cache line at a sixteenth of the instructions. */
static void fill(uint32_t *p, size_t words, uint32_t tag, size_t stride)
{
	for (size_t i = 0; i < words; i += stride)
		p[i] = pattern(tag, i);
}

static void verify(const uint32_t *p, size_t words, uint32_t tag, size_t stride)
{
	for (size_t i = 0; i < words; i += stride) {
		if (p[i] != pattern(tag, i)) {
			rt_printf("heap: corrupt block tag %u word %lu\n", tag, (unsigned long)i);
			rt_exit(1);
		}
		checksum = (checksum ^ p[i]) * 0x01000193u;
	}
}

struct block {
	uint32_t *p;
	size_t words;
	uint32_t tag;
};

static struct block blocks[SMALL_BLOCKS];

static void alloc_block(struct block *b, uint32_t tag)
{
	b->words = 1 + next() % 256; /* 4 B .. 1 KiB */
	b->tag = tag;
	b->p = rt_malloc(b->words * 4);
	if (!b->p)
		rt_panic("out of memory (small)");
	fill(b->p, b->words, tag, 1);
}

static void small_blocks(void)
{
	uint32_t tag = 1;
	for (int round = 0; round < SMALL_ROUNDS; round++) {
		for (int i = 0; i < SMALL_BLOCKS; i++)
			alloc_block(&blocks[i], tag++);
		/* Free a pseudo-random half and reallocate it: exercises reuse. */
		for (int i = 0; i < SMALL_BLOCKS; i++)
			if (next() & 1) {
				verify(blocks[i].p, blocks[i].words, blocks[i].tag, 1);
				rt_free(blocks[i].p);
				alloc_block(&blocks[i], tag++);
			}
		for (int i = 0; i < SMALL_BLOCKS; i++) {
			verify(blocks[i].p, blocks[i].words, blocks[i].tag, 1);
			rt_free(blocks[i].p);
		}
	}
	rt_printf("heap: %u small blocks ok, %lu bytes mapped\n", tag - 1,
		  (unsigned long)rt_heap_mapped());
}

static void large_blocks(void)
{
	uint32_t *big[LARGE_BLOCKS];
	for (int round = 0; round < LARGE_ROUNDS; round++) {
		for (int i = 0; i < LARGE_BLOCKS; i++) {
			big[i] = rt_malloc(LARGE_SIZE);
			if (!big[i])
				rt_panic("out of memory (large)");
			fill(big[i], LARGE_SIZE / 4, 0x10000u + (uint32_t)(round * LARGE_BLOCKS + i), STRIDE);
		}
		for (int i = 0; i < LARGE_BLOCKS; i++) {
			verify(big[i], LARGE_SIZE / 4, 0x10000u + (uint32_t)(round * LARGE_BLOCKS + i), STRIDE);
			rt_free(big[i]);
		}
	}
	rt_printf("heap: %d large blocks of %u bytes ok\n", LARGE_ROUNDS * LARGE_BLOCKS,
		  LARGE_SIZE);
}

/* Cannon and Asterisc return a fixed break and never grow it; Linux does. The output
 * must not depend on which, so the brk region only feeds the same checksum as a block
 * would, and is replaced by an mmap'd block when brk cannot grow. */
static void brk_region(void)
{
	uint8_t *cur = rt_brk(0);
	uint8_t *want = cur + BRK_GROW;
	uint8_t *got = rt_brk(want);
	uint32_t *region;
	if (got == want) {
		region = (uint32_t *)(void *)cur;
	} else {
		region = rt_malloc(BRK_GROW);
		if (!region)
			rt_panic("out of memory (brk fallback)");
	}
	fill(region, BRK_GROW / 4, 0x20000u, STRIDE);
	verify(region, BRK_GROW / 4, 0x20000u, STRIDE);
	if (got == want)
		rt_brk(cur);
	else
		rt_free(region);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	small_blocks();
	large_blocks();
	brk_region();
	rt_printf("heap: ok checksum %08x\n", checksum);
	return 0;
}
