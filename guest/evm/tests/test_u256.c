/* u256 unit-test main: each stdin line "op a [b [c]]" (hex words) prints one answer line.
 * Words print as 64 hex digits; mul_full as 128; cmp/scmp/lengths/predicates in decimal.
 * Ops: add sub mul div mod sdiv smod addmod mulmod exp signextend neg and or xor not byte
 * shl shr sar cmp scmp lt eq iszero isneg fits64 bitlen bytelen mulfull frombe tobe. */
#include "rt.h"
#include "test_io.h"
#include "u256.h"

static u256 word(const char *s)
{
	bytes_t b = test_parse_hex(s);
	/* Keep the low 32 bytes of longer inputs so callers may pass any hex. */
	size_t off = b.len > 32 ? b.len - 32 : 0;
	u256 r = u256_from_be(b.data + off, b.len - off);
	rt_free(b.data);
	return r;
}

static void put_word(const u256 *w)
{
	uint8_t be[32];
	u256_to_be(w, be);
	test_put_hex_bytes(be, 32);
}

static bool op_is(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && memcmp(a, b, strlen(a)) == 0;
}

static void put_int(int v)
{
	if (v < 0) {
		test_put("-");
		v = -v;
	}
	test_put_uint((uint64_t)v);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	size_t len;
	char *cursor = test_read_all(&len);
	char *w[4];
	int n;
	while ((n = test_next_line(&cursor, w, 4)) >= 0) {
		if (n == 0)
			continue;
		const char *op = w[0];
		u256 a = n > 1 ? word(w[1]) : u256_zero();
		u256 b = n > 2 ? word(w[2]) : u256_zero();
		u256 c = n > 3 ? word(w[3]) : u256_zero();
		u256 r;
		if (op_is(op, "add"))
			r = u256_add(&a, &b);
		else if (op_is(op, "sub"))
			r = u256_sub(&a, &b);
		else if (op_is(op, "mul"))
			r = u256_mul(&a, &b);
		else if (op_is(op, "div"))
			r = u256_div(&a, &b);
		else if (op_is(op, "mod"))
			r = u256_mod(&a, &b);
		else if (op_is(op, "sdiv"))
			r = u256_sdiv(&a, &b);
		else if (op_is(op, "smod"))
			r = u256_smod(&a, &b);
		else if (op_is(op, "addmod"))
			r = u256_addmod(&a, &b, &c);
		else if (op_is(op, "mulmod"))
			r = u256_mulmod(&a, &b, &c);
		else if (op_is(op, "exp"))
			r = u256_exp(&a, &b);
		else if (op_is(op, "signextend"))
			r = u256_signextend(&a, &b);
		else if (op_is(op, "neg"))
			r = u256_neg(&a);
		else if (op_is(op, "and"))
			r = u256_and(&a, &b);
		else if (op_is(op, "or"))
			r = u256_or(&a, &b);
		else if (op_is(op, "xor"))
			r = u256_xor(&a, &b);
		else if (op_is(op, "not"))
			r = u256_not(&a);
		else if (op_is(op, "byte"))
			r = u256_byte(&a, &b);
		else if (op_is(op, "shl"))
			r = u256_shl(&a, &b);
		else if (op_is(op, "shr"))
			r = u256_shr(&a, &b);
		else if (op_is(op, "sar"))
			r = u256_sar(&a, &b);
		else {
			if (op_is(op, "cmp")) {
				put_int(u256_cmp(&a, &b));
			} else if (op_is(op, "scmp")) {
				put_int(u256_scmp(&a, &b));
			} else if (op_is(op, "lt")) {
				put_int(u256_lt(&a, &b));
			} else if (op_is(op, "eq")) {
				put_int(u256_eq(&a, &b));
			} else if (op_is(op, "iszero")) {
				put_int(u256_is_zero(&a));
			} else if (op_is(op, "isneg")) {
				put_int(u256_is_neg(&a));
			} else if (op_is(op, "fits64")) {
				put_int(u256_fits_u64(&a));
			} else if (op_is(op, "bitlen")) {
				put_int((int)u256_bit_length(&a));
			} else if (op_is(op, "bytelen")) {
				put_int((int)u256_byte_length(&a));
			} else if (op_is(op, "mulfull")) {
				uint64_t out[8];
				u256_mul_full(&a, &b, out);
				for (int i = 7; i >= 0; i--) {
					uint8_t be[8];
					for (int k = 0; k < 8; k++)
						be[k] = (uint8_t)(out[i] >> (56 - 8 * k));
					test_put_hex_bytes(be, 8);
				}
			} else if (op_is(op, "frombe")) {
				/* from_be of the raw bytes (<= 32), as a word */
				bytes_t raw = test_parse_hex(n > 1 ? w[1] : "-");
				u256 x = u256_from_be(raw.data, raw.len);
				rt_free(raw.data);
				put_word(&x);
			} else if (op_is(op, "u64")) {
				/* from_u64 of the low 64 bits */
				u256 x = u256_from_u64(a.w[0]);
				put_word(&x);
			} else {
				test_put("unknown-op");
			}
			test_put("\n");
			continue;
		}
		put_word(&r);
		test_put("\n");
		if (test_out.len > (1 << 16))
			test_flush();
	}
	test_flush();
	return 0;
}
