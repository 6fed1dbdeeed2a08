/* EVM instructions (execution-specs `vm/instructions/__init__.py`): the opcode numbers (the
 * spec's `Ops` enum, here OP_<NAME>), the table from opcode to implementation
 * (`op_implementation`) and one declaration per instruction.
 *
 * Each instruction is the spec's function of the same name with an `op_` prefix (arithmetic.py
 * `add` is op_add in arithmetic.c, system.py `return_` is op_return): the bare names (`add`,
 * `exp`, `div`, `number`, `address`, ...) would collide with C library names and with other
 * parts of the program at link time. Bodies follow the spec line by line: operands, gas,
 * checks, operation, program counter. Where the spec raises, the C code sets evm->error and
 * returns (charge_gas, stack_pop and stack_push do that themselves, hence TRY). */
#ifndef EVM_VM_INSTRUCTIONS_H
#define EVM_VM_INSTRUCTIONS_H

#include "../gas.h"
#include "../memory.h"
#include "../stack.h"
#include "../vm.h"

/* Return from the instruction when a step failed (the spec's exception propagating). */
#define TRY(expr)                                                                          \
	do {                                                                               \
		if (!(expr))                                                               \
			return;                                                            \
	} while (0)

enum {
	/* arithmetic */
	OP_STOP = 0x00, OP_ADD = 0x01, OP_MUL = 0x02, OP_SUB = 0x03, OP_DIV = 0x04,
	OP_SDIV = 0x05, OP_MOD = 0x06, OP_SMOD = 0x07, OP_ADDMOD = 0x08, OP_MULMOD = 0x09,
	OP_EXP = 0x0A, OP_SIGNEXTEND = 0x0B,
	/* comparison */
	OP_LT = 0x10, OP_GT = 0x11, OP_SLT = 0x12, OP_SGT = 0x13, OP_EQ = 0x14, OP_ISZERO = 0x15,
	/* bitwise */
	OP_AND = 0x16, OP_OR = 0x17, OP_XOR = 0x18, OP_NOT = 0x19, OP_BYTE = 0x1A, OP_SHL = 0x1B,
	OP_SHR = 0x1C, OP_SAR = 0x1D,
	/* keccak */
	OP_KECCAK = 0x20,
	/* environment */
	OP_ADDRESS = 0x30, OP_BALANCE = 0x31, OP_ORIGIN = 0x32, OP_CALLER = 0x33,
	OP_CALLVALUE = 0x34, OP_CALLDATALOAD = 0x35, OP_CALLDATASIZE = 0x36,
	OP_CALLDATACOPY = 0x37, OP_CODESIZE = 0x38, OP_CODECOPY = 0x39, OP_GASPRICE = 0x3A,
	OP_EXTCODESIZE = 0x3B, OP_EXTCODECOPY = 0x3C, OP_RETURNDATASIZE = 0x3D,
	OP_RETURNDATACOPY = 0x3E, OP_EXTCODEHASH = 0x3F,
	/* block */
	OP_BLOCKHASH = 0x40, OP_COINBASE = 0x41, OP_TIMESTAMP = 0x42, OP_NUMBER = 0x43,
	OP_PREVRANDAO = 0x44, OP_GASLIMIT = 0x45, OP_CHAINID = 0x46, OP_SELFBALANCE = 0x47,
	OP_BASEFEE = 0x48, OP_BLOBHASH = 0x49, OP_BLOBBASEFEE = 0x4A,
	/* stack, memory, storage, control flow */
	OP_POP = 0x50, OP_MLOAD = 0x51, OP_MSTORE = 0x52, OP_MSTORE8 = 0x53, OP_SLOAD = 0x54,
	OP_SSTORE = 0x55, OP_JUMP = 0x56, OP_JUMPI = 0x57, OP_PC = 0x58, OP_MSIZE = 0x59,
	OP_GAS = 0x5A, OP_JUMPDEST = 0x5B, OP_TLOAD = 0x5C, OP_TSTORE = 0x5D, OP_MCOPY = 0x5E,
	OP_PUSH0 = 0x5F, OP_PUSH1 = 0x60, OP_PUSH32 = 0x7F,
	OP_DUP1 = 0x80, OP_DUP16 = 0x8F, OP_SWAP1 = 0x90, OP_SWAP16 = 0x9F,
	/* log */
	OP_LOG0 = 0xA0, OP_LOG4 = 0xA4,
	/* system */
	OP_CREATE = 0xF0, OP_CALL = 0xF1, OP_CALLCODE = 0xF2, OP_RETURN = 0xF3,
	OP_DELEGATECALL = 0xF4, OP_CREATE2 = 0xF5, OP_STATICCALL = 0xFA, OP_REVERT = 0xFD,
	OP_SELFDESTRUCT = 0xFF,
};

typedef void (*op_fn)(evm_t *evm);

/* interpreter.py constants */
#define MAX_CODE_SIZE 0x6000
#define MAX_INIT_CODE_SIZE (2 * MAX_CODE_SIZE)

/* runtime.py: the JUMPDEST bitmap of `code` (1 bit per byte, rt_calloc'd): bit i is set when
 * byte i is a JUMPDEST opcode, not PUSH data. */
uint8_t *get_valid_jump_destinations(const uint8_t *code, size_t len);

/* interpreter.c: accounts_to_delete.add(address) */
void address_set_add(address_set_t *set, const address_t *a);

/* Opcode -> implementation; NULL for bytes that are no opcode (InvalidOpcode). */
extern op_fn const op_implementation[256];

/* ---- helpers shared by the families (the spec gets these from unbounded Uint) ---- */

/* a + b, saturating at UINT64_MAX (an amount nobody can pay). */
static inline uint64_t gas_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}
/* a * b, saturating. */
static inline uint64_t gas_mul(uint64_t a, uint64_t b)
{
	return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b;
}
/* Uint(x) as a gas quantity: UINT64_MAX when it does not fit. */
static inline uint64_t u256_to_gas(const u256 *x) { return u256_fits_u64(x) ? x->w[0] : UINT64_MAX; }
/* ceil32(Uint(size)) // 32, saturating. */
static inline uint64_t words_of(const u256 *size)
{
	if (!u256_fits_u64(size))
		return UINT64_MAX;
	return size->w[0] / 32 + (size->w[0] % 32 != 0);
}
static inline u256 u256_from_address(const address_t *a) { return u256_from_be(a->b, 20); }
static inline u256 u256_from_hash(const hash32_t *h) { return u256_from_be(h->b, 32); }
static inline hash32_t u256_to_hash(const u256 *v)
{
	hash32_t h;
	u256_to_be(v, h.b);
	return h;
}
/* evm.memory += b"\x00" * extend_memory.expand_by, after its charge */
static inline void extend_memory_apply(evm_t *evm, const extend_memory_t *m)
{
	memory_extend(&evm->memory, m->expand_by);
}

/* arithmetic.c */
void op_add(evm_t *evm);
void op_sub(evm_t *evm);
void op_mul(evm_t *evm);
void op_div(evm_t *evm);
void op_sdiv(evm_t *evm);
void op_mod(evm_t *evm);
void op_smod(evm_t *evm);
void op_addmod(evm_t *evm);
void op_mulmod(evm_t *evm);
void op_exp(evm_t *evm);
void op_signextend(evm_t *evm);

/* bitwise.c */
void op_bitwise_and(evm_t *evm);
void op_bitwise_or(evm_t *evm);
void op_bitwise_xor(evm_t *evm);
void op_bitwise_not(evm_t *evm);
void op_get_byte(evm_t *evm);
void op_bitwise_shl(evm_t *evm);
void op_bitwise_shr(evm_t *evm);
void op_bitwise_sar(evm_t *evm);

/* comparison.c */
void op_less_than(evm_t *evm);
void op_signed_less_than(evm_t *evm);
void op_greater_than(evm_t *evm);
void op_signed_greater_than(evm_t *evm);
void op_equal(evm_t *evm);
void op_is_zero(evm_t *evm);

/* block.c */
void op_block_hash(evm_t *evm);
void op_coinbase(evm_t *evm);
void op_timestamp(evm_t *evm);
void op_number(evm_t *evm);
void op_prev_randao(evm_t *evm);
void op_gas_limit(evm_t *evm);
void op_chain_id(evm_t *evm);

/* control_flow.c */
void op_stop(evm_t *evm);
void op_jump(evm_t *evm);
void op_jumpi(evm_t *evm);
void op_pc(evm_t *evm);
void op_gas_left(evm_t *evm);
void op_jumpdest(evm_t *evm);

/* environment.c */
void op_address(evm_t *evm);
void op_balance(evm_t *evm);
void op_origin(evm_t *evm);
void op_caller(evm_t *evm);
void op_callvalue(evm_t *evm);
void op_calldataload(evm_t *evm);
void op_calldatasize(evm_t *evm);
void op_calldatacopy(evm_t *evm);
void op_codesize(evm_t *evm);
void op_codecopy(evm_t *evm);
void op_gasprice(evm_t *evm);
void op_extcodesize(evm_t *evm);
void op_extcodecopy(evm_t *evm);
void op_returndatasize(evm_t *evm);
void op_returndatacopy(evm_t *evm);
void op_extcodehash(evm_t *evm);
void op_self_balance(evm_t *evm);
void op_base_fee(evm_t *evm);
void op_blob_hash(evm_t *evm);
void op_blob_base_fee(evm_t *evm);

/* keccak.c */
void op_keccak(evm_t *evm);

/* log.c: log_n with num_topics 0..4 */
void log_n(evm_t *evm, unsigned num_topics);
void op_log0(evm_t *evm);
void op_log1(evm_t *evm);
void op_log2(evm_t *evm);
void op_log3(evm_t *evm);
void op_log4(evm_t *evm);

/* memory.c */
void op_mstore(evm_t *evm);
void op_mstore8(evm_t *evm);
void op_mload(evm_t *evm);
void op_msize(evm_t *evm);
void op_mcopy(evm_t *evm);

/* stack.c: push_n / dup_n / swap_n take the count from the opcode byte at evm->pc, as the
 * spec's partial(push_n, num_bytes=...) fixes it per opcode. */
void op_pop(evm_t *evm);
void push_n(evm_t *evm, unsigned num_bytes);
void dup_n(evm_t *evm, unsigned item_number);
void swap_n(evm_t *evm, unsigned item_number);
void op_push(evm_t *evm); /* PUSH0..PUSH32 */
void op_dup(evm_t *evm);  /* DUP1..DUP16 */
void op_swap(evm_t *evm); /* SWAP1..SWAP16 */

/* storage.c */
void op_sload(evm_t *evm);
void op_sstore(evm_t *evm);
void op_tload(evm_t *evm);
void op_tstore(evm_t *evm);

/* system.c */
void op_create(evm_t *evm);
void op_create2(evm_t *evm);
void op_return(evm_t *evm);
void op_call(evm_t *evm);
void op_callcode(evm_t *evm);
void op_selfdestruct(evm_t *evm);
void op_delegatecall(evm_t *evm);
void op_staticcall(evm_t *evm);
void op_revert(evm_t *evm);

#endif
