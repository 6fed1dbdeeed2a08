/* Drives state.c from stdin so tests/evm/test_evm_state.py can compare long random runs with
 * execution-specs' state.py in one process.
 *
 * One command per line; addresses are 20-byte hex, slots/values/amounts hex of at most 32
 * bytes (big-endian), code hex or "-" for none. Commands that answer print one line.
 *   open <root32> <number>             state_open (the state starts as open <empty root> 0)
 *   acct <a> <nonce> <balance> <code>  set_account with keccak(code) as the code hash
 *   noacct <a>                         set_account(NULL)
 *   get <a>                            "acct <nonce> <balance> <codehash>" or "none"
 *   sstore <a> <slot> <v> / sload <a> <slot> / orig <a> <slot>   ("value <hex32>")
 *   tstore <a> <slot> <v> / tload <a> <slot>
 *   warm <a> / warmslot <a> <slot>     access_*: "bool 1" when it was warm already
 *   iswarm <a>                         "bool <0|1>"
 *   begin / commit / rollback / begintx / endtx
 *   destroy <a> / destroystorage <a> / created <a>
 *   wascreated / exists / alive / codeornonce / hasstorage <a>   "bool <0|1>"
 *   move <from> <to> <amount> / balance <a> <amount> / nonce <a> / code <a> <code>
 *   getcode <a>                        "code <hex or ->"
 *   root / sroot <a>                   "root <hex32>"
 *   stats                              "stats hints <n> preimages <n> resolved <n> hashed <n>"
 * A bad command line exits 3. Inside a VM, which has no stdin, the commands are the local
 * input SCRIPT_IDENT instead.
 */
#include "hash.h"
#include "oracle.h"
#include "preimage.h"
#include "state.h"
#include "trie.h"

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

enum { SCRIPT_IDENT = 0x5c };

/* The script from local input SCRIPT_IDENT (NUL-terminated), for runs inside a VM. */
static char *read_script(size_t *len)
{
	uint8_t key[32];
	uint64_t n = 0;
	preimage_local_key(key, SCRIPT_IDENT);
	uint8_t *p = preimage_get(key, &n);
	if (!p) {
		rt_printf("test_state: no commands on stdin or in local input %d\n", SCRIPT_IDENT);
		rt_exit(3);
	}
	char *s = rt_malloc((size_t)n + 1);
	memcpy(s, p, (size_t)n);
	s[n] = 0;
	rt_free(p);
	*len = (size_t)n;
	return s;
}

static const char *current_line;

static __attribute__((noreturn)) void usage(const char *why)
{
	rt_printf("test_state: bad command (%s): %s\n", why, current_line);
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

/* The next space-separated hex word as bytes (a fresh buffer; "-" is empty). */
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

static address_t next_addr(char **p)
{
	size_t n;
	uint8_t *b = next_hex(p, &n);
	if (n != 20)
		usage("address must be 20 bytes");
	address_t a;
	memcpy(a.b, b, 20);
	rt_free(b);
	return a;
}

static u256 next_u256(char **p)
{
	size_t n;
	uint8_t *b = next_hex(p, &n);
	if (n > 32)
		usage("number longer than 32 bytes");
	u256 v = u256_from_be(b, n);
	rt_free(b);
	return v;
}

static void print_hex(const char *label, const uint8_t *p, size_t n)
{
	char *s = rt_malloc(2 * n + 1);
	hex_encode(s, p, n);
	rt_printf("%s %s\n", label, n ? s : "-");
	rt_free(s);
}

static void print_u256(const char *label, const u256 *v)
{
	uint8_t b[32];
	u256_to_be(v, b);
	print_hex(label, b, 32);
}

static void print_bool(bool v) { rt_printf("bool %d\n", v ? 1 : 0); }

static bool word(char **p, const char *w)
{
	size_t n = strlen(w);
	if (memcmp(*p, w, n) == 0 && ((*p)[n] == ' ' || (*p)[n] == 0)) {
		*p += n;
		return true;
	}
	return false;
}

static void print_account(state_t *s, const address_t *a)
{
	account_t acct;
	if (!get_account_optional(s, a, &acct)) {
		rt_printf("none\n");
		return;
	}
	uint8_t b[32];
	char bal[65], ch[65];
	u256_to_be(&acct.balance, b);
	hex_encode(bal, b, 32);
	hex_encode(ch, acct.code_hash.b, 32);
	rt_printf("acct %llu %s %s\n", (unsigned long long)acct.nonce, bal, ch);
}

static void command(state_t **sp, char *p)
{
	state_t *s = *sp;
	address_t a, b;
	u256 k, v;
	size_t n;
	if (word(&p, "open")) {
		uint8_t *r = next_hex(&p, &n);
		if (n != 32)
			usage("root must be 32 bytes");
		hash32_t root;
		memcpy(root.b, r, 32);
		rt_free(r);
		u256 num = next_u256(&p);
		*sp = state_open(&root, num.w[0]);
	} else if (word(&p, "acct")) {
		a = next_addr(&p);
		u256 nonce = next_u256(&p);
		account_t acct;
		acct.nonce = nonce.w[0];
		acct.balance = next_u256(&p);
		uint8_t *code = next_hex(&p, &n);
		keccak256(code, n, acct.code_hash.b);
		rt_free(code);
		set_account(s, &a, &acct);
	} else if (word(&p, "noacct")) {
		a = next_addr(&p);
		set_account(s, &a, NULL);
	} else if (word(&p, "get")) {
		a = next_addr(&p);
		print_account(s, &a);
	} else if (word(&p, "sstore")) {
		a = next_addr(&p);
		k = next_u256(&p);
		v = next_u256(&p);
		set_storage(s, &a, &k, &v);
	} else if (word(&p, "sload")) {
		a = next_addr(&p);
		k = next_u256(&p);
		v = get_storage(s, &a, &k);
		print_u256("value", &v);
	} else if (word(&p, "orig")) {
		a = next_addr(&p);
		k = next_u256(&p);
		v = get_storage_original(s, &a, &k);
		print_u256("value", &v);
	} else if (word(&p, "tstore")) {
		a = next_addr(&p);
		k = next_u256(&p);
		v = next_u256(&p);
		set_transient_storage(s, &a, &k, &v);
	} else if (word(&p, "tload")) {
		a = next_addr(&p);
		k = next_u256(&p);
		v = get_transient_storage(s, &a, &k);
		print_u256("value", &v);
	} else if (word(&p, "warm")) {
		a = next_addr(&p);
		print_bool(access_address(s, &a));
	} else if (word(&p, "warmslot")) {
		a = next_addr(&p);
		k = next_u256(&p);
		print_bool(access_storage_key(s, &a, &k));
	} else if (word(&p, "iswarm")) {
		a = next_addr(&p);
		print_bool(address_is_warm(s, &a));
	} else if (word(&p, "begin")) {
		begin_transaction(s);
	} else if (word(&p, "commit")) {
		commit_transaction(s);
	} else if (word(&p, "rollback")) {
		rollback_transaction(s);
	} else if (word(&p, "begintx")) {
		state_begin_tx(s);
	} else if (word(&p, "endtx")) {
		state_end_tx(s);
	} else if (word(&p, "destroy")) {
		a = next_addr(&p);
		destroy_account(s, &a);
	} else if (word(&p, "destroystorage")) {
		a = next_addr(&p);
		destroy_storage(s, &a);
	} else if (word(&p, "created")) {
		a = next_addr(&p);
		mark_account_created(s, &a);
	} else if (word(&p, "wascreated")) {
		a = next_addr(&p);
		print_bool(account_was_created(s, &a));
	} else if (word(&p, "exists")) {
		a = next_addr(&p);
		print_bool(account_exists(s, &a));
	} else if (word(&p, "alive")) {
		a = next_addr(&p);
		print_bool(is_account_alive(s, &a));
	} else if (word(&p, "codeornonce")) {
		a = next_addr(&p);
		print_bool(account_has_code_or_nonce(s, &a));
	} else if (word(&p, "hasstorage")) {
		a = next_addr(&p);
		print_bool(account_has_storage(s, &a));
	} else if (word(&p, "move")) {
		a = next_addr(&p);
		b = next_addr(&p);
		v = next_u256(&p);
		move_ether(s, &a, &b, &v);
	} else if (word(&p, "balance")) {
		a = next_addr(&p);
		v = next_u256(&p);
		set_account_balance(s, &a, &v);
	} else if (word(&p, "nonce")) {
		a = next_addr(&p);
		increment_nonce(s, &a);
	} else if (word(&p, "code")) {
		a = next_addr(&p);
		uint8_t *code = next_hex(&p, &n);
		set_code(s, &a, code, n);
		rt_free(code);
	} else if (word(&p, "getcode")) {
		a = next_addr(&p);
		bytes_t code = get_code(s, &a);
		print_hex("code", code.data, code.len);
	} else if (word(&p, "root")) {
		hash32_t r;
		state_root(s, &r);
		print_hex("root", r.b, 32);
	} else if (word(&p, "sroot")) {
		a = next_addr(&p);
		hash32_t r;
		storage_root(s, &a, &r);
		print_hex("root", r.b, 32);
	} else if (word(&p, "stats")) {
		rt_printf("stats hints %llu preimages %llu resolved %llu hashed %llu\n",
			  (unsigned long long)oracle_hint_count,
			  (unsigned long long)oracle_preimage_count,
			  (unsigned long long)trie_nodes_resolved,
			  (unsigned long long)trie_nodes_hashed);
	} else {
		usage("unknown command");
	}
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *in = read_stdin(&len);
	if (len == 0)
		in = read_script(&len);
	state_t *s = state_open(&EMPTY_TRIE_ROOT, 0);
	char *line = in;
	while (line < in + len) {
		char *end = line;
		while (*end && *end != '\n')
			end++;
		*end = 0;
		current_line = line;
		if (*line)
			command(&s, line);
		line = end + 1;
	}
	return 0;
}
