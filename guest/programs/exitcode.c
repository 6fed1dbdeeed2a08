/* Exit with a computed, non-zero status: the number of primes below 182, which is 42.
 * Tests that a VM records the exit code of exit_group and that division works. */
#include "rt.h"

#define LIMIT 182

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	int count = 0;
	for (unsigned n = 2; n < LIMIT; n++) {
		int prime = 1;
		for (unsigned d = 2; d * d <= n; d++)
			if (n % d == 0) {
				prime = 0;
				break;
			}
		count += prime;
	}
	rt_printf("exitcode: %d primes below %d\n", count, LIMIT);
	return count;
}
