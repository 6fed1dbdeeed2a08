/* Merkle Patricia Trie (trie.h; execution-specs `trie.py`, Yellow Paper appendix D).
 *
 * The trie is kept as a tree of decoded nodes. A node we have not needed yet is a NODE_HASH
 * placeholder holding the 32-byte reference its parent carries; the first walk through it
 * asks the resolver for the RLP (by hash, with the node's nibble path) and decodes it in
 * place. Every node caches its reference (`ref`): the raw RLP when that is shorter than 32
 * bytes (it is then embedded in the parent, as trie.py's encode_internal_node does), else
 * keccak256 of the RLP. A write clears the cache of exactly the nodes on the changed path, so
 * trie_root re-encodes and re-hashes only those.
 *
 * After every put or delete the tree has the one canonical shape trie.py's patricialize
 * builds from the same key/value set: no branch with fewer than two entries (children plus
 * its own value), no extension below an extension, no extension with an empty segment.
 */
#include "trie.h"

#include "hash.h"
#include "rlp.h"

uint64_t trie_nodes_resolved;
uint64_t trie_nodes_hashed;

enum {
	NODE_HASH,   /* not loaded yet: ref holds the hash */
	NODE_LEAF,   /* path (rest of the key) -> value */
	NODE_EXT,    /* shared path -> child (always a branch once loaded) */
	NODE_BRANCH, /* 16 children and an optional value (keys ending here) */
};

typedef struct node node_t;
struct node {
	uint8_t kind;
	uint8_t reflen;  /* 0: not computed; 1..31: ref is the node's own RLP; 32: ref is its hash */
	uint8_t ref[32];
	uint8_t *path;   /* leaf/extension nibbles (rt_malloc'd, NULL when npath == 0) */
	size_t npath;
	uint8_t *value;  /* leaf value / branch value (rt_malloc'd; vlen 0 = none for a branch) */
	size_t vlen;
	node_t *child;   /* extension */
	node_t **kids;   /* branch: 16 slots (rt_calloc'd) */
};

struct trie {
	node_t *root;
	trie_resolver resolve;
	void *ctx;
	buf_t scratch;    /* node encodings while hashing */
	uint8_t *sibpath; /* path of a collapsed branch's remaining child */
	size_t sibcap;
};

/* ---- small helpers ---------------------------------------------------------------------- */

static void *xmalloc(size_t n)
{
	void *p = rt_malloc(n ? n : 1);
	if (!p)
		fatal_undecodable("trie: out of memory");
	return p;
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
	if (n == 0)
		return NULL;
	uint8_t *d = xmalloc(n);
	memcpy(d, p, n);
	return d;
}

static node_t *node_new(uint8_t kind)
{
	node_t *n = xmalloc(sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = kind;
	return n;
}

static node_t **kids_new(void)
{
	node_t **k = rt_calloc(16, sizeof(node_t *));
	if (!k)
		fatal_undecodable("trie: out of memory");
	return k;
}

static node_t *leaf_new(const uint8_t *path, size_t npath, const uint8_t *value, size_t vlen)
{
	node_t *n = node_new(NODE_LEAF);
	n->path = dup_bytes(path, npath);
	n->npath = npath;
	n->value = dup_bytes(value, vlen);
	n->vlen = vlen;
	return n;
}

static node_t *ext_new(const uint8_t *path, size_t npath, node_t *child)
{
	node_t *n = node_new(NODE_EXT);
	n->path = dup_bytes(path, npath);
	n->npath = npath;
	n->child = child;
	return n;
}

/* Replace a leaf's or extension's path by `pre` ‖ `path`[skip:] (the node changes). */
static void set_path(node_t *n, const uint8_t *pre, size_t npre, size_t skip)
{
	size_t keep = n->npath - skip;
	uint8_t *p = NULL;
	if (npre + keep) {
		p = xmalloc(npre + keep);
		memcpy(p, pre, npre);
		memcpy(p + npre, n->path + skip, keep);
	}
	rt_free(n->path);
	n->path = p;
	n->npath = npre + keep;
	n->reflen = 0;
}

static void node_free(node_t *n)
{
	if (!n)
		return;
	if (n->kind == NODE_EXT)
		node_free(n->child);
	if (n->kind == NODE_BRANCH) {
		for (int i = 0; i < 16; i++)
			node_free(n->kids[i]);
		rt_free(n->kids);
	}
	rt_free(n->path);
	rt_free(n->value);
	rt_free(n);
}

static size_t common_prefix(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	size_t i = 0;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	return i;
}

/* ---- decoding (resolving a hash reference) ------------------------------------------------ */

void (*trie_on_malformed)(const char *what);

static __attribute__((noreturn)) void bad_node(void)
{
	if (trie_on_malformed)
		trie_on_malformed("trie: malformed node");
	fatal_undecodable("trie: malformed node");
}

static void decode_node(node_t *n, const uint8_t *rlp, size_t len);

/* A child reference inside a node: empty, a 32-byte hash, or an embedded node (< 32 bytes). */
static node_t *decode_ref(const rlp_item *it, const uint8_t *raw, size_t rawlen)
{
	if (!it->is_list) {
		if (it->len == 0)
			return NULL;
		if (it->len != 32)
			bad_node();
		node_t *h = node_new(NODE_HASH);
		memcpy(h->ref, it->payload, 32);
		h->reflen = 32;
		return h;
	}
	if (rawlen >= 32)
		bad_node();
	node_t *c = node_new(NODE_HASH);
	decode_node(c, raw, rawlen);
	return c;
}

/* The raw encoding of an element that rlp_next just returned: it ends where the cursor is. */
static void decode_node(node_t *n, const uint8_t *rlp, size_t len)
{
	rlp_item top, items[17];
	const uint8_t *starts[18];
	if (!rlp_decode(rlp, len, &top) || !top.is_list)
		bad_node();
	const uint8_t *cur = top.payload;
	size_t left = top.len;
	int count = 0;
	while (left) {
		if (count == 17)
			bad_node();
		starts[count] = cur;
		if (!rlp_next(&cur, &left, &items[count]))
			bad_node();
		count++;
	}
	starts[count] = cur;
	n->reflen = 0;
	if (count == 17) {
		n->kind = NODE_BRANCH;
		n->kids = kids_new();
		for (int i = 0; i < 16; i++)
			n->kids[i] = decode_ref(&items[i], starts[i], (size_t)(starts[i + 1] - starts[i]));
		if (items[16].is_list)
			bad_node();
		n->value = dup_bytes(items[16].payload, items[16].len);
		n->vlen = items[16].len;
	} else if (count == 2) {
		const rlp_item *hp = &items[0];
		if (hp->is_list || hp->len == 0)
			bad_node();
		uint8_t flag = hp->payload[0] >> 4;
		if (flag > 3 || (!(flag & 1) && (hp->payload[0] & 0x0f)))
			bad_node();
		size_t np = (hp->len - 1) * 2 + (flag & 1);
		n->path = np ? xmalloc(np) : NULL;
		n->npath = np;
		size_t k = 0;
		if (flag & 1)
			n->path[k++] = hp->payload[0] & 0x0f;
		for (size_t i = 1; i < hp->len; i++) {
			n->path[k++] = hp->payload[i] >> 4;
			n->path[k++] = hp->payload[i] & 0x0f;
		}
		if (flag & 2) {
			n->kind = NODE_LEAF;
			if (items[1].is_list)
				bad_node();
			n->value = dup_bytes(items[1].payload, items[1].len);
			n->vlen = items[1].len;
		} else {
			n->kind = NODE_EXT;
			if (np == 0)
				bad_node();
			n->child = decode_ref(&items[1], starts[1], (size_t)(starts[2] - starts[1]));
			if (!n->child)
				bad_node();
		}
	} else {
		bad_node();
	}
	/* The node's own reference: its RLP when embedded, else the hash (set by the caller). */
	if (len < 32) {
		memcpy(n->ref, rlp, len);
		n->reflen = (uint8_t)len;
	}
}

/* Load a NODE_HASH placeholder in place; `path` is where it sits. */
static void resolve(trie_t *t, node_t *n, const uint8_t *path, size_t npath)
{
	if (!t->resolve)
		fatal_undecodable("trie: node reference without a resolver");
	hash32_t h;
	memcpy(h.b, n->ref, 32);
	bytes_t rlp = t->resolve(t->ctx, &h, path, npath);
	trie_nodes_resolved++;
	decode_node(n, rlp.data, rlp.len);
	if (n->reflen == 0) {
		memcpy(n->ref, h.b, 32);
		n->reflen = 32;
	}
	rt_free(rlp.data);
}

/* ---- encoding and hashing ---------------------------------------------------------------- */

static size_t rlp_len_of_len(size_t n)
{
	size_t k = 0;
	while (n) {
		k++;
		n >>= 8;
	}
	return k;
}

/* Header for a string or list payload of length n (offset 0x80 or 0xc0). */
static void put_header(buf_t *b, uint8_t offset, size_t n)
{
	if (n < 56) {
		buf_push(b, (uint8_t)(offset + n));
		return;
	}
	size_t k = rlp_len_of_len(n);
	buf_push(b, (uint8_t)(offset + 55 + k));
	for (size_t i = k; i > 0; i--)
		buf_push(b, (uint8_t)(n >> (8 * (i - 1))));
}

static size_t string_len(const uint8_t *p, size_t n)
{
	if (n == 1 && p[0] < 0x80)
		return 1;
	return (n < 56 ? 1 : 1 + rlp_len_of_len(n)) + n;
}

static void put_string(buf_t *b, const uint8_t *p, size_t n)
{
	if (n == 1 && p[0] < 0x80) {
		buf_push(b, p[0]);
		return;
	}
	put_header(b, 0x80, n);
	buf_append(b, p, n);
}

static size_t hp_len(size_t npath) { return npath / 2 + 1; }

static size_t hp_string_len(size_t npath)
{
	size_t n = hp_len(npath);
	/* a one-byte path (flag nibble 0-3, then at most one nibble) is below 0x80: no header */
	return n == 1 ? 1 : (n < 56 ? 1 : 1 + rlp_len_of_len(n)) + n;
}

static void put_hp(buf_t *b, const uint8_t *path, size_t npath, bool leaf)
{
	size_t n = hp_len(npath);
	uint8_t flag = (uint8_t)((leaf ? 2 : 0) + (npath & 1));
	if (n != 1)
		put_header(b, 0x80, n);
	size_t i = 0;
	if (npath & 1)
		buf_push(b, (uint8_t)(flag << 4 | path[i++]));
	else
		buf_push(b, (uint8_t)(flag << 4));
	for (; i < npath; i += 2)
		buf_push(b, (uint8_t)(path[i] << 4 | path[i + 1]));
}

static size_t ref_len(const node_t *c)
{
	if (!c)
		return 1;
	return c->reflen == 32 ? 33 : c->reflen;
}

static void put_ref(buf_t *b, const node_t *c)
{
	if (!c) {
		buf_push(b, 0x80);
	} else if (c->reflen == 32) {
		buf_push(b, 0x80 + 32);
		buf_append(b, c->ref, 32);
	} else {
		buf_append(b, c->ref, c->reflen);
	}
}

static void compute_ref(trie_t *t, node_t *n);

/* Encode n (whose children have their refs) into t->scratch from offset 0. */
static void encode(trie_t *t, node_t *n)
{
	buf_t *b = &t->scratch;
	b->len = 0;
	size_t payload;
	switch (n->kind) {
	case NODE_LEAF:
		payload = hp_string_len(n->npath) + string_len(n->value, n->vlen);
		put_header(b, 0xc0, payload);
		put_hp(b, n->path, n->npath, true);
		put_string(b, n->value, n->vlen);
		break;
	case NODE_EXT:
		payload = hp_string_len(n->npath) + ref_len(n->child);
		put_header(b, 0xc0, payload);
		put_hp(b, n->path, n->npath, false);
		put_ref(b, n->child);
		break;
	default: /* NODE_BRANCH */
		payload = string_len(n->value, n->vlen);
		for (int i = 0; i < 16; i++)
			payload += ref_len(n->kids[i]);
		put_header(b, 0xc0, payload);
		for (int i = 0; i < 16; i++)
			put_ref(b, n->kids[i]);
		put_string(b, n->value, n->vlen);
		break;
	}
}

static void compute_ref(trie_t *t, node_t *n)
{
	if (n->reflen)
		return;
	if (n->kind == NODE_EXT) {
		compute_ref(t, n->child);
	} else if (n->kind == NODE_BRANCH) {
		for (int i = 0; i < 16; i++)
			if (n->kids[i])
				compute_ref(t, n->kids[i]);
	}
	encode(t, n);
	if (t->scratch.len < 32) {
		memcpy(n->ref, t->scratch.data, t->scratch.len);
		n->reflen = (uint8_t)t->scratch.len;
	} else {
		keccak256(t->scratch.data, t->scratch.len, n->ref);
		n->reflen = 32;
		trie_nodes_hashed++;
	}
}

/* ---- the public interface ------------------------------------------------------------------ */

trie_t *trie_open(const hash32_t *root, trie_resolver resolver, void *ctx)
{
	trie_t *t = xmalloc(sizeof *t);
	memset(t, 0, sizeof *t);
	t->resolve = resolver;
	t->ctx = ctx;
	if (!hash_eq(root, &EMPTY_TRIE_ROOT)) {
		t->root = node_new(NODE_HASH);
		memcpy(t->root->ref, root->b, 32);
		t->root->reflen = 32;
	}
	return t;
}

void trie_free(trie_t *t)
{
	if (!t)
		return;
	node_free(t->root);
	buf_free(&t->scratch);
	rt_free(t->sibpath);
	rt_free(t);
}

void trie_root(trie_t *t, hash32_t *out)
{
	node_t *r = t->root;
	if (!r) {
		*out = EMPTY_TRIE_ROOT;
		return;
	}
	compute_ref(t, r);
	if (r->reflen == 32) {
		memcpy(out->b, r->ref, 32);
	} else {
		keccak256(r->ref, r->reflen, out->b); /* the root is hashed even when short */
		trie_nodes_hashed++;
	}
}

/* A key as nibbles: into `stack` when it fits, else a fresh allocation (caller frees). */
static uint8_t *key_nibbles(const uint8_t *key, size_t keylen, uint8_t *stack, size_t cap)
{
	uint8_t *k = 2 * keylen <= cap ? stack : xmalloc(2 * keylen);
	for (size_t i = 0; i < keylen; i++) {
		k[2 * i] = key[i] >> 4;
		k[2 * i + 1] = key[i] & 0x0f;
	}
	return k;
}

bool trie_get(trie_t *t, const uint8_t *key, size_t keylen, bytes_t *value)
{
	uint8_t stack[128];
	uint8_t *k = key_nibbles(key, keylen, stack, sizeof stack);
	size_t nk = 2 * keylen, pos = 0;
	node_t *n = t->root;
	bool found = false;
	while (n) {
		if (n->kind == NODE_HASH)
			resolve(t, n, k, pos);
		if (n->kind == NODE_LEAF) {
			if (n->npath == nk - pos && memcmp(n->path, k + pos, n->npath) == 0) {
				value->data = n->value;
				value->len = n->vlen;
				found = true;
			}
			break;
		}
		if (n->kind == NODE_EXT) {
			if (n->npath > nk - pos || memcmp(n->path, k + pos, n->npath) != 0)
				break;
			pos += n->npath;
			n = n->child;
			continue;
		}
		/* branch */
		if (pos == nk) {
			if (n->vlen) {
				value->data = n->value;
				value->len = n->vlen;
				found = true;
			}
			break;
		}
		n = n->kids[k[pos++]];
	}
	if (k != stack)
		rt_free(k);
	return found;
}

typedef struct {
	trie_t *t;
	const uint8_t *k; /* key nibbles */
	size_t nk;
	const uint8_t *value;
	size_t vlen;
} op_t;

static void set_value(node_t *n, const uint8_t *value, size_t vlen)
{
	rt_free(n->value);
	n->value = dup_bytes(value, vlen);
	n->vlen = vlen;
	n->reflen = 0;
}

static bool same_value(const node_t *n, const uint8_t *value, size_t vlen)
{
	return n->vlen == vlen && (vlen == 0 || memcmp(n->value, value, vlen) == 0);
}

/* A branch holding the new key (rest k[pos:]) and `other` at nibble `at` (or as the branch's
 * value when `at` is 16). */
static node_t *branch_with(op_t *op, size_t pos, node_t *other, unsigned at)
{
	node_t *b = node_new(NODE_BRANCH);
	b->kids = kids_new();
	if (at == 16) {
		b->value = other->value;
		b->vlen = other->vlen;
		other->value = NULL;
		node_free(other);
	} else {
		b->kids[at] = other;
	}
	if (pos == op->nk) {
		b->value = dup_bytes(op->value, op->vlen);
		b->vlen = op->vlen;
	} else {
		b->kids[op->k[pos]] = leaf_new(op->k + pos + 1, op->nk - pos - 1, op->value, op->vlen);
	}
	return b;
}

/* Insert (vlen > 0) under the subtree `n` at key position pos. Returns the new subtree root
 * and sets *changed when anything changed. */
static node_t *insert(op_t *op, node_t *n, size_t pos, bool *changed)
{
	if (!n) {
		*changed = true;
		return leaf_new(op->k + pos, op->nk - pos, op->value, op->vlen);
	}
	if (n->kind == NODE_HASH)
		resolve(op->t, n, op->k, pos);
	size_t rest = op->nk - pos;
	if (n->kind == NODE_BRANCH) {
		if (rest == 0) {
			if (same_value(n, op->value, op->vlen))
				return n;
			set_value(n, op->value, op->vlen);
			*changed = true;
			return n;
		}
		unsigned i = op->k[pos];
		node_t *c = insert(op, n->kids[i], pos + 1, changed);
		n->kids[i] = c;
		if (*changed)
			n->reflen = 0;
		return n;
	}
	size_t c = common_prefix(n->path, n->npath, op->k + pos, rest);
	if (n->kind == NODE_LEAF) {
		if (c == n->npath && c == rest) {
			if (same_value(n, op->value, op->vlen))
				return n;
			set_value(n, op->value, op->vlen);
			*changed = true;
			return n;
		}
		*changed = true;
		const uint8_t *shared = op->k + pos;
		unsigned at = 16;
		if (c < n->npath) {
			at = n->path[c];
			set_path(n, NULL, 0, c + 1);
		}
		node_t *b = branch_with(op, pos + c, n, at);
		return c ? ext_new(shared, c, b) : b;
	}
	/* extension */
	if (c == n->npath) {
		node_t *ch = insert(op, n->child, pos + c, changed);
		n->child = ch;
		if (*changed)
			n->reflen = 0;
		return n;
	}
	*changed = true;
	unsigned at = n->path[c];
	node_t *below;
	if (c + 1 == n->npath) {
		below = n->child;
		n->child = NULL;
		rt_free(n->path);
		n->path = NULL;
		rt_free(n);
	} else {
		set_path(n, NULL, 0, c + 1);
		below = n;
	}
	node_t *b = branch_with(op, pos + c, below, at);
	return c ? ext_new(op->k + pos, c, b) : b;
}

/* Merge an extension's path into its (changed) child when the child is no branch. */
static node_t *merge_ext(node_t *e)
{
	node_t *ch = e->child;
	if (ch->kind == NODE_BRANCH) {
		e->reflen = 0;
		return e;
	}
	set_path(ch, e->path, e->npath, 0); /* leaf or extension: prefix the segment */
	e->child = NULL;
	node_free(e);
	return ch;
}

/* A branch left with fewer than two entries becomes a leaf or an extension. */
static node_t *collapse(op_t *op, node_t *b, size_t pos)
{
	int count = 0, only = -1;
	for (int i = 0; i < 16; i++) {
		if (b->kids[i]) {
			count++;
			only = i;
		}
	}
	if (count + (b->vlen ? 1 : 0) >= 2) {
		b->reflen = 0;
		return b;
	}
	if (count == 0) {
		node_t *r = NULL;
		if (b->vlen) {
			r = node_new(NODE_LEAF);
			r->value = b->value;
			r->vlen = b->vlen;
			b->value = NULL;
		}
		node_free(b);
		return r;
	}
	node_t *c = b->kids[only];
	b->kids[only] = NULL;
	node_free(b);
	if (c->kind == NODE_HASH) {
		/* The remaining sibling is only a hash: load it by its path k[:pos] ‖ only. */
		trie_t *t = op->t;
		if (t->sibcap < pos + 1) {
			rt_free(t->sibpath);
			t->sibcap = pos + 1 + 64;
			t->sibpath = xmalloc(t->sibcap);
		}
		memcpy(t->sibpath, op->k, pos);
		t->sibpath[pos] = (uint8_t)only;
		resolve(t, c, t->sibpath, pos + 1);
	}
	uint8_t nib = (uint8_t)only;
	if (c->kind == NODE_BRANCH)
		return ext_new(&nib, 1, c);
	set_path(c, &nib, 1, 0);
	return c;
}

static node_t *erase(op_t *op, node_t *n, size_t pos, bool *changed)
{
	if (!n)
		return NULL;
	if (n->kind == NODE_HASH)
		resolve(op->t, n, op->k, pos);
	size_t rest = op->nk - pos;
	if (n->kind == NODE_BRANCH) {
		if (rest == 0) {
			if (!n->vlen)
				return n;
			rt_free(n->value);
			n->value = NULL;
			n->vlen = 0;
		} else {
			unsigned i = op->k[pos];
			node_t *c = erase(op, n->kids[i], pos + 1, changed);
			n->kids[i] = c;
			if (!*changed)
				return n;
		}
		*changed = true;
		return collapse(op, n, pos);
	}
	if (n->npath > rest || memcmp(n->path, op->k + pos, n->npath) != 0)
		return n;
	if (n->kind == NODE_LEAF) {
		if (n->npath != rest)
			return n;
		*changed = true;
		node_free(n);
		return NULL;
	}
	node_t *ch = erase(op, n->child, pos + n->npath, changed);
	n->child = ch;
	if (!*changed)
		return n;
	if (!ch) { /* cannot happen in a canonical trie (the child is a branch) */
		node_free(n);
		return NULL;
	}
	return merge_ext(n);
}

void trie_put(trie_t *t, const uint8_t *key, size_t keylen, const uint8_t *value, size_t vlen)
{
	uint8_t stack[128];
	uint8_t *k = key_nibbles(key, keylen, stack, sizeof stack);
	op_t op = {t, k, 2 * keylen, value, vlen};
	bool changed = false;
	if (vlen)
		t->root = insert(&op, t->root, 0, &changed);
	else
		t->root = erase(&op, t->root, 0, &changed);
	if (k != stack)
		rt_free(k);
}
