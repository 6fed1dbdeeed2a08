/* Compute-heavy guest: keccak256 and sha256 hash chains, sorting a pseudo-random array and
 * big-integer squaring. Each part prints a result a test can recompute independently,
 * so a wrong instruction anywhere shows up as a wrong line. */
#include "hash.h"
#include "preimage.h"
#include "rt.h"

#define CHAIN_LENGTH 2000     /* keccak256 applications */
#define SHA_CHAIN_LENGTH 500  /* sha256 applications */
#define SORT_COUNT 20000      /* uint32 elements */
#define SQUARINGS 10          /* x <- x^2, starting from a 96-bit x0 */

static void keccak_chain(void)
{
	uint8_t h[32];
	keccak256("faultproof", 10, h);
	for (int i = 0; i < CHAIN_LENGTH; i++)
		keccak256(h, 32, h);
	char hex[65];
	hex_encode(hex, h, 32);
	rt_printf("keccak chain %d: %s\n", CHAIN_LENGTH, hex);
	sha256("faultproof", 10, h);
	for (int i = 0; i < SHA_CHAIN_LENGTH; i++)
		sha256(h, 32, h);
	hex_encode(hex, h, 32);
	rt_printf("sha256 chain %d: %s\n", SHA_CHAIN_LENGTH, hex);
}

static uint32_t xorshift32(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* In-place heapsort: no recursion, no extra memory, lots of loads and stores. */
static void sift_down(uint32_t *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;
		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1] > a[child])
			child++;
		if (a[root] >= a[child])
			return;
		uint32_t t = a[root];
		a[root] = a[child];
		a[child] = t;
		root = child;
	}
}

static void heapsort(uint32_t *a, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(a, i, n);
	for (size_t end = n; end-- > 1;) {
		uint32_t t = a[0];
		a[0] = a[end];
		a[end] = t;
		sift_down(a, 0, end);
	}
}

static int sort_check(void)
{
	uint32_t *a = rt_malloc(SORT_COUNT * sizeof(uint32_t));
	if (!a)
		rt_panic("out of memory");
	uint32_t seed = 0x12345678;
	for (size_t i = 0; i < SORT_COUNT; i++)
		a[i] = xorshift32(&seed);
	heapsort(a, SORT_COUNT);
	uint32_t sum = 0;
	for (size_t i = 0; i < SORT_COUNT; i++) {
		if (i && a[i - 1] > a[i]) {
			rt_printf("sort: not sorted at %lu\n", (unsigned long)i);
			return -1;
		}
		sum = sum * 31u + a[i];
	}
	rt_printf("sort %d: min %08x max %08x checksum %08x\n", SORT_COUNT, a[0],
		  a[SORT_COUNT - 1], sum);
	rt_free(a);
	return 0;
}

/* Schoolbook multiplication of little-endian 32-bit limbs: out = a * b. */
static size_t big_mul(uint32_t *out, const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	memset(out, 0, (na + nb) * sizeof(uint32_t));
	for (size_t i = 0; i < na; i++) {
		uint64_t carry = 0;
		for (size_t j = 0; j < nb; j++) {
			uint64_t t = (uint64_t)a[i] * b[j] + out[i + j] + carry;
			out[i + j] = (uint32_t)t;
			carry = t >> 32;
		}
		out[i + nb] = (uint32_t)carry;
	}
	size_t n = na + nb;
	while (n > 1 && out[n - 1] == 0)
		n--;
	return n;
}

static void bigint_check(void)
{
	size_t cap = (size_t)3 << SQUARINGS;
	uint32_t *x = rt_calloc(cap, sizeof(uint32_t));
	uint32_t *y = rt_calloc(cap, sizeof(uint32_t));
	if (!x || !y)
		rt_panic("out of memory");
	/* x0 = 0x9abcdef1_12345678_deadbeef (three little-endian limbs). */
	x[0] = 0xdeadbeefu;
	x[1] = 0x12345678u;
	x[2] = 0x9abcdef1u;
	size_t n = 3;
	for (int i = 0; i < SQUARINGS; i++) {
		n = big_mul(y, x, n, x, n);
		uint32_t *t = x;
		x = y;
		y = t;
	}
	/* Hash the big-endian byte string of the result (no leading zero bytes). */
	size_t nbytes = n * 4;
	uint8_t *bytes = rt_malloc(nbytes);
	if (!bytes)
		rt_panic("out of memory");
	for (size_t i = 0; i < n; i++) {
		uint32_t limb = x[n - 1 - i];
		bytes[4 * i] = (uint8_t)(limb >> 24);
		bytes[4 * i + 1] = (uint8_t)(limb >> 16);
		bytes[4 * i + 2] = (uint8_t)(limb >> 8);
		bytes[4 * i + 3] = (uint8_t)limb;
	}
	size_t skip = 0;
	while (skip < nbytes - 1 && bytes[skip] == 0)
		skip++;
	uint8_t h[32];
	keccak256(bytes + skip, nbytes - skip, h);
	char hex[65];
	hex_encode(hex, h, 32);
	rt_printf("bigint x0^(2^%d): %lu bytes keccak %s\n", SQUARINGS,
		  (unsigned long)(nbytes - skip), hex);
	rt_free(bytes);
	rt_free(x);
	rt_free(y);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	keccak_chain();
	if (sort_check())
		return 1;
	bigint_check();
	rt_puts("compute: done");
	return 0;
}
