/* Raw system calls, one block per ISA. Private to the runtime (rt.c).
 *
 * Every rt_syscall6 returns the Linux convention: a value >= 0, or -errno on failure.
 * The VMs report errors differently from Linux, so each block normalises:
 *  - MIPS o32: the error flag is $a3. Linux sets a3 = 1 and v0 = errno; Cannon sets
 *    a3 = errno and v0 = 0xFFFFFFFF (cannon-mips32.md 4.1).
 *  - RISC-V: Linux returns -errno in a0; Asterisc returns a0 = -1 and the code in a1
 *    (asterisc-riscv64.md 5.1). -1 is inside Linux's error range, so a0 alone suffices.
 *  - x86_64 (host build): -errno in rax.
 */
#ifndef GUEST_RT_SYSCALL_H
#define GUEST_RT_SYSCALL_H

#if defined(__mips__)

#define SYS_read 4003
#define SYS_write 4004
#define SYS_brk 4045
#define SYS_mmap 4090
#define SYS_munmap 4091
#define SYS_exit_group 4246

static inline long rt_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long v0 __asm__("$2") = n;
	register long a0 __asm__("$4") = a;
	register long a1 __asm__("$5") = b;
	register long a2 __asm__("$6") = c;
	register long a3 __asm__("$7") = d;
	/* o32 passes arguments 5 and 6 on the stack at 16($sp) and 20($sp). */
	__asm__ volatile(
		"addiu $sp, $sp, -32\n\t"
		"sw %5, 16($sp)\n\t"
		"sw %6, 20($sp)\n\t"
		"syscall\n\t"
		"addiu $sp, $sp, 32"
		: "+r"(v0), "+r"(a3)
		: "r"(a0), "r"(a1), "r"(a2), "r"(e), "r"(f)
		: "$1", "$3", "$8", "$9", "$10", "$11", "$12", "$13", "$14", "$15",
		  "$24", "$25", "hi", "lo", "memory");
	if (a3 != 0)
		return v0 == -1 ? -a3 : -v0;
	return v0;
}

#elif defined(__riscv) && __riscv_xlen == 64

#define SYS_read 63
#define SYS_write 64
#define SYS_exit_group 94
#define SYS_brk 214
#define SYS_munmap 215
#define SYS_mmap 222

static inline long rt_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;
	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a7), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

#elif defined(__x86_64__)

#define SYS_read 0
#define SYS_write 1
#define SYS_mmap 9
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_exit_group 231

static inline long rt_syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#else
#error "unsupported guest ISA: add a syscall block to rt/syscall.h"
#endif

#endif
