/* EVM exception names (execution-specs `vm/exceptions.py` class names), for output lines. */
#include "exceptions.h"

const char *evm_error_name(evm_error e)
{
	switch (e) {
	case EVM_OK: return "OK";
	case ERR_STACK_UNDERFLOW: return "StackUnderflowError";
	case ERR_STACK_OVERFLOW: return "StackOverflowError";
	case ERR_OUT_OF_GAS: return "OutOfGasError";
	case ERR_INVALID_OPCODE: return "InvalidOpcode";
	case ERR_INVALID_JUMP_DEST: return "InvalidJumpDestError";
	case ERR_STACK_DEPTH_LIMIT: return "StackDepthLimitError";
	case ERR_WRITE_IN_STATIC_CONTEXT: return "WriteInStaticContext";
	case ERR_OUT_OF_BOUNDS_READ: return "OutOfBoundsRead";
	case ERR_INVALID_PARAMETER: return "InvalidParameter";
	case ERR_INVALID_CONTRACT_PREFIX: return "InvalidContractPrefix";
	case ERR_ADDRESS_COLLISION: return "AddressCollision";
	case ERR_KZG_PROOF_ERROR: return "KZGProofError";
	case ERR_REVERT: return "Revert";
	}
	return "UnknownError";
}
