/* Entry point for the native host build (x86_64 Linux, static, no libc).
 * argc at 0(%rsp), argv at 8(%rsp); %rsp is 16-byte aligned at entry. */
	.text
	.globl	_start
	.type	_start, @function
_start:
	xorl	%ebp, %ebp
	movq	(%rsp), %rdi
	leaq	8(%rsp), %rsi
	andq	$-16, %rsp
	call	__rt_start
	hlt
	.size	_start, .-_start
