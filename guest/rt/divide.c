/* 64-bit integer division for 32-bit MIPS.
 *
 * The compiler lowers 64-bit `/` and `%` to calls to these libgcc/compiler-rt helpers.
 * zig's prebuilt compiler-rt is compiled with the default division check, so its copies
 * contain `teq` trap instructions that Cannon cannot execute (cannon-mips32.md 3.6).
 * Defining them here keeps the runtime's copies out of the link. Division by zero gives
 * an all-ones quotient and returns the dividend as remainder (as RISC-V does), instead
 * of trapping. */
#include <stdint.h>

#if defined(__mips__)

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem);
uint64_t __udivdi3(uint64_t n, uint64_t d);
uint64_t __umoddi3(uint64_t n, uint64_t d);
int64_t __divdi3(int64_t n, int64_t d);
int64_t __moddi3(int64_t n, int64_t d);

uint64_t __udivmoddi4(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0, r = 0;
	if (d == 0) {
		q = ~(uint64_t)0;
		r = n;
	} else if ((n >> 32) == 0 && (d >> 32) == 0) {
		uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
		q = n32 / d32;
		r = n32 % d32;
	} else if (d > n) {
		r = n;
	} else {
		/* Restoring shift-subtract, starting at the dividend's top set bit. */
		int bits = 64 - __builtin_clzll(n);
		for (int i = bits - 1; i >= 0; i--) {
			r = (r << 1) | ((n >> i) & 1);
			q <<= 1;
			if (r >= d) {
				r -= d;
				q |= 1;
			}
		}
	}
	if (rem)
		*rem = r;
	return q;
}

uint64_t __udivdi3(uint64_t n, uint64_t d)
{
	return __udivmoddi4(n, d, 0);
}

uint64_t __umoddi3(uint64_t n, uint64_t d)
{
	uint64_t r;
	__udivmoddi4(n, d, &r);
	return r;
}

static uint64_t magnitude(int64_t v)
{
	return v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
}

int64_t __divdi3(int64_t n, int64_t d)
{
	uint64_t q = __udivmoddi4(magnitude(n), magnitude(d), 0);
	return (int64_t)(((n < 0) != (d < 0)) ? 0 - q : q);
}

int64_t __moddi3(int64_t n, int64_t d)
{
	uint64_t r;
	__udivmoddi4(magnitude(n), magnitude(d), &r);
	return (int64_t)(n < 0 ? 0 - r : r);
}

#endif
