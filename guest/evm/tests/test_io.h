/* Line-oriented stdin/stdout helpers for the evm unit-test mains: Python feeds thousands of
 * cases in one process ("op arg arg ...", hex arguments) and reads one answer per line. */
#ifndef EVM_TEST_IO_H
#define EVM_TEST_IO_H

#include "rt.h"
#include "types.h"

/* All of stdin, NUL-terminated (rt_malloc'd). */
static char *test_read_all(size_t *len_out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = rt_malloc(cap);
	for (;;) {
		if (len + 1 >= cap) {
			char *nb = rt_malloc(cap * 2);
			memcpy(nb, buf, len);
			rt_free(buf);
			buf = nb;
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

/* Split the next line into at most `max` space-separated words (in place). Returns the
 * number of words, or -1 at the end of the input. */
static int test_next_line(char **cursor, char **words, int max)
{
	char *p = *cursor;
	if (!*p)
		return -1;
	char *end = p;
	while (*end && *end != '\n')
		end++;
	*cursor = *end ? end + 1 : end;
	*end = 0;
	int n = 0;
	while (*p) {
		while (*p == ' ' || *p == '\r')
			*p++ = 0;
		if (!*p)
			break;
		if (n < max)
			words[n++] = p;
		while (*p && *p != ' ' && *p != '\r')
			p++;
	}
	return n;
}

static int test_hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex string (optional 0x, even or odd digit count: odd gets a leading zero) to bytes. */
static bytes_t test_parse_hex(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	size_t digits = strlen(s);
	if (digits == 1 && s[0] == '-')
		digits = 0; /* "-" stands for the empty string */
	size_t n = (digits + 1) / 2;
	bytes_t r;
	r.data = rt_malloc(n ? n : 1);
	r.len = n;
	size_t k = 0;
	int hi = -1;
	if (digits % 2) {
		r.data[k++] = (uint8_t)test_hex_val(s[0]);
		s++;
		digits--;
	}
	for (size_t i = 0; i < digits; i++) {
		int v = test_hex_val(s[i]);
		if (hi < 0) {
			hi = v;
		} else {
			r.data[k++] = (uint8_t)(hi * 16 + v);
			hi = -1;
		}
	}
	return r;
}

/* Output buffer flushed at exit: one write per many lines. */
static buf_t test_out;

static void test_put(const char *s)
{
	buf_append(&test_out, s, strlen(s));
}

static void test_put_hex_bytes(const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_reserve(&test_out, 2 * n);
	for (size_t i = 0; i < n; i++) {
		test_out.data[test_out.len++] = hex[p[i] >> 4];
		test_out.data[test_out.len++] = hex[p[i] & 15];
	}
}

static void test_put_uint(uint64_t v)
{
	char tmp[24];
	int k = 0;
	do {
		tmp[k++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (k)
		buf_push(&test_out, (uint8_t)tmp[--k]);
}

static void test_flush(void)
{
	if (test_out.len)
		rt_write_all(FD_STDOUT, test_out.data, test_out.len);
	test_out.len = 0;
}

#endif
