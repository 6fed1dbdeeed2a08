/* Entry point for MIPS32 (o32, big-endian).
 * The VM (Cannon, spec 6.3) or the kernel leaves argc at 0($sp) and argv at 4($sp).
 * We pass them to __rt_start, keep $sp 8-byte aligned and reserve the 16-byte
 * o32 argument save area the callee may use. Static, non-PIC: no $gp set-up. */
	.text
	.globl	_start
	.type	_start, @function
	.set	noreorder
_start:
	lw	$a0, 0($sp)
	addiu	$a1, $sp, 4
	li	$t0, -8
	and	$sp, $sp, $t0
	addiu	$sp, $sp, -16
	jal	__rt_start
	nop
1:	b	1b
	nop
	.size	_start, .-_start
