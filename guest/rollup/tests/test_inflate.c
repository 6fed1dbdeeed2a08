/* Unit-test main for inflate.c (tests/rollup/test_inflate.py drives it).
 *
 * Input: one case per line, "LIMIT HEX" (LIMIT decimal, HEX the zlib stream, "-" if empty).
 * Output per case: "STATUS OUT_LEN SHA256(OUT)" (status 0 ok, 1 error, 2 limit).
 * A line "t LIMIT HEX" prints "start" just before the call and "done STATUS OUT_LEN" just
 * after it, then the hash line: the VM test notes the steps between the two to measure the
 * decoder alone.
 *
 * The cases come from stdin; inside a VM (no stdin) from local key 1; without either, from
 * the small built-in list below (so the ELF runs on its own under `faultproof run`).
 *
 * The input stream is copied to the very end of an mmap'd region (see tail_buffer). */
#include "hash.h"
#include "inflate.h"
#include "preimage.h"
#include "rt.h"
#include "syscall.h"

static const char BUILTIN[] =
	/* empty input, compressed at level 6 */
	"10000000 789c030000000001\n"
	/* "hello hello hello" (fixed Huffman with a match) */
	"10000000 7801cb48cdc9c957c84090003a2e067d\n"
	/* "abc" in a stored block */
	"10000000 7801010300fcff616263024d0127\n"
	/* the same with limit 2 */
	"2 7801010300fcff616263024d0127\n";

static char *read_stdin(size_t *len_out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = rt_malloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			char *bigger = rt_malloc(cap * 2);
			memcpy(bigger, buf, len);
			rt_free(buf);
			buf = bigger;
			cap *= 2;
		}
		ssize_t got = rt_read(FD_STDIN, buf + len, cap - 1 - len);
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	buf[len] = 0;
	*len_out = len;
	return buf;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void print_hex(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char buf[2 * 32 + 1];
	for (size_t i = 0; i < n && i < 32; i++) {
		buf[2 * i] = digits[p[i] >> 4];
		buf[2 * i + 1] = digits[p[i] & 15];
	}
	buf[2 * (n < 32 ? n : 32)] = 0;
	rt_printf("%s", buf);
}

/* A buffer of n bytes that ends where a mapping ends, followed natively by an inaccessible
 * page (mprotect exists only on the host), so the decoder reading in[n] faults instead of
 * reading stale bytes. Falls back to the heap when mmap fails. */
static uint8_t *tail_buffer(size_t n, void **map, size_t *map_len)
{
	size_t total = ((n + 4095) & ~(size_t)4095) + 4096;
	*map = NULL;
	uint8_t *p = rt_mmap_anon(total);
	if (!p)
		return rt_malloc(n ? n : 1);
	*map = p;
	*map_len = total;
#if defined(__x86_64__)
	if (rt_syscall6(10 /* mprotect */, (long)(p + total - 4096), 4096, 0 /* PROT_NONE */, 0, 0, 0))
		rt_panic("test_inflate: mprotect failed");
#endif
	return p + (total - 4096 - n);
}

static void run_case(char *line)
{
	int timed = 0;
	if (line[0] == 't' && line[1] == ' ') {
		timed = 1;
		line += 2;
	}
	size_t limit = 0;
	while (*line >= '0' && *line <= '9')
		limit = limit * 10 + (size_t)(*line++ - '0');
	while (*line == ' ')
		line++;
	size_t digits = 0;
	while (hex_digit(line[digits]) >= 0)
		digits++;
	size_t n = digits / 2;
	void *map;
	size_t map_len = 0;
	uint8_t *in = tail_buffer(n, &map, &map_len);
	for (size_t i = 0; i < n; i++)
		in[i] = (uint8_t)(hex_digit(line[2 * i]) << 4 | hex_digit(line[2 * i + 1]));

	uint8_t *out = NULL;
	size_t out_len = 0;
	if (timed)
		rt_printf("start\n");
	inflate_status status = zlib_inflate(in, n, limit, &out, &out_len);
	if (timed)
		rt_printf("done %d %u\n", (int)status, (unsigned)out_len);
	uint8_t hash[32];
	sha256(out, out_len, hash);
	rt_printf("%d %u ", (int)status, (unsigned)out_len);
	print_hex(hash, 32);
	rt_printf("\n");
	rt_free(out);
	if (map)
		rt_munmap(map, map_len);
	else
		rt_free(in);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *text = read_stdin(&len);
	if (len == 0) {
		uint8_t key[32];
		uint64_t got = 0;
		preimage_local_key(key, 1);
		uint8_t *lines = preimage_get(key, &got);
		if (lines != NULL && got > 0) {
			text = rt_malloc((size_t)got + 1);
			memcpy(text, lines, (size_t)got);
			text[got] = 0;
		} else {
			text = (char *)BUILTIN;
		}
	}
	char *line = text;
	while (*line) {
		char *end = line;
		while (*end && *end != '\n')
			end++;
		char saved = *end;
		if (end > line)
			run_case(line);
		if (!saved)
			break;
		line = end + 1;
	}
	return 0;
}
