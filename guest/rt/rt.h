/* Freestanding guest runtime: the only "libc" our guest programs get.
 *
 * Cannon and Asterisc implement a handful of Linux syscalls (read, write, brk, mmap,
 * exit_group, ...) and no TLS, so we do not link musl: its start-up code reads the
 * thread pointer with `rdhwr` on MIPS and calls set_thread_area. This runtime is just
 * enough for small test programs and is identical on every target.
 */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef long ssize_t;

/* Standard file descriptors plus the preimage-oracle channels (cannon-mips32.md 4.3). */
enum {
	FD_STDIN = 0,
	FD_STDOUT = 1,
	FD_STDERR = 2,
	FD_HINT_READ = 3,      /* guest reads the 1-byte hint ack */
	FD_HINT_WRITE = 4,     /* guest writes length-prefixed hints */
	FD_PREIMAGE_READ = 5,  /* guest reads length-prefixed preimages */
	FD_PREIMAGE_WRITE = 6, /* guest writes 32-byte keys */
};

/* System calls. Negative results are -errno. */
ssize_t rt_read(int fd, void *buf, size_t len);
ssize_t rt_write(int fd, const void *buf, size_t len);
__attribute__((noreturn)) void rt_exit(int code);
void *rt_brk(void *addr);
void *rt_mmap_anon(size_t len); /* NULL on failure */
int rt_munmap(void *addr, size_t len);

/* Loop until all bytes moved: VMs may move as few as 1 byte per call. 0 on success,
 * -1 on error or end of file. */
int rt_write_all(int fd, const void *buf, size_t len);
int rt_read_full(int fd, void *buf, size_t len);

/* Output. rt_printf knows %d %i %u %x %X %s %c %p %% with l/ll, '0' and width. */
int rt_printf(const char *fmt, ...);
int rt_vprintf(const char *fmt, va_list ap);
int rt_puts(const char *s); /* writes s and a newline */
__attribute__((noreturn)) void rt_panic(const char *msg);

/* Heap: size-class free lists over a bump allocator fed by mmap. Large blocks
 * (> 1 MiB) go straight to mmap/munmap. Memory is zeroed by rt_calloc only. */
void *rt_malloc(size_t n);
void *rt_calloc(size_t count, size_t n);
void rt_free(void *p);
size_t rt_heap_mapped(void); /* bytes obtained from mmap so far */

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Programs define this. */
int main(int argc, char **argv);

#endif
