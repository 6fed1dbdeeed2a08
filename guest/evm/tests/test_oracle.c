/* Drives oracle.c from stdin for tests/evm/test_evm_oracle.py.
 *
 * Commands, one per line (hex without 0x, "-" for empty; numbers decimal):
 *   local <ident> <cap>                   oracle_local: "local <hex>" or "local -1"
 *   hint <type> <payload>                 oracle_hint
 *   keccak <hash32>                       oracle_keccak_preimage: "data <hex>"
 *   fetch <type> <hash32>                 oracle_fetch_by_hash: "data <hex>"
 *   precompile <addr> <gas> <input>       oracle_precompile: "ok <hex>" or "failed"
 *   stats                                 "stats hints <n> preimages <n> bytes <n>"
 * A bad command line exits 3.
 */
#include "oracle.h"
#include "preimage.h"

static char *read_stdin(size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = rt_malloc(cap);
	for (;;) {
		if (n + 4096 > cap) {
			char *b = rt_malloc(cap * 2);
			memcpy(b, buf, n);
			rt_free(buf);
			buf = b;
			cap *= 2;
		}
		ssize_t r = rt_read(FD_STDIN, buf + n, cap - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static __attribute__((noreturn)) void usage(const char *why)
{
	rt_printf("test_oracle: bad command: %s\n", why);
	rt_exit(3);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse the next space-separated hex word at *p into a fresh buffer. */
static uint8_t *next_hex(char **p, size_t *len)
{
	char *s = *p;
	while (*s == ' ')
		s++;
	char *e = s;
	while (*e && *e != ' ')
		e++;
	*p = e;
	if (e == s)
		usage("missing argument");
	if (e - s == 1 && *s == '-') {
		*len = 0;
		return rt_malloc(1);
	}
	size_t n = (size_t)(e - s);
	if (n % 2)
		usage("odd hex length");
	uint8_t *out = rt_malloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			usage("bad hex");
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
	char *s = rt_malloc(2 * n + 1);
	hex_encode(s, p, n);
	rt_printf("%s %s\n", label, n ? s : "-");
	rt_free(s);
}

static bool word(char **p, const char *w)
{
	size_t n = strlen(w);
	if (memcmp(*p, w, n) == 0 && ((*p)[n] == ' ' || (*p)[n] == 0)) {
		*p += n;
		return true;
	}
	return false;
}


/* Reads a word (up to a space) as text. */
static char *next_word(char **p)
{
	char *s = *p;
	while (*s == ' ')
		s++;
	char *e = s;
	while (*e && *e != ' ')
		e++;
	if (e == s)
		usage("missing argument");
	if (*e)
		*e++ = 0;
	*p = e;
	return s;
}

static uint64_t next_number(char **p)
{
	char *s = next_word(p);
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			usage("bad decimal number");
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}

static hash32_t next_hash(char **p)
{
	size_t n;
	uint8_t *b = next_hex(p, &n);
	if (n != 32)
		usage("hash must be 32 bytes");
	hash32_t h;
	memcpy(h.b, b, 32);
	rt_free(b);
	return h;
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *in = read_stdin(&len);
	char *line = in;
	while (line < in + len) {
		char *end = line;
		while (*end && *end != '\n')
			end++;
		*end = 0;
		char *p = line;
		size_t n;
		if (*p == 0) {
			/* blank */
		} else if (word(&p, "local")) {
			uint64_t ident = next_number(&p);
			uint64_t cap = next_number(&p);
			uint8_t *buf = rt_malloc(cap + 1);
			int64_t got = oracle_local(ident, buf, cap);
			if (got < 0)
				rt_printf("local -1\n");
			else
				print_hex("local", buf, (size_t)got);
			rt_free(buf);
		} else if (word(&p, "hint")) {
			char *type = next_word(&p);
			uint8_t *payload = next_hex(&p, &n);
			oracle_hint(type, payload, n);
			rt_free(payload);
		} else if (word(&p, "keccak")) {
			hash32_t h = next_hash(&p);
			bytes_t v = oracle_keccak_preimage(&h);
			print_hex("data", v.data, v.len);
			rt_free(v.data);
		} else if (word(&p, "fetch")) {
			char *type = next_word(&p);
			hash32_t h = next_hash(&p);
			bytes_t v = oracle_fetch_by_hash(type, &h);
			print_hex("data", v.data, v.len);
			rt_free(v.data);
		} else if (word(&p, "precompile")) {
			uint64_t address = next_number(&p);
			uint64_t gas = next_number(&p);
			uint8_t *input = next_hex(&p, &n);
			bytes_t out;
			if (oracle_precompile((uint8_t)address, gas, input, n, &out)) {
				print_hex("ok", out.data, out.len);
				rt_free(out.data);
			} else {
				rt_printf("failed\n");
			}
			rt_free(input);
		} else if (word(&p, "stats")) {
			rt_printf("stats hints %llu preimages %llu bytes %llu\n",
				  (unsigned long long)oracle_hint_count,
				  (unsigned long long)oracle_preimage_count,
				  (unsigned long long)oracle_preimage_bytes);
		} else {
			usage(line);
		}
		line = end + 1;
	}
	return 0;
}
