/* u256 cost probe: runs each operation on pseudo-random words and prints one line per phase
 * ("<op> <checksum>"), so a VM run can read steps per operation from when each line is
 * written. No input; the checksums make the work observable (and comparable across targets). */
#include "rt.h"
#include "u256.h"

#define ITERS 200

static uint64_t state = 0x9e3779b97f4a7c15ull;

static uint64_t next64(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static u256 rand_word(int limbs)
{
	u256 r = u256_zero();
	for (int i = 0; i < limbs; i++)
		r.w[i] = next64();
	return r;
}

static void report(const char *op, const u256 *acc)
{
	rt_printf("%s %llx\n", op, (unsigned long long)(acc->w[0] ^ acc->w[1] ^ acc->w[2] ^ acc->w[3]));
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	static u256 a[ITERS], b[ITERS], n[ITERS];
	for (int i = 0; i < ITERS; i++) {
		a[i] = rand_word(4);
		b[i] = rand_word(1 + i % 4);
		n[i] = rand_word(1 + (i / 4) % 4);
	}
	u256 acc = u256_zero();
	report("start", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_add(&a[i], &b[i]);
		acc = u256_xor(&acc, &t);
	}
	report("add", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_mul(&a[i], &b[i]);
		acc = u256_xor(&acc, &t);
	}
	report("mul", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_div(&a[i], &b[i]);
		acc = u256_xor(&acc, &t);
	}
	report("div", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_sdiv(&a[i], &b[i]);
		acc = u256_xor(&acc, &t);
	}
	report("sdiv", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_addmod(&a[i], &b[i], &n[i]);
		acc = u256_xor(&acc, &t);
	}
	report("addmod", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_mulmod(&a[i], &b[i], &n[i]);
		acc = u256_xor(&acc, &t);
	}
	report("mulmod", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 t = u256_exp(&a[i], &b[i]);
		acc = u256_xor(&acc, &t);
	}
	report("exp", &acc);
	for (int i = 0; i < ITERS; i++) {
		u256 s = u256_from_u64(b[i].w[0] & 255);
		u256 t = u256_sar(&s, &a[i]);
		u256 t2 = u256_shl(&s, &a[i]);
		acc = u256_xor(&acc, &t);
		acc = u256_xor(&acc, &t2);
	}
	report("shifts", &acc);
	return 0;
}
