/* Freestanding runtime: entry glue, syscalls, memory functions, printf and heap. */
#include "rt.h"

#include "syscall.h"

/* ---- entry ------------------------------------------------------------------ */

__attribute__((noreturn, used)) void __rt_start(long argc, char **argv)
{
	rt_exit(main((int)argc, argv));
}

/* ---- syscalls --------------------------------------------------------------- */

ssize_t rt_read(int fd, void *buf, size_t len)
{
	return rt_syscall6(SYS_read, fd, (long)buf, (long)len, 0, 0, 0);
}

ssize_t rt_write(int fd, const void *buf, size_t len)
{
	return rt_syscall6(SYS_write, fd, (long)buf, (long)len, 0, 0, 0);
}

void rt_exit(int code)
{
	for (;;)
		rt_syscall6(SYS_exit_group, code, 0, 0, 0, 0, 0);
}

void *rt_brk(void *addr)
{
	return (void *)rt_syscall6(SYS_brk, (long)addr, 0, 0, 0, 0, 0);
}

#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#if defined(__mips__)
#define MAP_ANONYMOUS 0x800
#else
#define MAP_ANONYMOUS 0x20
#endif

void *rt_mmap_anon(size_t len)
{
	long r = rt_syscall6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r < 0 && r > -4096)
		return NULL;
	return (void *)r;
}

int rt_munmap(void *addr, size_t len)
{
	return (int)rt_syscall6(SYS_munmap, (long)addr, (long)len, 0, 0, 0, 0);
}

int rt_write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = rt_write(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rt_read_full(int fd, void *buf, size_t len)
{
	unsigned char *p = buf;
	while (len > 0) {
		ssize_t n = rt_read(fd, p, len);
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- memory functions ------------------------------------------------------- */
/* The compiler may emit calls to these for struct copies and zeroing. */

/* Whole machine words where possible: the evm program copies RLP and trie node bytes at odd
 * offsets all the time, and a byte loop costs ~5 instructions a byte in the VMs. Word access
 * goes through a may_alias type (the bytes may belong to any object). */
typedef uintptr_t __attribute__((__may_alias__)) rt_word;
#define WORD sizeof(rt_word)

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (n >= 2 * WORD) {
		for (; (uintptr_t)d & (WORD - 1); n--)
			*d++ = *s++;
		size_t off = (uintptr_t)s & (WORD - 1);
		size_t words = n / WORD;
		rt_word *dw = (rt_word *)(void *)d;
		if (off == 0) {
			const rt_word *sw = (const rt_word *)(const void *)s;
			size_t i = 0;
			for (; i + 4 <= words; i += 4) {
				dw[i] = sw[i];
				dw[i + 1] = sw[i + 1];
				dw[i + 2] = sw[i + 2];
				dw[i + 3] = sw[i + 3];
			}
			for (; i < words; i++)
				dw[i] = sw[i];
		} else {
			/* Each destination word from two aligned source words. The last one read may
			 * extend past the source, but never past its aligned word (so never into
			 * another page). */
			const rt_word *sw = (const rt_word *)(const void *)(s - off);
			unsigned first = 8 * (unsigned)off, second = 8 * (unsigned)(WORD - off);
			rt_word cur = sw[0];
			for (size_t i = 0; i < words; i++) {
				rt_word next = sw[i + 1];
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
				dw[i] = cur << first | next >> second;
#else
				dw[i] = cur >> first | next << second;
#endif
				cur = next;
			}
		}
		d += words * WORD;
		s += words * WORD;
		n -= words * WORD;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	if (((uintptr_t)d & (sizeof(uintptr_t) - 1)) == 0) {
		uintptr_t w = (unsigned char)c;
		w |= w << 8;
		w |= w << 16;
#if UINTPTR_MAX > 0xffffffffu
		w |= w << 32;
#endif
		for (; n >= sizeof(uintptr_t); n -= sizeof(uintptr_t)) {
			*(uintptr_t *)(void *)d = w;
			d += sizeof(uintptr_t);
		}
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i = 0;
	if ((((uintptr_t)x | (uintptr_t)y) & (WORD - 1)) == 0)
		for (; i + WORD <= n; i += WORD)
			if (*(const rt_word *)(const void *)(x + i) !=
			    *(const rt_word *)(const void *)(y + i))
				break; /* the bytes below say which is smaller */
	for (; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

/* ---- printf ----------------------------------------------------------------- */
/* Output is buffered per call and written with one write(1) so that a line is one
 * syscall (cheap inside a VM, and not interleaved). */

struct outbuf {
	char data[256];
	size_t len;
	int total;
};

static void out_flush(struct outbuf *o)
{
	if (o->len) {
		rt_write_all(FD_STDOUT, o->data, o->len);
		o->len = 0;
	}
}

static void out_char(struct outbuf *o, char c)
{
	if (o->len == sizeof(o->data))
		out_flush(o);
	o->data[o->len++] = c;
	o->total++;
}

static void out_number(struct outbuf *o, unsigned long long v, unsigned base, int upper,
		       int negative, int width, char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (negative ? 1 : 0);
	if (negative && pad == '0')
		out_char(o, '-');
	for (; len < width; len++)
		out_char(o, pad);
	if (negative && pad != '0')
		out_char(o, '-');
	while (n)
		out_char(o, tmp[--n]);
}

int rt_vprintf(const char *fmt, va_list ap)
{
	struct outbuf o;
	o.len = 0;
	o.total = 0;
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			out_char(&o, *p);
			continue;
		}
		p++;
		char pad = ' ';
		int width = 0, longs = 0;
		if (*p == '0') {
			pad = '0';
			p++;
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l') {
			longs++;
			p++;
		}
		switch (*p) {
		case 'd':
		case 'i': {
			long long v = longs >= 2 ? va_arg(ap, long long)
				      : longs == 1 ? va_arg(ap, long)
						   : va_arg(ap, int);
			unsigned long long m = v < 0 ? 0ull - (unsigned long long)v
						     : (unsigned long long)v;
			out_number(&o, m, 10, 0, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = longs >= 2 ? va_arg(ap, unsigned long long)
					       : longs == 1 ? va_arg(ap, unsigned long)
							    : va_arg(ap, unsigned int);
			out_number(&o, v, *p == 'u' ? 10 : 16, *p == 'X', 0, width, pad);
			break;
		}
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_number(&o, (uintptr_t)va_arg(ap, void *), 16, 0, 0, width, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			int len = (int)strlen(s);
			for (; len < width; len++)
				out_char(&o, ' ');
			while (*s)
				out_char(&o, *s++);
			break;
		}
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			out_char(&o, '%');
			out_char(&o, *p);
			break;
		}
	}
	out_flush(&o);
	return o.total;
}

int rt_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int rt_puts(const char *s)
{
	if (rt_write_all(FD_STDOUT, s, strlen(s)) || rt_write_all(FD_STDOUT, "\n", 1))
		return -1;
	return 0;
}

void rt_panic(const char *msg)
{
	rt_write_all(FD_STDERR, "panic: ", 7);
	rt_write_all(FD_STDERR, msg, strlen(msg));
	rt_write_all(FD_STDERR, "\n", 1);
	rt_exit(101);
}

/* ---- heap ------------------------------------------------------------------- */
/* Blocks carry a 16-byte header holding their size class. Classes are powers of two
 * from 16 bytes to 1 MiB; freed blocks go on a per-class list and are reused. Small
 * blocks are carved from 4 MiB mmap arenas with a bump pointer. Larger blocks get
 * their own mapping and are returned with munmap (a no-op in Cannon and Asterisc,
 * which only bump their heap pointer, but real on Linux). */

#define HDR 16u
#define MIN_SHIFT 4u
#define MAX_SHIFT 20u
#define ARENA (4u << 20)
#define PAGE 4096u
#define LARGE 0xffu

struct freeblock {
	struct freeblock *next;
};

static struct freeblock *free_lists[MAX_SHIFT + 1];
static unsigned char *arena_ptr, *arena_end;
static size_t heap_mapped;

size_t rt_heap_mapped(void)
{
	return heap_mapped;
}

static void *map_pages(size_t len)
{
	void *p = rt_mmap_anon(len);
	if (p)
		heap_mapped += len;
	return p;
}

void *rt_malloc(size_t n)
{
	if (n > ((size_t)1 << MAX_SHIFT) - HDR) {
		size_t total = (n + HDR + PAGE - 1) & ~(size_t)(PAGE - 1);
		if (total < n)
			return NULL;
		unsigned char *p = map_pages(total);
		if (!p)
			return NULL;
		*(size_t *)(void *)p = total;
		p[sizeof(size_t)] = LARGE;
		return p + HDR;
	}
	unsigned shift = MIN_SHIFT;
	while (((size_t)1 << shift) < n + HDR)
		shift++;
	size_t size = (size_t)1 << shift;
	unsigned char *p;
	if (free_lists[shift]) {
		p = (unsigned char *)free_lists[shift];
		free_lists[shift] = free_lists[shift]->next;
	} else {
		if ((size_t)(arena_end - arena_ptr) < size) {
			arena_ptr = map_pages(ARENA);
			if (!arena_ptr) {
				arena_end = NULL;
				return NULL;
			}
			arena_end = arena_ptr + ARENA;
		}
		p = arena_ptr;
		arena_ptr += size;
	}
	*(size_t *)(void *)p = size;
	p[sizeof(size_t)] = (unsigned char)shift;
	return p + HDR;
}

void *rt_calloc(size_t count, size_t n)
{
	size_t total = count * n;
	if (n && total / n != count)
		return NULL;
	void *p = rt_malloc(total);
	if (p)
		memset(p, 0, total);
	return p;
}

void rt_free(void *ptr)
{
	if (!ptr)
		return;
	unsigned char *p = (unsigned char *)ptr - HDR;
	unsigned shift = p[sizeof(size_t)];
	if (shift == LARGE) {
		size_t total = *(size_t *)(void *)p;
		heap_mapped -= total;
		rt_munmap(p, total);
		return;
	}
	struct freeblock *b = (struct freeblock *)(void *)p;
	b->next = free_lists[shift];
	free_lists[shift] = b;
}
