/* The smallest guest: one line on stdout, exit code 0. */
#include "rt.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	rt_puts("hello world");
	return 0;
}
