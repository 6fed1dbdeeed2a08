/* Drives trie.c from stdin so tests/evm/test_evm_trie.py can compare thousands of operations
 * with execution-specs' trie.py in one process.
 *
 * Commands, one per line (hex without 0x; an empty key or value is "-"):
 *   open <root32>      start over from a root whose nodes come through the oracle
 *                      (hint "l2-state-node <hash ‖ 0x00 ‖ path>", then the keccak preimage)
 *   put <key> <value>  trie_put (value "-" deletes, as trie_set with b"")
 *   del <key>          trie_put with an empty value
 *   get <key>          prints "value <hex>" or "none"
 *   root               prints "root <hex>"
 *   stats              prints "stats resolved <n> hashed <n>"
 *   onmalformed        from now on a malformed node prints "malformed <what>" and exits 1
 *                      (trie_on_malformed) instead of exit 2
 * The trie starts empty. A bad command line exits 3. Inside a VM, which has no stdin, the
 * commands are the local input SCRIPT_IDENT instead.
 */
#include "hash.h"
#include "oracle.h"
#include "preimage.h"
#include "trie.h"

static bytes_t resolver(void *ctx, const hash32_t *hash, const uint8_t *path, size_t npath)
{
	(void)ctx;
	uint8_t *p = rt_malloc(33 + npath);
	memcpy(p, hash->b, 32);
	p[32] = 0x00;
	memcpy(p + 33, path, npath);
	oracle_hint("l2-state-node", p, 33 + npath);
	rt_free(p);
	return oracle_keccak_preimage(hash);
}

static __attribute__((noreturn)) void on_malformed(const char *what)
{
	rt_printf("malformed %s\n", what);
	rt_exit(1);
}

enum { SCRIPT_IDENT = 0x5c };

/* The script from local input SCRIPT_IDENT (NUL-terminated), for runs inside a VM. */
static char *read_script(size_t *len)
{
	uint8_t key[32];
	uint64_t n = 0;
	preimage_local_key(key, SCRIPT_IDENT);
	uint8_t *p = preimage_get(key, &n);
	if (!p) {
		rt_printf("test_trie: no commands on stdin or in local input %d\n", SCRIPT_IDENT);
		rt_exit(3);
	}
	char *s = rt_malloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = 0;
	rt_free(p);
	*len = (size_t)n;
	return s;
}

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
	rt_printf("test_trie: bad command: %s\n", why);
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

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *in = read_stdin(&len);
	if (len == 0)
		in = read_script(&len);
	trie_t *t = trie_open(&EMPTY_TRIE_ROOT, NULL, NULL);
	char *line = in;
	while (line < in + len) {
		char *end = line;
		while (*end && *end != '\n')
			end++;
		*end = 0;
		char *p = line;
		size_t kl, vl;
		if (*p == 0) {
			/* blank */
		} else if (word(&p, "open")) {
			uint8_t *r = next_hex(&p, &kl);
			if (kl != 32)
				usage("root must be 32 bytes");
			hash32_t root;
			memcpy(root.b, r, 32);
			rt_free(r);
			trie_free(t);
			t = trie_open(&root, resolver, NULL);
		} else if (word(&p, "put")) {
			uint8_t *k = next_hex(&p, &kl);
			uint8_t *v = next_hex(&p, &vl);
			trie_put(t, k, kl, v, vl);
			rt_free(k);
			rt_free(v);
		} else if (word(&p, "del")) {
			uint8_t *k = next_hex(&p, &kl);
			trie_put(t, k, kl, NULL, 0);
			rt_free(k);
		} else if (word(&p, "get")) {
			uint8_t *k = next_hex(&p, &kl);
			bytes_t v;
			if (trie_get(t, k, kl, &v))
				print_hex("value", v.data, v.len);
			else
				rt_printf("none\n");
			rt_free(k);
		} else if (word(&p, "root")) {
			hash32_t r;
			trie_root(t, &r);
			print_hex("root", r.b, 32);
		} else if (word(&p, "onmalformed")) {
			trie_on_malformed = on_malformed;
		} else if (word(&p, "stats")) {
			rt_printf("stats resolved %llu hashed %llu\n",
				  (unsigned long long)trie_nodes_resolved,
				  (unsigned long long)trie_nodes_hashed);
		} else {
			usage(line);
		}
		line = end + 1;
	}
	trie_free(t);
	return 0;
}
