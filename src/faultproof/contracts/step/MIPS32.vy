#pragma version 0.4.3
#pragma optimize gas
#pragma experimental-codegen
"""
@title MIPS32
@notice On-chain single-step executor for single-threaded Cannon (MIPS32, state version
        `singlethreaded-2`). ABI-identical to Optimism's MIPS.sol 1.2.1-beta.6: `step`,
        `oracle`, `version`. Spec digest: /work/shared/specs/cannon-mips32.md §1-§4, §7.
@dev    The state and the memory proofs are read from `msg.data` at the canonical offsets
        (state at 132, proofs at 420 + 896*k), exactly where MIPS.sol reads them with
        `calldataload`, so a short `_stateData` or `_proof` behaves the same as upstream (padding
        is read, calldata size is what is checked). All arithmetic is done on uint256 holding
        32-bit values and masked explicitly: MIPS wraps, Vyper's uint32 would revert.
        Solidity custom errors are emulated with `raw_revert(method_id(...))`; require strings
        with `raise "..."`; MIPS.sol's `revert(0, 0)` with a reason-less `raise`.
"""

interface IPreimageOracle:
    def readPreimage(_key: bytes32, _offset: uint256) -> (bytes32, uint256): view

# --- layout facts (spec §1.2, §2.2, §7.2) ---
STATE_OFFSET: constant(uint256) = 132
STATE_SIZE: constant(uint256) = 226
STEP_PROOF_OFFSET: constant(uint256) = 420
MEM_PROOF_SIZE: constant(uint256) = 896
MEM_PROOF_LEVELS: constant(uint256) = 27
MEM_PROOF_WORDS: constant(uint256) = 28

MASK32: constant(uint256) = 4294967295
SIGN32: constant(uint256) = 2147483648
# bits 32..255 set: OR-ed onto a negative 32-bit value to sign-extend it to 256 bits
HIGH224: constant(uint256) = max_value(uint256) ^ 4294967295

# --- syscalls (spec §4) ---
SYS_MMAP: constant(uint256) = 4090
SYS_BRK: constant(uint256) = 4045
SYS_CLONE: constant(uint256) = 4120
SYS_EXIT_GROUP: constant(uint256) = 4246
SYS_READ: constant(uint256) = 4003
SYS_WRITE: constant(uint256) = 4004
SYS_FCNTL: constant(uint256) = 4055

FD_STDIN: constant(uint256) = 0
FD_STDOUT: constant(uint256) = 1
FD_STDERR: constant(uint256) = 2
FD_HINT_READ: constant(uint256) = 3
FD_HINT_WRITE: constant(uint256) = 4
FD_PREIMAGE_READ: constant(uint256) = 5
FD_PREIMAGE_WRITE: constant(uint256) = 6

EBADF: constant(uint256) = 9
EINVAL: constant(uint256) = 22
BRK_START: constant(uint256) = 1073741824  # 0x40000000
HEAP_END: constant(uint256) = 1610612736  # 0x60000000
PAGE_SIZE: constant(uint256) = 4096
PAGE_ADDR_MASK: constant(uint256) = 4095

NO_STORE: constant(uint256) = 4294967295

# Accept whatever the dispute game forwards (its interface uses these maxima).
MAX_STATE_DATA: constant(uint256) = 4096
MAX_PROOF: constant(uint256) = 16384


ORACLE: immutable(address)


@deploy
def __init__(_oracle: address):
    ORACLE = _oracle


@external
@view
def oracle() -> address:
    """The PreimageOracle that `step` reads preimage parts from."""
    return ORACLE


@external
@view
def version() -> String[16]:
    """Semantic version of the MIPS.sol behaviour this contract reproduces."""
    return "1.2.1-beta.6"



# ---------------------------------------------------------------------------------------------
# memory proofs (§2.2)
# ---------------------------------------------------------------------------------------------

@internal
@pure
def _proof_offset(index: uint256) -> uint256:
    return STEP_PROOF_OFFSET + index * MEM_PROOF_SIZE


@internal
@pure
def _hash2(a: bytes32, b: bytes32) -> bytes32:
    """keccak256(a ++ b): one call site for the fold's concat buffer, so the 54 unrolled levels
    share one 64-byte buffer instead of each reserving its own (memory is gas)."""
    return keccak256(concat(a, b))


@internal
@view
def _read_mem(root: bytes32, addr: uint256, proof_offset: uint256) -> uint256:
    """The 32-bit word at 4-aligned `addr`, proven by the proof at `proof_offset`."""
    # the proof (leaf, then 27 siblings) decoded into words in place: indexing them is cheaper
    # than `extract32` on the raw bytes
    if len(msg.data) < proof_offset + MEM_PROOF_SIZE:
        raise "check that there is enough calldata"
    if addr & 3 != 0:
        raise
    proof: bytes32[MEM_PROOF_WORDS] = abi_decode(slice(msg.data, proof_offset, MEM_PROOF_SIZE), bytes32[MEM_PROOF_WORDS], unwrap_tuple=False)
    node: bytes32 = proof[0]
    # unrolled: a loop costs ~120 gas a level in index checks and counters
    if addr & 32 == 0:
        node = self._hash2(node, proof[1])
    else:
        node = self._hash2(proof[1], node)
    if addr & 64 == 0:
        node = self._hash2(node, proof[2])
    else:
        node = self._hash2(proof[2], node)
    if addr & 128 == 0:
        node = self._hash2(node, proof[3])
    else:
        node = self._hash2(proof[3], node)
    if addr & 256 == 0:
        node = self._hash2(node, proof[4])
    else:
        node = self._hash2(proof[4], node)
    if addr & 512 == 0:
        node = self._hash2(node, proof[5])
    else:
        node = self._hash2(proof[5], node)
    if addr & 1024 == 0:
        node = self._hash2(node, proof[6])
    else:
        node = self._hash2(proof[6], node)
    if addr & 2048 == 0:
        node = self._hash2(node, proof[7])
    else:
        node = self._hash2(proof[7], node)
    if addr & 4096 == 0:
        node = self._hash2(node, proof[8])
    else:
        node = self._hash2(proof[8], node)
    if addr & 8192 == 0:
        node = self._hash2(node, proof[9])
    else:
        node = self._hash2(proof[9], node)
    if addr & 16384 == 0:
        node = self._hash2(node, proof[10])
    else:
        node = self._hash2(proof[10], node)
    if addr & 32768 == 0:
        node = self._hash2(node, proof[11])
    else:
        node = self._hash2(proof[11], node)
    if addr & 65536 == 0:
        node = self._hash2(node, proof[12])
    else:
        node = self._hash2(proof[12], node)
    if addr & 131072 == 0:
        node = self._hash2(node, proof[13])
    else:
        node = self._hash2(proof[13], node)
    if addr & 262144 == 0:
        node = self._hash2(node, proof[14])
    else:
        node = self._hash2(proof[14], node)
    if addr & 524288 == 0:
        node = self._hash2(node, proof[15])
    else:
        node = self._hash2(proof[15], node)
    if addr & 1048576 == 0:
        node = self._hash2(node, proof[16])
    else:
        node = self._hash2(proof[16], node)
    if addr & 2097152 == 0:
        node = self._hash2(node, proof[17])
    else:
        node = self._hash2(proof[17], node)
    if addr & 4194304 == 0:
        node = self._hash2(node, proof[18])
    else:
        node = self._hash2(proof[18], node)
    if addr & 8388608 == 0:
        node = self._hash2(node, proof[19])
    else:
        node = self._hash2(proof[19], node)
    if addr & 16777216 == 0:
        node = self._hash2(node, proof[20])
    else:
        node = self._hash2(proof[20], node)
    if addr & 33554432 == 0:
        node = self._hash2(node, proof[21])
    else:
        node = self._hash2(proof[21], node)
    if addr & 67108864 == 0:
        node = self._hash2(node, proof[22])
    else:
        node = self._hash2(proof[22], node)
    if addr & 134217728 == 0:
        node = self._hash2(node, proof[23])
    else:
        node = self._hash2(proof[23], node)
    if addr & 268435456 == 0:
        node = self._hash2(node, proof[24])
    else:
        node = self._hash2(proof[24], node)
    if addr & 536870912 == 0:
        node = self._hash2(node, proof[25])
    else:
        node = self._hash2(proof[25], node)
    if addr & 1073741824 == 0:
        node = self._hash2(node, proof[26])
    else:
        node = self._hash2(proof[26], node)
    if addr & 2147483648 == 0:
        node = self._hash2(node, proof[27])
    else:
        node = self._hash2(proof[27], node)
    if node != root:
        raw_revert(method_id("InvalidMemoryProof()"))
    return (convert(proof[0], uint256) >> ((28 - (addr & 31)) * 8)) & MASK32


@internal
@view
def _write_mem(addr: uint256, proof_offset: uint256, val: uint256) -> bytes32:
    """New root after writing `val` at `addr`; the same proof was verified by `_read_mem`."""
    # the proof (leaf, then 27 siblings) decoded into words in place: indexing them is cheaper
    # than `extract32` on the raw bytes
    if len(msg.data) < proof_offset + MEM_PROOF_SIZE:
        raise "check that there is enough calldata"
    if addr & 3 != 0:
        raise
    proof: bytes32[MEM_PROOF_WORDS] = abi_decode(slice(msg.data, proof_offset, MEM_PROOF_SIZE), bytes32[MEM_PROOF_WORDS], unwrap_tuple=False)
    shamt: uint256 = (28 - (addr & 31)) * 8
    leaf: uint256 = convert(proof[0], uint256)
    node: bytes32 = convert((leaf & ~(MASK32 << shamt)) | ((val & MASK32) << shamt), bytes32)
    # unrolled: a loop costs ~120 gas a level in index checks and counters
    if addr & 32 == 0:
        node = self._hash2(node, proof[1])
    else:
        node = self._hash2(proof[1], node)
    if addr & 64 == 0:
        node = self._hash2(node, proof[2])
    else:
        node = self._hash2(proof[2], node)
    if addr & 128 == 0:
        node = self._hash2(node, proof[3])
    else:
        node = self._hash2(proof[3], node)
    if addr & 256 == 0:
        node = self._hash2(node, proof[4])
    else:
        node = self._hash2(proof[4], node)
    if addr & 512 == 0:
        node = self._hash2(node, proof[5])
    else:
        node = self._hash2(proof[5], node)
    if addr & 1024 == 0:
        node = self._hash2(node, proof[6])
    else:
        node = self._hash2(proof[6], node)
    if addr & 2048 == 0:
        node = self._hash2(node, proof[7])
    else:
        node = self._hash2(proof[7], node)
    if addr & 4096 == 0:
        node = self._hash2(node, proof[8])
    else:
        node = self._hash2(proof[8], node)
    if addr & 8192 == 0:
        node = self._hash2(node, proof[9])
    else:
        node = self._hash2(proof[9], node)
    if addr & 16384 == 0:
        node = self._hash2(node, proof[10])
    else:
        node = self._hash2(proof[10], node)
    if addr & 32768 == 0:
        node = self._hash2(node, proof[11])
    else:
        node = self._hash2(proof[11], node)
    if addr & 65536 == 0:
        node = self._hash2(node, proof[12])
    else:
        node = self._hash2(proof[12], node)
    if addr & 131072 == 0:
        node = self._hash2(node, proof[13])
    else:
        node = self._hash2(proof[13], node)
    if addr & 262144 == 0:
        node = self._hash2(node, proof[14])
    else:
        node = self._hash2(proof[14], node)
    if addr & 524288 == 0:
        node = self._hash2(node, proof[15])
    else:
        node = self._hash2(proof[15], node)
    if addr & 1048576 == 0:
        node = self._hash2(node, proof[16])
    else:
        node = self._hash2(proof[16], node)
    if addr & 2097152 == 0:
        node = self._hash2(node, proof[17])
    else:
        node = self._hash2(proof[17], node)
    if addr & 4194304 == 0:
        node = self._hash2(node, proof[18])
    else:
        node = self._hash2(proof[18], node)
    if addr & 8388608 == 0:
        node = self._hash2(node, proof[19])
    else:
        node = self._hash2(proof[19], node)
    if addr & 16777216 == 0:
        node = self._hash2(node, proof[20])
    else:
        node = self._hash2(proof[20], node)
    if addr & 33554432 == 0:
        node = self._hash2(node, proof[21])
    else:
        node = self._hash2(proof[21], node)
    if addr & 67108864 == 0:
        node = self._hash2(node, proof[22])
    else:
        node = self._hash2(proof[22], node)
    if addr & 134217728 == 0:
        node = self._hash2(node, proof[23])
    else:
        node = self._hash2(proof[23], node)
    if addr & 268435456 == 0:
        node = self._hash2(node, proof[24])
    else:
        node = self._hash2(proof[24], node)
    if addr & 536870912 == 0:
        node = self._hash2(node, proof[25])
    else:
        node = self._hash2(proof[25], node)
    if addr & 1073741824 == 0:
        node = self._hash2(node, proof[26])
    else:
        node = self._hash2(proof[26], node)
    if addr & 2147483648 == 0:
        node = self._hash2(node, proof[27])
    else:
        node = self._hash2(proof[27], node)
    return node


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

@internal
@pure
def _sext(dat: uint256, idx: uint256) -> uint256:
    # MIPSInstructions.signExtend: any bit at or above idx-1 counts as the sign
    is_signed: bool = (dat >> (idx - 1)) != 0
    mask: uint256 = (1 << idx) - 1
    if is_signed:
        return ((dat & mask) | (((1 << (32 - idx)) - 1) << idx)) & MASK32
    return dat & mask


@internal
@pure
def _slt(a: uint256, b: uint256) -> bool:
    return (a ^ SIGN32) < (b ^ SIGN32)


@internal
@pure
def _to_i(x: uint256) -> int256:
    v: int256 = convert(x, int256)
    if x & SIGN32 != 0:
        v -= 4294967296
    return v


@internal
@pure
def _from_i(x: int256) -> uint256:
    return convert(x + 8589934592, uint256) & MASK32



@internal
@pure
def _sub_word(vaddr: uint256, byte_len: uint256) -> (uint256, uint256, uint256):
    bit_len: uint256 = byte_len << 3
    data_mask: uint256 = MASK32 >> (32 - bit_len)
    byte_index: uint256 = vaddr & 3 & (~(byte_len - 1) & MASK32)
    bit_offset: uint256 = (4 - byte_len - byte_index) << 3
    return data_mask, bit_offset, bit_len


@internal
@pure
def _select_sub_word(vaddr: uint256, mem: uint256, byte_len: uint256, signed: bool) -> uint256:
    data_mask: uint256 = 0
    bit_offset: uint256 = 0
    bit_len: uint256 = 0
    data_mask, bit_offset, bit_len = self._sub_word(vaddr, byte_len)
    v: uint256 = (mem >> bit_offset) & data_mask
    if signed:
        v = self._sext(v, bit_len)
    return v


@internal
@pure
def _update_sub_word(vaddr: uint256, mem: uint256, byte_len: uint256, new_val: uint256) -> uint256:
    data_mask: uint256 = 0
    bit_offset: uint256 = 0
    bit_len: uint256 = 0
    data_mask, bit_offset, bit_len = self._sub_word(vaddr, byte_len)
    update_mask: uint256 = (data_mask << bit_offset) & MASK32
    return (((data_mask & new_val) << bit_offset) | (~update_mask & mem)) & MASK32


# ---------------------------------------------------------------------------------------------
# ALU (MIPSInstructions.executeMipsInstruction)
# ---------------------------------------------------------------------------------------------

@internal
@pure
def _execute(insn: uint256, opcode: uint256, fun_in: uint256, rs: uint256, rt: uint256, mem: uint256) -> uint256:
    fun: uint256 = fun_in
    if opcode == 0 or (opcode >= 8 and opcode < 15):
        if opcode == 8:
            fun = 32
        elif opcode == 9:
            fun = 33
        elif opcode == 10:
            fun = 42
        elif opcode == 11:
            fun = 43
        elif opcode == 12:
            fun = 36
        elif opcode == 13:
            fun = 37
        elif opcode == 14:
            fun = 38

        if fun == 0:  # sll
            return (rt << ((insn >> 6) & 31)) & MASK32
        if fun == 2:  # srl
            return rt >> ((insn >> 6) & 31)
        if fun == 3:  # sra
            shamt: uint256 = (insn >> 6) & 31
            return self._sext(rt >> shamt, 32 - shamt)
        if fun == 4:  # sllv
            return (rt << (rs & 31)) & MASK32
        if fun == 6:  # srlv
            return rt >> (rs & 31)
        if fun == 7:  # srav
            shamt2: uint256 = rs & 31
            return self._sext(rt >> shamt2, 32 - shamt2)
        # jr, jalr, movz, movn, syscall, sync, mfhi, mthi, mflo, mtlo, mult, multu, div, divu
        if (fun >= 8 and fun <= 12) or (fun >= 15 and fun <= 19) or (fun >= 24 and fun <= 27):
            return rs
        if fun == 32 or fun == 33:  # add, addu
            return (rs + rt) & MASK32
        if fun == 34 or fun == 35:  # sub, subu
            return (rs + 4294967296 - rt) & MASK32
        if fun == 36:
            return rs & rt
        if fun == 37:
            return rs | rt
        if fun == 38:
            return rs ^ rt
        if fun == 39:  # nor
            return ~(rs | rt) & MASK32
        if fun == 42:  # slt
            if self._slt(rs, rt):
                return 1
            return 0
        if fun == 43:  # sltu
            if rs < rt:
                return 1
            return 0
        raise "invalid instruction"

    if opcode == 28:  # SPECIAL2
        if fun == 2:  # mul
            return (rs * rt) & MASK32
        if fun == 32 or fun == 33:  # clz, clo
            x: uint256 = rs
            if fun == 32:
                x = ~x & MASK32
            n: uint256 = 0
            for _i: uint256 in range(32):
                if x & SIGN32 == 0:
                    break
                n += 1
                x = (x << 1) & MASK32
            return n
        raise "invalid instruction"
    if opcode == 15:  # lui
        return (rt << 16) & MASK32
    if opcode == 32:  # lb
        return self._select_sub_word(rs, mem, 1, True)
    if opcode == 33:  # lh
        return self._select_sub_word(rs, mem, 2, True)
    if opcode == 34:  # lwl
        sh: uint256 = (rs & 3) * 8
        return (rt & ~((MASK32 << sh) & MASK32) | ((mem << sh) & MASK32)) & MASK32
    if opcode == 35:  # lw
        return self._select_sub_word(rs, mem, 4, True)
    if opcode == 36:  # lbu
        return self._select_sub_word(rs, mem, 1, False)
    if opcode == 37:  # lhu
        return self._select_sub_word(rs, mem, 2, False)
    if opcode == 38:  # lwr
        sh2: uint256 = 24 - (rs & 3) * 8
        return (rt & ~(MASK32 >> sh2) | (mem >> sh2)) & MASK32
    if opcode == 40:  # sb
        return self._update_sub_word(rs, mem, 1, rt)
    if opcode == 41:  # sh
        return self._update_sub_word(rs, mem, 2, rt)
    if opcode == 42:  # swl
        sh3: uint256 = (rs & 3) * 8
        return (mem & ~(MASK32 >> sh3) | (rt >> sh3)) & MASK32
    if opcode == 43:  # sw
        return self._update_sub_word(rs, mem, 4, rt)
    if opcode == 46:  # swr
        sh4: uint256 = 24 - (rs & 3) * 8
        return (mem & ~((MASK32 << sh4) & MASK32) | ((rt << sh4) & MASK32)) & MASK32
    raise "invalid instruction"


# ---------------------------------------------------------------------------------------------
# control flow and HI/LO (MIPSInstructions.handleBranch / handleHiLo), on plain words: the state
# lives in one place (`_step`'s frame) and helpers return only what they change.
# ---------------------------------------------------------------------------------------------

@internal
@pure
def _should_branch(opcode: uint256, insn: uint256, rs: uint256, rt: uint256) -> bool:
    """Whether a conditional branch is taken (`rt` is the rt register, read for beq/bne)."""
    if opcode == 4:
        return rs == rt
    if opcode == 5:
        return rs != rt
    if opcode == 6:  # blez
        return rs == 0 or rs & SIGN32 != 0
    if opcode == 7:  # bgtz
        return rs != 0 and rs & SIGN32 == 0
    rtv: uint256 = (insn >> 16) & 31
    if rtv == 0:  # bltz
        return rs & SIGN32 != 0
    if rtv == 1 or rtv == 17:  # bgez, bgezal
        return rs & SIGN32 == 0
    return False


@internal
@pure
def _hilo(fun: uint256, rs: uint256, rt: uint256, hi_in: uint256, lo_in: uint256) -> (uint256, uint256, uint256):
    """(hi, lo, value for rd) of mfhi/mthi/mflo/mtlo/mult/multu/div/divu."""
    hi: uint256 = hi_in
    lo: uint256 = lo_in
    val: uint256 = 0
    if fun == 16:  # mfhi
        val = hi_in
    elif fun == 17:  # mthi
        hi = rs
    elif fun == 18:  # mflo
        val = lo_in
    elif fun == 19:  # mtlo
        lo = rs
    elif fun == 24:  # mult: signed 64-bit product
        a: uint256 = rs
        b: uint256 = rt
        if a & SIGN32 != 0:
            a |= HIGH224
        if b & SIGN32 != 0:
            b |= HIGH224
        acc: uint256 = unsafe_mul(a, b)
        hi = (acc >> 32) & MASK32
        lo = acc & MASK32
    elif fun == 25:  # multu
        acc2: uint256 = rs * rt
        hi = (acc2 >> 32) & MASK32
        lo = acc2 & MASK32
    elif fun == 26:  # div: truncating, remainder takes the dividend's sign
        if rt == 0:
            raise "MIPS: division by zero"
        x: int256 = self._to_i(rs)
        y: int256 = self._to_i(rt)
        hi = self._from_i(x % y)
        lo = self._from_i(x // y)
    elif fun == 27:  # divu
        if rt == 0:
            raise "MIPS: division by zero"
        hi = rs % rt
        lo = rs // rt
    return hi, lo, val


# ---------------------------------------------------------------------------------------------
# syscalls (§4)
# ---------------------------------------------------------------------------------------------

@internal
@view
def _sys_read(root: bytes32, key_in: bytes32, offset: uint256, a0: uint256, a1: uint256, a2: uint256, local_context: bytes32) -> (uint256, uint256, bytes32, uint256):
    """(v0, v1, memRoot, preimageOffset) after read(2)."""
    if a0 == FD_STDIN:
        return 0, 0, root, offset
    if a0 == FD_PREIMAGE_READ:
        eff_addr: uint256 = a1 & 4294967292
        proof_offset: uint256 = self._proof_offset(1)
        mem: uint256 = self._read_mem(root, eff_addr, proof_offset)
        key: bytes32 = key_in
        if convert(key, uint256) >> 248 == 1:
            key = self._localize(key, local_context)
        dat: bytes32 = empty(bytes32)
        dat_len: uint256 = 0
        dat, dat_len = staticcall IPreimageOracle(ORACLE).readPreimage(key, offset)
        alignment: uint256 = a1 & 3
        space: uint256 = 4 - alignment
        if space < dat_len:
            dat_len = space
        if a2 < dat_len:
            dat_len = a2
        d: uint256 = convert(dat, uint256)
        if dat_len == 0:
            d = 0
        else:
            d = d >> (256 - dat_len * 8)
        d = d << ((4 - dat_len - alignment) * 8)
        mask: uint256 = (1 << ((4 - alignment) * 8)) - 1
        suffix_mask: uint256 = (1 << ((4 - alignment - dat_len) * 8)) - 1
        mask = mask & ~suffix_mask
        mem = (mem & ~mask) | d
        return dat_len, 0, self._write_mem(eff_addr, proof_offset, mem), (offset + dat_len) & MASK32
    if a0 == FD_HINT_READ:
        return a2, 0, root, offset
    return MASK32, EBADF, root, offset


@internal
@view
def _localize(key: bytes32, local_context: bytes32) -> bytes32:
    """§7.4: bind a local key to the caller (the dispute game) and its local context."""
    h: uint256 = convert(keccak256(concat(key, convert(convert(msg.sender, uint160), bytes32), local_context)), uint256)
    h = (h & (max_value(uint256) >> 8)) | (1 << 248)
    return convert(h, bytes32)


@internal
@view
def _sys_write(root: bytes32, key_in: bytes32, offset: uint256, a0: uint256, a1: uint256, a2_in: uint256) -> (uint256, uint256, bytes32, uint256):
    """(v0, v1, preimageKey, preimageOffset) after write(2)."""
    if a0 == FD_STDOUT or a0 == FD_STDERR or a0 == FD_HINT_WRITE:
        return a2_in, 0, key_in, offset
    if a0 == FD_PREIMAGE_WRITE:
        mem: uint256 = self._read_mem(root, a1 & 4294967292, self._proof_offset(1))
        a2: uint256 = a2_in
        alignment: uint256 = a1 & 3
        space: uint256 = 4 - alignment
        if space < a2:
            a2 = space
        key: uint256 = convert(key_in, uint256)
        key = key << (a2 * 8)
        m: uint256 = (mem << (alignment * 8)) & MASK32
        m = m >> ((4 - a2) * 8)
        return a2, 0, convert(key | m, bytes32), 0
    return MASK32, EBADF, key_in, offset


@internal
@pure
def _sys_mmap(a0: uint256, a1: uint256, heap: uint256) -> (uint256, uint256, uint256):
    sz: uint256 = a1
    if sz & PAGE_ADDR_MASK != 0:
        sz = (sz + PAGE_SIZE - (sz & PAGE_ADDR_MASK)) & MASK32
    if a0 == 0:
        new_heap: uint256 = (heap + sz) & MASK32
        if new_heap > HEAP_END or new_heap < heap or sz < a1:
            return MASK32, EINVAL, heap
        return heap, 0, new_heap
    return a0, 0, heap


@internal
@pure
def _sys_fcntl(a0: uint256, a1: uint256) -> (uint256, uint256):
    if a1 == 1:  # F_GETFD
        if a0 <= 6:
            return 0, 0
        return MASK32, EBADF
    if a1 == 3:  # F_GETFL
        if a0 == FD_STDIN or a0 == FD_PREIMAGE_READ or a0 == FD_HINT_READ:
            return 0, 0
        if a0 == FD_STDOUT or a0 == FD_STDERR or a0 == FD_PREIMAGE_WRITE or a0 == FD_HINT_WRITE:
            return 1, 0
        return MASK32, EBADF
    return MASK32, EINVAL


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------

@external
def step(_stateData: Bytes[MAX_STATE_DATA], _proof: Bytes[MAX_PROOF], _localContext: bytes32) -> bytes32:
    """
    @notice Execute one MIPS instruction on the pre-state `_stateData` and return the post-state
            hash (status byte in the top byte). `_proof` holds the instruction proof and, for
            memory and preimage operations, the data-word proof (896 bytes each).
    @dev    Calldata must be ABI-canonical (MIPS.sol §7.2). Where MIPS.sol reverts with empty
            data, this reverts with a named error: `InvalidStateDataOffset()`,
            `InvalidStateDataLength()` (MIPS.sol leaves the length to the game's hash check),
            `InvalidProofOffset()`, and `InvalidProofLength()` for a proof that is not a whole
            number of 896-byte memory proofs (MIPS.sol does not look at the length).
    """
    return self._step(_localContext)


@internal
def _step(_localContext: bytes32) -> bytes32:
    """The whole step, MIPSInstructions.execMipsCoreStepLogic's order of checks. `step` only
    holds the arguments Vyper copies to memory; the state is decoded once into locals here and
    packed once at the end (gas: no State struct is copied between functions)."""
    # canonical offsets: _stateData.offset == 132 and _proof.offset == 420; the lengths are the
    # words at 100 and 388, already bounded by the ABI decoder.
    if convert(slice(msg.data, 4, 32), uint256) != 96:
        raw_revert(method_id("InvalidStateDataOffset()"))
    if convert(slice(msg.data, 100, 32), uint256) != STATE_SIZE:
        raw_revert(method_id("InvalidStateDataLength()"))
    if convert(slice(msg.data, 36, 32), uint256) != 384:
        raw_revert(method_id("InvalidProofOffset()"))
    if convert(slice(msg.data, 388, 32), uint256) % MEM_PROOF_SIZE != 0:
        raw_revert(method_id("InvalidProofLength()"))

    # 226 bytes of state plus what follows it in calldata (padding), like calldataload would.
    buf: Bytes[288] = slice(msg.data, STATE_OFFSET, 288)
    mem_root: bytes32 = extract32(buf, 0)
    preimage_key: bytes32 = extract32(buf, 32)
    hdr: uint256 = convert(extract32(buf, 64), uint256)
    preimage_offset: uint256 = hdr >> 224
    pc: uint256 = (hdr >> 192) & MASK32
    next_pc: uint256 = (hdr >> 160) & MASK32
    lo: uint256 = (hdr >> 128) & MASK32
    hi: uint256 = (hdr >> 96) & MASK32
    heap: uint256 = (hdr >> 64) & MASK32
    exit_code: uint256 = (hdr >> 56) & 255
    exited: uint256 = (hdr >> 48) & 255
    step_no: uint256 = convert(extract32(buf, 90), uint256) >> 192
    # registers: four words of eight 32-bit registers, unrolled (a loop costs ~200 gas a register)
    regs: uint256[32] = empty(uint256[32])
    w: uint256 = 0
    w = convert(extract32(buf, 98), uint256)
    regs[0] = w >> 224
    regs[1] = (w >> 192) & MASK32
    regs[2] = (w >> 160) & MASK32
    regs[3] = (w >> 128) & MASK32
    regs[4] = (w >> 96) & MASK32
    regs[5] = (w >> 64) & MASK32
    regs[6] = (w >> 32) & MASK32
    regs[7] = w & MASK32
    w = convert(extract32(buf, 130), uint256)
    regs[8] = w >> 224
    regs[9] = (w >> 192) & MASK32
    regs[10] = (w >> 160) & MASK32
    regs[11] = (w >> 128) & MASK32
    regs[12] = (w >> 96) & MASK32
    regs[13] = (w >> 64) & MASK32
    regs[14] = (w >> 32) & MASK32
    regs[15] = w & MASK32
    w = convert(extract32(buf, 162), uint256)
    regs[16] = w >> 224
    regs[17] = (w >> 192) & MASK32
    regs[18] = (w >> 160) & MASK32
    regs[19] = (w >> 128) & MASK32
    regs[20] = (w >> 96) & MASK32
    regs[21] = (w >> 64) & MASK32
    regs[22] = (w >> 32) & MASK32
    regs[23] = w & MASK32
    w = convert(extract32(buf, 194), uint256)
    regs[24] = w >> 224
    regs[25] = (w >> 192) & MASK32
    regs[26] = (w >> 160) & MASK32
    regs[27] = (w >> 128) & MASK32
    regs[28] = (w >> 96) & MASK32
    regs[29] = (w >> 64) & MASK32
    regs[30] = (w >> 32) & MASK32
    regs[31] = w & MASK32

    if exited > 1:
        raw_revert(method_id("InvalidExitedValue()"))
    if exited == 0:  # an exited state is output unchanged
        step_no = (step_no + 1) & 18446744073709551615
        insn: uint256 = self._read_mem(mem_root, pc, self._proof_offset(0))
        opcode: uint256 = insn >> 26
        fun: uint256 = insn & 63
        # where the instruction leaves pc; `advance` moves to the delay slot as usual
        advance: bool = True

        if opcode == 0 and fun == 12:  # syscall
            syscall_no: uint256 = regs[2]
            a0: uint256 = regs[4]
            a1: uint256 = regs[5]
            a2: uint256 = regs[6]
            v0: uint256 = 0
            v1: uint256 = 0
            if syscall_no == SYS_MMAP:
                v0, v1, heap = self._sys_mmap(a0, a1, heap)
            elif syscall_no == SYS_BRK:
                v0 = BRK_START
            elif syscall_no == SYS_CLONE:
                v0 = 1
            elif syscall_no == SYS_EXIT_GROUP:
                exited = 1
                exit_code = a0 & 255
                advance = False
            elif syscall_no == SYS_READ:
                v0, v1, mem_root, preimage_offset = self._sys_read(mem_root, preimage_key, preimage_offset, a0, a1, a2, _localContext)
            elif syscall_no == SYS_WRITE:
                v0, v1, preimage_key, preimage_offset = self._sys_write(mem_root, preimage_key, preimage_offset, a0, a1, a2)
            elif syscall_no == SYS_FCNTL:
                v0, v1 = self._sys_fcntl(a0, a1)
            if advance:
                regs[2] = v0
                regs[7] = v1
        elif opcode == 48 or opcode == 56:  # ll / sc (single-threaded: sc always succeeds), §3.3
            rmw_reg: uint256 = (insn >> 16) & 31
            eff_addr: uint256 = (regs[(insn >> 21) & 31] + self._sext(insn & 65535, 16)) & 4294967292
            word: uint256 = self._read_mem(mem_root, eff_addr, self._proof_offset(1))
            ret: uint256 = 1
            if opcode == 48:
                ret = word
            elif opcode == 56:
                mem_root = self._write_mem(eff_addr, self._proof_offset(1), regs[rmw_reg])
            else:  # unreachable, kept as MIPS.sol has it (and so the error stays in the ABI)
                raw_revert(method_id("InvalidRMWInstruction()"))
            if rmw_reg != 0:
                regs[rmw_reg] = ret
        elif opcode == 2 or opcode == 3:  # j / jal
            if next_pc != (pc + 4) & MASK32:
                raise "jump in delay slot"
            if opcode == 3:
                regs[31] = (pc + 8) & MASK32
            pc = next_pc
            next_pc = (next_pc & 4026531840) | ((insn & 67108863) << 2)
            advance = False
        else:
            rt_reg: uint256 = (insn >> 16) & 31
            rs: uint256 = regs[(insn >> 21) & 31]
            rt: uint256 = 0
            rd_reg: uint256 = rt_reg
            if opcode == 0 or opcode == 28:
                rt = regs[rt_reg]
                rd_reg = (insn >> 11) & 31
            elif opcode < 32:
                if opcode == 12 or opcode == 13 or opcode == 14:
                    rt = insn & 65535
                else:
                    rt = self._sext(insn & 65535, 16)
            elif opcode >= 40 or opcode == 34 or opcode == 38:
                rt = regs[rt_reg]
                rd_reg = rt_reg

            if (opcode >= 4 and opcode < 8) or opcode == 1:
                if next_pc != (pc + 4) & MASK32:
                    raise "branch in delay slot"
                taken: bool = self._should_branch(opcode, insn, rs, regs[rt_reg])
                if opcode == 1 and rt_reg == 17:  # bgezal: link whether taken or not
                    regs[31] = (pc + 8) & MASK32
                if taken:
                    target: uint256 = (pc + 4 + (self._sext(insn & 65535, 16) << 2)) & MASK32
                    pc = next_pc
                    next_pc = target
                    advance = False
            else:
                store_addr: uint256 = NO_STORE
                mem: uint256 = 0
                if opcode >= 32:
                    rs = (rs + self._sext(insn & 65535, 16)) & MASK32
                    addr: uint256 = rs & 4294967292
                    mem = self._read_mem(mem_root, addr, self._proof_offset(1))
                    if opcode >= 40:
                        store_addr = addr
                        rd_reg = 0

                val: uint256 = self._execute(insn, opcode, fun, rs, rt, mem) & MASK32
                write_rd: bool = True
                if opcode == 0 and (fun == 8 or fun == 9):  # jr / jalr
                    if next_pc != (pc + 4) & MASK32:
                        raise "jump in delay slot"
                    if fun == 9 and rd_reg != 0:
                        regs[rd_reg] = (pc + 8) & MASK32
                    pc = next_pc
                    next_pc = rs
                    advance = False
                    write_rd = False
                elif opcode == 0 and fun == 10:  # movz
                    val = rs
                    write_rd = rt == 0
                elif opcode == 0 and fun == 11:  # movn
                    val = rs
                    write_rd = rt != 0
                elif opcode == 0 and fun >= 16 and fun < 28:
                    hi, lo, val = self._hilo(fun, rs, rt, hi, lo)
                elif store_addr != NO_STORE:
                    mem_root = self._write_mem(store_addr, self._proof_offset(1), val)
                if write_rd and rd_reg != 0:
                    regs[rd_reg] = val
        if advance:
            pc = next_pc
            next_pc = (next_pc + 4) & MASK32

    # pack the 226-byte witness (§1.3): 32-bit fields are already masked
    packed: Bytes[226] = concat(
        mem_root,
        preimage_key,
        convert((preimage_offset << 224) | (pc << 192) | (next_pc << 160) | (lo << 128) | (hi << 96) | (heap << 64) | (exit_code << 56) | (exited << 48) | (step_no >> 16), bytes32),
        convert(convert(step_no & 65535, uint16), bytes2),
        convert((regs[0] << 224) | (regs[1] << 192) | (regs[2] << 160) | (regs[3] << 128) | (regs[4] << 96) | (regs[5] << 64) | (regs[6] << 32) | regs[7], bytes32),
        convert((regs[8] << 224) | (regs[9] << 192) | (regs[10] << 160) | (regs[11] << 128) | (regs[12] << 96) | (regs[13] << 64) | (regs[14] << 32) | regs[15], bytes32),
        convert((regs[16] << 224) | (regs[17] << 192) | (regs[18] << 160) | (regs[19] << 128) | (regs[20] << 96) | (regs[21] << 64) | (regs[22] << 32) | regs[23], bytes32),
        convert((regs[24] << 224) | (regs[25] << 192) | (regs[26] << 160) | (regs[27] << 128) | (regs[28] << 96) | (regs[29] << 64) | (regs[30] << 32) | regs[31], bytes32),
    )
    raw_log([], packed)
    status: uint256 = 3
    if exited == 1:
        if exit_code == 0:
            status = 0
        elif exit_code == 1:
            status = 1
        else:
            status = 2
    h: uint256 = convert(keccak256(packed), uint256)
    h = (h & (max_value(uint256) >> 8)) | (status << 248)
    return convert(h, bytes32)
