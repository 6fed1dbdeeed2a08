/* World state (state.h; execution-specs `state.py`), cached and journaled.
 *
 * Shape:
 * - one `acct_t` per address ever named (hash map by address). It holds the current account
 *   (or "none"), the pre-state account's storage root, the EIP-2929 warm mark, the
 *   created_accounts mark, transient storage and warm slot keys (`tslot_t`, per account), and
 *   the current storage *generation*;
 * - a generation (`gen_t`) is one incarnation of an account's storage: a hash map of cached
 *   slots in front of a storage trie opened lazily at `base_root`. The first generation's base
 *   is the pre-state storage root; destroy_storage swaps in a fresh generation whose base is
 *   the empty trie, so later reads are 0 without any fetch, and a rollback swaps the old one
 *   back (both O(1), however large the storage);
 * - the tries are touched only to read what is not cached yet and by storage_root/state_root,
 *   which write back exactly the entries marked dirty (lists, no scans).
 *
 * Journal: every change appends the old value; begin_transaction pushes the journal length,
 * rollback_transaction undoes back to it, commit_transaction drops the mark. At depth 0
 * nothing is recorded (nothing can roll back past the outermost transaction).
 *
 * Per-transaction sets are "cleared" by bumping a counter that entries are stamped with:
 * warm marks and transient storage (tx_id), created_accounts (created_epoch, cleared when the
 * outermost transaction ends, as state.py), and the original storage values (orig_epoch,
 * state.py's _snapshots[0]: the outermost begin_transaction).
 */
#include "state.h"

#include "hash.h"
#include "oracle.h"
#include "rlp.h"
#include "trie.h"

const account_t EMPTY_ACCOUNT = {
	0,
	{{0, 0, 0, 0}},
	{{0xc5, 0xd2, 0x46, 0x01, 0x86, 0xf7, 0x23, 0x3c, 0x92, 0x7e, 0x7d, 0xb2, 0xdc, 0xc7, 0x03, 0xc0,
	  0xe5, 0x00, 0xb6, 0x53, 0xca, 0x82, 0x27, 0x3b, 0x7b, 0xfa, 0xd8, 0x04, 0x5d, 0x85, 0xa4, 0x70}},
};

/* ---- containers ------------------------------------------------------------------------ */

static void *xalloc(size_t n)
{
	void *p = rt_calloc(1, n ? n : 1);
	if (!p)
		fatal_undecodable("state: out of memory");
	return p;
}

typedef struct {
	void **p;
	size_t n, cap;
} vec_t;

static void vec_push(vec_t *v, void *e)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **p = xalloc(cap * sizeof *p);
		if (v->n)
			memcpy(p, v->p, v->n * sizeof *p);
		rt_free(v->p);
		v->p = p;
		v->cap = cap;
	}
	v->p[v->n++] = e;
}

/* Open-addressing hash map of entries (pointers) whose key is `klen` bytes at offset `koff`
 * inside the entry. The table keeps each entry's hash, so probes rarely touch the entries. */
typedef struct {
	uint32_t h;
	void *e;
} mslot_t;

typedef struct {
	mslot_t *slots;
	uint32_t cap; /* power of two, or 0 */
	uint32_t count;
} map_t;

static uint32_t hash_key(const uint8_t *p, size_t n)
{
	uint32_t h = 0x811c9dc5u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h;
}

static void *map_find(const map_t *m, const uint8_t *key, size_t klen, size_t koff, uint32_t h)
{
	if (!m->cap)
		return NULL;
	uint32_t mask = m->cap - 1;
	for (uint32_t i = h & mask;; i = (i + 1) & mask) {
		const mslot_t *sl = &m->slots[i];
		if (!sl->e)
			return NULL;
		if (sl->h == h && memcmp((const uint8_t *)sl->e + koff, key, klen) == 0)
			return sl->e;
	}
}

static void map_place(mslot_t *slots, uint32_t cap, uint32_t h, void *e)
{
	uint32_t mask = cap - 1;
	uint32_t i = h & mask;
	while (slots[i].e)
		i = (i + 1) & mask;
	slots[i].h = h;
	slots[i].e = e;
}

/* Insert an entry known to be absent, under hash h. */
static void map_insert(map_t *m, uint32_t h, void *entry)
{
	if ((m->count + 1) * 2 > m->cap) {
		uint32_t cap = m->cap ? m->cap * 2 : 16;
		mslot_t *slots = xalloc(cap * sizeof *slots);
		for (uint32_t i = 0; i < m->cap; i++)
			if (m->slots[i].e)
				map_place(slots, cap, m->slots[i].h, m->slots[i].e);
		rt_free(m->slots);
		m->slots = slots;
		m->cap = cap;
	}
	map_place(m->slots, m->cap, h, entry);
	m->count++;
}

/* ---- entries --------------------------------------------------------------------------- */

typedef struct acct acct_t;
typedef struct gen gen_t;

typedef struct {
	uint8_t key[32];    /* the slot, big-endian */
	gen_t *gen;
	u256 value;
	u256 orig;          /* value when orig_epoch began (valid if orig_epoch is current) */
	uint32_t orig_epoch;
	bool dirty;         /* on gen->dirty, to be written into the trie */
	bool have_hkey;
	uint8_t hkey[32];   /* keccak256(key): the trie key */
} slot_t;

struct gen {
	acct_t *acct;
	hash32_t base_root; /* the trie this generation starts from */
	trie_t *trie;       /* opened at base_root on first use */
	map_t slots;
	vec_t dirty;
};

typedef struct {
	uint8_t key[32];
	u256 tvalue;        /* transient value, valid when t_tx is the current tx */
	uint32_t t_tx;
	uint32_t warm_tx;   /* warm (EIP-2929) when the current tx */
} tslot_t;

struct acct {
	address_t addr;
	bool loaded;
	bool exists;
	bool dirty;
	account_t data;
	hash32_t hkey;      /* keccak256(address) */
	hash32_t pre_storage_root;
	gen_t *gen;
	gen_t *orig_gen;    /* the generation when orig_epoch began, if swapped since */
	uint32_t orig_gen_epoch;
	uint32_t created_epoch;
	uint32_t warm_tx;
	map_t tslots;
};

typedef struct {
	uint8_t key[32]; /* code hash */
	bytes_t code;
} code_t;

enum { J_ACCT, J_SLOT, J_TSLOT, J_WARM_ADDR, J_WARM_SLOT, J_GEN };

typedef struct {
	uint8_t kind;
	bool old_exists;
	void *e;
	union {
		account_t acct;
		u256 value;
		gen_t *gen;
	} old;
} jentry_t;

struct state {
	uint64_t block_number;
	trie_t *main;
	map_t accts;
	map_t codes;
	vec_t dirty_accts;
	jentry_t *journal;
	size_t jlen, jcap;
	size_t *marks;
	size_t depth, mcap;
	uint32_t tx_id;
	uint32_t orig_epoch;
	uint32_t created_epoch;
};

/* ---- oracle plumbing ------------------------------------------------------------------- */

/* The trie resolver: hint l2-state-node hash ‖ context ‖ path, then the verified node.
 * ctx is NULL for the account trie, else the account whose storage trie this is. */
static bytes_t resolve_node(void *ctx, const hash32_t *hash, const uint8_t *path, size_t npath)
{
	size_t n = 32 + (ctx ? 21 : 1) + npath;
	uint8_t stack[32 + 21 + 130];
	uint8_t *p = n <= sizeof stack ? stack : xalloc(n);
	memcpy(p, hash->b, 32);
	size_t k = 32;
	if (ctx) {
		p[k++] = 0x01;
		memcpy(p + k, ((acct_t *)ctx)->addr.b, 20);
		k += 20;
	} else {
		p[k++] = 0x00;
	}
	memcpy(p + k, path, npath);
	oracle_hint("l2-state-node", p, n);
	if (p != stack)
		rt_free(p);
	return oracle_keccak_preimage(hash);
}

static void put_u64be(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * (7 - i)));
}

/* ---- journal --------------------------------------------------------------------------- */

static jentry_t *journal_add(state_t *s, uint8_t kind, void *e)
{
	if (s->depth == 0)
		return NULL;
	if (s->jlen == s->jcap) {
		size_t cap = s->jcap ? s->jcap * 2 : 256;
		jentry_t *j = xalloc(cap * sizeof *j);
		if (s->jlen)
			memcpy(j, s->journal, s->jlen * sizeof *j);
		rt_free(s->journal);
		s->journal = j;
		s->jcap = cap;
	}
	jentry_t *j = &s->journal[s->jlen++];
	j->kind = kind;
	j->e = e;
	return j;
}

static void mark_acct_dirty(state_t *s, acct_t *a)
{
	if (!a->dirty) {
		a->dirty = true;
		vec_push(&s->dirty_accts, a);
	}
}

static void mark_slot_dirty(state_t *s, slot_t *sl)
{
	if (!sl->dirty) {
		sl->dirty = true;
		vec_push(&sl->gen->dirty, sl);
	}
	mark_acct_dirty(s, sl->gen->acct);
}

/* ---- accounts -------------------------------------------------------------------------- */

state_t *state_open(const hash32_t *root, uint64_t block_number)
{
	state_t *s = xalloc(sizeof *s);
	s->block_number = block_number;
	s->main = trie_open(root, resolve_node, NULL);
	s->tx_id = 1;
	s->orig_epoch = 1;
	s->created_epoch = 1;
	return s;
}

static gen_t *gen_new(acct_t *a, const hash32_t *base)
{
	gen_t *g = xalloc(sizeof *g);
	g->acct = a;
	g->base_root = *base;
	return g;
}

/* The entry for `addr`, created (not loaded) when new. */
static acct_t *acct_entry(state_t *s, const address_t *addr)
{
	uint32_t h = hash_key(addr->b, 20);
	acct_t *a = map_find(&s->accts, addr->b, 20, offsetof(acct_t, addr), h);
	if (!a) {
		a = xalloc(sizeof *a);
		a->addr = *addr;
		map_insert(&s->accts, h, a);
	}
	return a;
}

static void decode_account(const bytes_t *leaf, acct_t *a)
{
	rlp_item top, f[4];
	if (!rlp_decode(leaf->data, leaf->len, &top) || !top.is_list || rlp_list(&top, f, 4) != 4 ||
	    !rlp_get_u64(&f[0], &a->data.nonce) || !rlp_get_u256(&f[1], &a->data.balance) ||
	    !rlp_get_bytes_fixed(&f[2], a->pre_storage_root.b, 32) ||
	    !rlp_get_bytes_fixed(&f[3], a->data.code_hash.b, 32))
		fatal_undecodable("state: malformed account leaf");
}

/* Read the pre-state account (once): hint its proof, walk the account trie. */
static acct_t *acct_loaded(state_t *s, const address_t *addr)
{
	acct_t *a = acct_entry(s, addr);
	if (a->loaded)
		return a;
	uint8_t payload[28];
	put_u64be(payload, s->block_number);
	memcpy(payload + 8, addr->b, 20);
	oracle_hint("l2-account-proof", payload, sizeof payload);
	keccak256(addr->b, 20, a->hkey.b);
	bytes_t leaf;
	if (trie_get(s->main, a->hkey.b, 32, &leaf)) {
		decode_account(&leaf, a);
		a->exists = true;
	} else {
		a->data = EMPTY_ACCOUNT;
		a->pre_storage_root = EMPTY_TRIE_ROOT;
		a->exists = false;
	}
	a->gen = gen_new(a, &a->pre_storage_root);
	a->loaded = true;
	return a;
}

static void acct_set(state_t *s, acct_t *a, const account_t *acct)
{
	jentry_t *j = journal_add(s, J_ACCT, a);
	if (j) {
		j->old_exists = a->exists;
		j->old.acct = a->data;
	}
	if (acct) {
		a->exists = true;
		a->data = *acct;
	} else {
		a->exists = false;
		a->data = EMPTY_ACCOUNT;
	}
	mark_acct_dirty(s, a);
}

bool get_account_optional(state_t *s, const address_t *addr, account_t *out)
{
	acct_t *a = acct_loaded(s, addr);
	if (a->exists && out)
		*out = a->data;
	return a->exists;
}

account_t get_account(state_t *s, const address_t *addr)
{
	acct_t *a = acct_loaded(s, addr);
	return a->exists ? a->data : EMPTY_ACCOUNT;
}

void set_account(state_t *s, const address_t *addr, const account_t *acct)
{
	acct_set(s, acct_loaded(s, addr), acct);
}

static bool storage_is_empty_gen(const gen_t *g)
{
	return g->slots.count == 0 && hash_eq(&g->base_root, &EMPTY_TRIE_ROOT);
}

static void destroy_storage_of(state_t *s, acct_t *a)
{
	if (storage_is_empty_gen(a->gen))
		return; /* nothing to destroy: reads give 0 without fetching already */
	if (a->orig_gen_epoch != s->orig_epoch) {
		a->orig_gen = a->gen;
		a->orig_gen_epoch = s->orig_epoch;
	}
	jentry_t *j = journal_add(s, J_GEN, a);
	if (j)
		j->old.gen = a->gen;
	a->gen = gen_new(a, &EMPTY_TRIE_ROOT);
	mark_acct_dirty(s, a);
}

void destroy_storage(state_t *s, const address_t *addr)
{
	destroy_storage_of(s, acct_loaded(s, addr));
}

void destroy_account(state_t *s, const address_t *addr)
{
	acct_t *a = acct_loaded(s, addr);
	destroy_storage_of(s, a);
	acct_set(s, a, NULL);
}

void mark_account_created(state_t *s, const address_t *addr)
{
	acct_entry(s, addr)->created_epoch = s->created_epoch;
}

bool account_was_created(state_t *s, const address_t *addr)
{
	uint32_t h = hash_key(addr->b, 20);
	acct_t *a = map_find(&s->accts, addr->b, 20, offsetof(acct_t, addr), h);
	return a && a->created_epoch == s->created_epoch;
}

bool account_exists(state_t *s, const address_t *addr)
{
	return acct_loaded(s, addr)->exists;
}

static bool is_empty(const account_t *a)
{
	return a->nonce == 0 && u256_is_zero(&a->balance) &&
	       hash_eq(&a->code_hash, &EMPTY_ACCOUNT.code_hash);
}

bool account_has_code_or_nonce(state_t *s, const address_t *addr)
{
	acct_t *a = acct_loaded(s, addr);
	return a->data.nonce != 0 || !hash_eq(&a->data.code_hash, &EMPTY_ACCOUNT.code_hash);
}

bool is_account_alive(state_t *s, const address_t *addr)
{
	acct_t *a = acct_loaded(s, addr);
	return a->exists && !is_empty(&a->data);
}

/* state.py's modify_state: apply, then an account left existing and empty is destroyed. */
static void modified(state_t *s, acct_t *a, const account_t *v)
{
	acct_set(s, a, v);
	if (is_empty(v)) {
		destroy_storage_of(s, a);
		acct_set(s, a, NULL);
	}
}

void move_ether(state_t *s, const address_t *from, const address_t *to, const u256 *amount)
{
	acct_t *a = acct_loaded(s, from);
	account_t v = a->exists ? a->data : EMPTY_ACCOUNT;
	if (u256_lt(&v.balance, amount))
		rt_panic("state: move_ether from an account without the balance");
	v.balance = u256_sub(&v.balance, amount);
	modified(s, a, &v);
	acct_t *b = acct_loaded(s, to);
	account_t w = b->exists ? b->data : EMPTY_ACCOUNT;
	w.balance = u256_add(&w.balance, amount);
	modified(s, b, &w);
}

void set_account_balance(state_t *s, const address_t *addr, const u256 *amount)
{
	acct_t *a = acct_loaded(s, addr);
	account_t v = a->exists ? a->data : EMPTY_ACCOUNT;
	v.balance = *amount;
	modified(s, a, &v);
}

void increment_nonce(state_t *s, const address_t *addr)
{
	acct_t *a = acct_loaded(s, addr);
	account_t v = a->exists ? a->data : EMPTY_ACCOUNT;
	v.nonce++;
	modified(s, a, &v);
}

static code_t *code_find(state_t *s, const hash32_t *hash)
{
	return map_find(&s->codes, hash->b, 32, offsetof(code_t, key), hash_key(hash->b, 32));
}

static void code_add(state_t *s, const hash32_t *hash, bytes_t code)
{
	code_t *c = xalloc(sizeof *c);
	memcpy(c->key, hash->b, 32);
	c->code = code;
	map_insert(&s->codes, hash_key(hash->b, 32), c);
}

void set_code(state_t *s, const address_t *addr, const uint8_t *code, size_t len)
{
	acct_t *a = acct_loaded(s, addr);
	account_t v = a->exists ? a->data : EMPTY_ACCOUNT;
	keccak256(code, len, v.code_hash.b);
	if (len && !code_find(s, &v.code_hash)) {
		bytes_t copy = {xalloc(len), len};
		memcpy(copy.data, code, len);
		code_add(s, &v.code_hash, copy);
	}
	modified(s, a, &v);
}

bytes_t get_code(state_t *s, const address_t *addr)
{
	acct_t *a = acct_loaded(s, addr);
	bytes_t none = {NULL, 0};
	if (!a->exists || hash_eq(&a->data.code_hash, &EMPTY_ACCOUNT.code_hash))
		return none;
	code_t *c = code_find(s, &a->data.code_hash);
	if (!c) {
		bytes_t code = oracle_fetch_by_hash("l2-code", &a->data.code_hash);
		code_add(s, &a->data.code_hash, code);
		return code;
	}
	return c->code;
}

/* ---- storage --------------------------------------------------------------------------- */

static trie_t *gen_trie(gen_t *g)
{
	if (!g->trie)
		g->trie = trie_open(&g->base_root, resolve_node, g->acct);
	return g->trie;
}

/* The cached slot of generation g, read from its trie the first time. */
static slot_t *gen_slot(state_t *s, gen_t *g, const uint8_t key[32])
{
	uint32_t h = hash_key(key, 32);
	slot_t *sl = map_find(&g->slots, key, 32, offsetof(slot_t, key), h);
	if (sl)
		return sl;
	sl = xalloc(sizeof *sl);
	memcpy(sl->key, key, 32);
	sl->gen = g;
	if (!hash_eq(&g->base_root, &EMPTY_TRIE_ROOT)) {
		uint8_t payload[60];
		put_u64be(payload, s->block_number);
		memcpy(payload + 8, g->acct->addr.b, 20);
		memcpy(payload + 28, key, 32);
		oracle_hint("l2-account-storage-proof", payload, sizeof payload);
		keccak256(key, 32, sl->hkey);
		sl->have_hkey = true;
		bytes_t v;
		if (trie_get(gen_trie(g), sl->hkey, 32, &v)) {
			rlp_item it;
			if (!rlp_decode(v.data, v.len, &it) || !rlp_get_u256(&it, &sl->value) ||
			    u256_is_zero(&sl->value))
				fatal_undecodable("state: malformed storage value");
		}
	}
	map_insert(&g->slots, h, sl);
	return sl;
}

u256 get_storage(state_t *s, const address_t *addr, const u256 *key)
{
	uint8_t k[32];
	u256_to_be(key, k);
	return gen_slot(s, acct_loaded(s, addr)->gen, k)->value;
}

void set_storage(state_t *s, const address_t *addr, const u256 *key, const u256 *value)
{
	uint8_t k[32];
	u256_to_be(key, k);
	slot_t *sl = gen_slot(s, acct_loaded(s, addr)->gen, k);
	if (u256_eq(&sl->value, value))
		return;
	if (sl->orig_epoch != s->orig_epoch) {
		sl->orig = sl->value;
		sl->orig_epoch = s->orig_epoch;
	}
	jentry_t *j = journal_add(s, J_SLOT, sl);
	if (j)
		j->old.value = sl->value;
	sl->value = *value;
	mark_slot_dirty(s, sl);
}

u256 get_storage_original(state_t *s, const address_t *addr, const u256 *key)
{
	acct_t *a = acct_loaded(s, addr);
	if (a->created_epoch == s->created_epoch)
		return u256_zero();
	gen_t *g = a->orig_gen_epoch == s->orig_epoch ? a->orig_gen : a->gen;
	uint8_t k[32];
	u256_to_be(key, k);
	slot_t *sl = gen_slot(s, g, k);
	return sl->orig_epoch == s->orig_epoch ? sl->orig : sl->value;
}

static tslot_t *tslot(acct_t *a, const u256 *key)
{
	uint8_t k[32];
	u256_to_be(key, k);
	uint32_t h = hash_key(k, 32);
	tslot_t *t = map_find(&a->tslots, k, 32, offsetof(tslot_t, key), h);
	if (!t) {
		t = xalloc(sizeof *t);
		memcpy(t->key, k, 32);
		map_insert(&a->tslots, h, t);
	}
	return t;
}

u256 get_transient_storage(state_t *s, const address_t *addr, const u256 *key)
{
	uint32_t h = hash_key(addr->b, 20);
	acct_t *a = map_find(&s->accts, addr->b, 20, offsetof(acct_t, addr), h);
	if (!a)
		return u256_zero();
	uint8_t k[32];
	u256_to_be(key, k);
	tslot_t *t = map_find(&a->tslots, k, 32, offsetof(tslot_t, key), hash_key(k, 32));
	return t && t->t_tx == s->tx_id ? t->tvalue : u256_zero();
}

void set_transient_storage(state_t *s, const address_t *addr, const u256 *key, const u256 *value)
{
	tslot_t *t = tslot(acct_entry(s, addr), key);
	if (t->t_tx != s->tx_id) {
		t->tvalue = u256_zero();
		t->t_tx = s->tx_id;
	}
	jentry_t *j = journal_add(s, J_TSLOT, t);
	if (j)
		j->old.value = t->tvalue;
	t->tvalue = *value;
}

/* ---- access sets ----------------------------------------------------------------------- */

bool access_address(state_t *s, const address_t *addr)
{
	acct_t *a = acct_entry(s, addr);
	if (a->warm_tx == s->tx_id)
		return true;
	journal_add(s, J_WARM_ADDR, a);
	a->warm_tx = s->tx_id;
	return false;
}

bool address_is_warm(state_t *s, const address_t *addr)
{
	uint32_t h = hash_key(addr->b, 20);
	acct_t *a = map_find(&s->accts, addr->b, 20, offsetof(acct_t, addr), h);
	return a && a->warm_tx == s->tx_id;
}

bool access_storage_key(state_t *s, const address_t *addr, const u256 *key)
{
	tslot_t *t = tslot(acct_entry(s, addr), key);
	if (t->warm_tx == s->tx_id)
		return true;
	journal_add(s, J_WARM_SLOT, t);
	t->warm_tx = s->tx_id;
	return false;
}

/* ---- transactions ---------------------------------------------------------------------- */

void begin_transaction(state_t *s)
{
	if (s->depth == 0)
		s->orig_epoch++; /* state.py's _snapshots[0] */
	if (s->depth == s->mcap) {
		size_t cap = s->mcap ? s->mcap * 2 : 64;
		size_t *m = xalloc(cap * sizeof *m);
		if (s->depth)
			memcpy(m, s->marks, s->depth * sizeof *m);
		rt_free(s->marks);
		s->marks = m;
		s->mcap = cap;
	}
	s->marks[s->depth++] = s->jlen;
}

static void outermost_done(state_t *s)
{
	s->jlen = 0;
	s->created_epoch++; /* state.py clears created_accounts with the last snapshot */
}

void commit_transaction(state_t *s)
{
	if (s->depth == 0)
		rt_panic("state: commit_transaction without begin_transaction");
	if (--s->depth == 0)
		outermost_done(s);
}

static void undo(state_t *s, jentry_t *j)
{
	switch (j->kind) {
	case J_ACCT: {
		acct_t *a = j->e;
		a->exists = j->old_exists;
		a->data = j->old.acct;
		mark_acct_dirty(s, a);
		break;
	}
	case J_SLOT: {
		slot_t *sl = j->e;
		sl->value = j->old.value;
		mark_slot_dirty(s, sl);
		break;
	}
	case J_TSLOT:
		((tslot_t *)j->e)->tvalue = j->old.value;
		break;
	case J_WARM_ADDR:
		((acct_t *)j->e)->warm_tx = 0;
		break;
	case J_WARM_SLOT:
		((tslot_t *)j->e)->warm_tx = 0;
		break;
	default: { /* J_GEN */
		acct_t *a = j->e;
		a->gen = j->old.gen;
		mark_acct_dirty(s, a);
		break;
	}
	}
}

void rollback_transaction(state_t *s)
{
	if (s->depth == 0)
		rt_panic("state: rollback_transaction without begin_transaction");
	size_t mark = s->marks[--s->depth];
	while (s->jlen > mark)
		undo(s, &s->journal[--s->jlen]);
	if (s->depth == 0)
		outermost_done(s);
}

void state_begin_tx(state_t *s)
{
	s->tx_id++;
	s->orig_epoch++;
	s->created_epoch++;
	s->depth = 0;
	s->jlen = 0;
}

void state_end_tx(state_t *s)
{
	s->tx_id++;
	s->created_epoch++;
	s->depth = 0;
	s->jlen = 0;
}

/* ---- roots ----------------------------------------------------------------------------- */

/* Write the generation's dirty slots into its trie; returns its root. */
static void gen_root(gen_t *g, hash32_t *out)
{
	if (!g->trie && g->dirty.n == 0) {
		*out = g->base_root;
		return;
	}
	trie_t *t = gen_trie(g);
	buf_t b = {0};
	for (size_t i = 0; i < g->dirty.n; i++) {
		slot_t *sl = g->dirty.p[i];
		sl->dirty = false;
		if (!sl->have_hkey) {
			keccak256(sl->key, 32, sl->hkey);
			sl->have_hkey = true;
		}
		if (u256_is_zero(&sl->value)) {
			trie_put(t, sl->hkey, 32, NULL, 0);
		} else {
			b.len = 0;
			rlp_put_u256(&b, &sl->value);
			trie_put(t, sl->hkey, 32, b.data, b.len);
		}
	}
	g->dirty.n = 0;
	buf_free(&b);
	trie_root(t, out);
}

bool account_has_storage(state_t *s, const address_t *addr)
{
	gen_t *g = acct_loaded(s, addr)->gen;
	for (size_t i = 0; i < g->dirty.n; i++)
		if (!u256_is_zero(&((slot_t *)g->dirty.p[i])->value))
			return true;
	hash32_t r;
	gen_root(g, &r);
	return !hash_eq(&r, &EMPTY_TRIE_ROOT);
}

void storage_root(state_t *s, const address_t *addr, hash32_t *out)
{
	gen_root(acct_loaded(s, addr)->gen, out);
}

void state_root(state_t *s, hash32_t *out)
{
	buf_t b = {0};
	for (size_t i = 0; i < s->dirty_accts.n; i++) {
		acct_t *a = s->dirty_accts.p[i];
		a->dirty = false;
		if (!a->exists) {
			trie_put(s->main, a->hkey.b, 32, NULL, 0);
			continue;
		}
		hash32_t sroot;
		gen_root(a->gen, &sroot);
		b.len = 0;
		size_t list = rlp_list_begin(&b);
		rlp_put_u64(&b, a->data.nonce);
		rlp_put_u256(&b, &a->data.balance);
		rlp_put_bytes(&b, sroot.b, 32);
		rlp_put_bytes(&b, a->data.code_hash.b, 32);
		rlp_list_end(&b, list);
		trie_put(s->main, a->hkey.b, 32, b.data, b.len);
	}
	s->dirty_accts.n = 0;
	buf_free(&b);
	trie_root(s->main, out);
}
