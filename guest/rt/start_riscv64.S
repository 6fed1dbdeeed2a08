/* Entry point for RV64 (lp64). Asterisc (spec 6.2) and Linux both leave argc at 0(sp)
 * and argv at 8(sp); Asterisc's argc is 0. No gp set-up: we link without gp relaxation. */
	.text
	.globl	_start
	.type	_start, @function
_start:
	ld	a0, 0(sp)
	addi	a1, sp, 8
	andi	sp, sp, -16
	call	__rt_start
1:	j	1b
	.size	_start, .-_start
