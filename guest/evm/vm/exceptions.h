/* EVM exceptions (execution-specs `vm/exceptions.py`). An instruction that fails sets
 * evm->error and returns; the interpreter then consumes all gas of the frame (every
 * ExceptionalHalt) or keeps it (Revert). */
#ifndef EVM_VM_EXCEPTIONS_H
#define EVM_VM_EXCEPTIONS_H

typedef enum {
	EVM_OK = 0,
	/* ExceptionalHalt subclasses: all of the frame's gas is consumed. */
	ERR_STACK_UNDERFLOW,
	ERR_STACK_OVERFLOW,
	ERR_OUT_OF_GAS,
	ERR_INVALID_OPCODE,
	ERR_INVALID_JUMP_DEST,
	ERR_STACK_DEPTH_LIMIT,
	ERR_WRITE_IN_STATIC_CONTEXT,
	ERR_OUT_OF_BOUNDS_READ,
	ERR_INVALID_PARAMETER,
	ERR_INVALID_CONTRACT_PREFIX,
	ERR_ADDRESS_COLLISION,
	ERR_KZG_PROOF_ERROR,
	/* Not a halt: state is reverted, remaining gas is returned. */
	ERR_REVERT,
} evm_error;

static inline int evm_error_is_halt(evm_error e) { return e != EVM_OK && e != ERR_REVERT; }
const char *evm_error_name(evm_error e);

#endif
