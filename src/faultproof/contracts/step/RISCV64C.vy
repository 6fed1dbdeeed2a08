#pragma version 0.4.3
#pragma optimize gas
"""
@title RISCV64C
@notice RISCV64.vy plus the C extension (riscv64c): same state, witness, ABI and revert codes;
        16-bit parcels are expanded to the 32-bit instruction they stand for and advance pc by 2.
        Not an upstream Asterisc feature (Asterisc has no RVC); our own extension.
@dev    Fetch-proof order (our convention, matched by `faultproof.vm.riscv` with compressed=True):
        proof 0 is the leaf holding pc; when a 32-bit instruction starts at the last halfword of a
        leaf (pc % 32 == 30) proof 1 is the next leaf, and every data proof index moves up by one
        (data proofs start at `pbase` = 1 or 2). pc must be 2-aligned (else 0xbad10ad0); branch
        and jump targets must be 2-aligned. Reserved/illegal 16-bit encodings (incl. 0x0000)
        revert 0xbadc0de. This file is RISCV64.vy with those changes; keep the two in step.
@dev    Strict calldata layout (§8.2): any mismatch reverts with a named custom error (RISCV.sol:
        empty data; see `step`). Every other failure
        reverts with Asterisc's 32-byte revert code (§4.6) as the revert data. Memory proofs are
        read from `msg.data` at 548 + 1920*k. Values are uint256 holding 64-bit quantities,
        masked explicitly (RISC-V wraps; Vyper's uint64 would revert).
"""

# --- layout (§2.1, §3.2, §8.2) ---
STATE_OFFSET: constant(uint256) = 132
STATE_SIZE: constant(uint256) = 362
STATE_WINDOW: constant(uint256) = 416
PROOF_OFFSET: constant(uint256) = 548
MEM_PROOF_SIZE: constant(uint256) = 1920
MEM_PROOF_LEVELS: constant(uint256) = 59
MEM_PROOF_WORDS: constant(uint256) = 60
NO_PROOF: constant(uint256) = 255

MASK64: constant(uint256) = 18446744073709551615
SIGN64: constant(uint256) = 9223372036854775808
MASK32: constant(uint256) = 4294967295
HIGH192: constant(uint256) = max_value(uint256) ^ 18446744073709551615

# --- revert codes (§4.6) ---
ERR_GETRLIMIT: constant(uint256) = 983058          # 0xf0012
ERR_AMO_OP: constant(uint256) = 251665008          # 0xf001a70
ERR_OPCODE: constant(uint256) = 4026646750         # 0xf001c0de
ERR_SYSCALL: constant(uint256) = 4026649105        # 0xf001ca11
ERR_MISALIGNED: constant(uint256) = 3134261968     # 0xbad10ad0
ERR_LOAD_SIZE: constant(uint256) = 3134526176      # 0xbad512e0
ERR_STORE_SIZE: constant(uint256) = 3134526184     # 0xbad512e8
ERR_STORE_UNALIGNED_SIZE: constant(uint256) = 3134526177  # 0xbad512e1
ERR_NO_RIGHT_LOAD: constant(uint256) = 3134333472  # 0xbad22220
ERR_NO_RIGHT_STORE: constant(uint256) = 3134333473  # 0xbad22221
ERR_ILLEGAL: constant(uint256) = 195936478         # 0xbadc0de
ERR_AMO_SIZE: constant(uint256) = 12245616         # 0xbada70
ERR_ORACLE: constant(uint256) = 3135176912         # 0xbadf00d0
ERR_MEM_PROOF: constant(uint256) = 3135176913      # 0xbadf00d1

EBADF: constant(uint256) = 77
EINVAL: constant(uint256) = 22
EACCES: constant(uint256) = 13

MAX_STATE_DATA: constant(uint256) = 4096
MAX_PROOF: constant(uint256) = 16384


struct State:
    memRoot: bytes32
    preimageKey: bytes32
    preimageOffset: uint256
    pc: uint256
    exitCode: uint256
    exited: uint256
    step: uint256
    heap: uint256
    loadReservation: uint256
    registers: uint256[32]
    ilen: uint256  # not part of the witness: length of the executing instruction (2 or 4)
    pbase: uint256  # not part of the witness: index of the first data proof (1 or 2)


oracle: public(address)


@deploy
def __init__(_oracle: address):
    # storage slot 0, as in RISCV.sol
    self.oracle = _oracle


@external
@view
def version() -> String[16]:
    """Semantic version of the RISCV.sol behaviour this contract reproduces."""
    return "1.2.0-rc.1+rvc"


@internal
@pure
def _fail(code: uint256):
    raw_revert(abi_encode(code))


# ---------------------------------------------------------------------------------------------
# state
# ---------------------------------------------------------------------------------------------

@internal
@view
def _decode_state() -> State:
    # the state plus what follows it in calldata (padding, proof length), so that every field
    # can be read with extract32
    buf: Bytes[STATE_WINDOW] = slice(msg.data, STATE_OFFSET, STATE_WINDOW)
    s: State = empty(State)
    s.memRoot = extract32(buf, 0)
    s.preimageKey = extract32(buf, 32)
    s.preimageOffset = (convert(extract32(buf, 64), uint256) >> 192)
    s.pc = (convert(extract32(buf, 72), uint256) >> 192)
    s.exitCode = (convert(extract32(buf, 80), uint256) >> 248)
    s.exited = (convert(extract32(buf, 81), uint256) >> 248)
    s.step = (convert(extract32(buf, 82), uint256) >> 192)
    s.heap = (convert(extract32(buf, 90), uint256) >> 192)
    s.loadReservation = (convert(extract32(buf, 98), uint256) >> 192)
    # registers: eight words of four 64-bit registers, unrolled (a loop costs ~200 gas a
    # register in index checks and counters)
    w: uint256 = 0
    w = convert(extract32(buf, 106), uint256)
    s.registers[0] = w >> 192
    s.registers[1] = (w >> 128) & MASK64
    s.registers[2] = (w >> 64) & MASK64
    s.registers[3] = w & MASK64
    w = convert(extract32(buf, 138), uint256)
    s.registers[4] = w >> 192
    s.registers[5] = (w >> 128) & MASK64
    s.registers[6] = (w >> 64) & MASK64
    s.registers[7] = w & MASK64
    w = convert(extract32(buf, 170), uint256)
    s.registers[8] = w >> 192
    s.registers[9] = (w >> 128) & MASK64
    s.registers[10] = (w >> 64) & MASK64
    s.registers[11] = w & MASK64
    w = convert(extract32(buf, 202), uint256)
    s.registers[12] = w >> 192
    s.registers[13] = (w >> 128) & MASK64
    s.registers[14] = (w >> 64) & MASK64
    s.registers[15] = w & MASK64
    w = convert(extract32(buf, 234), uint256)
    s.registers[16] = w >> 192
    s.registers[17] = (w >> 128) & MASK64
    s.registers[18] = (w >> 64) & MASK64
    s.registers[19] = w & MASK64
    w = convert(extract32(buf, 266), uint256)
    s.registers[20] = w >> 192
    s.registers[21] = (w >> 128) & MASK64
    s.registers[22] = (w >> 64) & MASK64
    s.registers[23] = w & MASK64
    w = convert(extract32(buf, 298), uint256)
    s.registers[24] = w >> 192
    s.registers[25] = (w >> 128) & MASK64
    s.registers[26] = (w >> 64) & MASK64
    s.registers[27] = w & MASK64
    w = convert(extract32(buf, 330), uint256)
    s.registers[28] = w >> 192
    s.registers[29] = (w >> 128) & MASK64
    s.registers[30] = (w >> 64) & MASK64
    s.registers[31] = w & MASK64
    return s


@internal
def _output_state(s: State) -> bytes32:
    """Pack the 362-byte witness, log it (LOG0) and return the status-tagged hash (§2.2)."""
    r: uint256[32] = s.registers
    regs: Bytes[256] = concat(
        convert(convert(r[0], uint64), bytes8), convert(convert(r[1], uint64), bytes8), convert(convert(r[2], uint64), bytes8), convert(convert(r[3], uint64), bytes8),
        convert(convert(r[4], uint64), bytes8), convert(convert(r[5], uint64), bytes8), convert(convert(r[6], uint64), bytes8), convert(convert(r[7], uint64), bytes8),
        convert(convert(r[8], uint64), bytes8), convert(convert(r[9], uint64), bytes8), convert(convert(r[10], uint64), bytes8), convert(convert(r[11], uint64), bytes8),
        convert(convert(r[12], uint64), bytes8), convert(convert(r[13], uint64), bytes8), convert(convert(r[14], uint64), bytes8), convert(convert(r[15], uint64), bytes8),
        convert(convert(r[16], uint64), bytes8), convert(convert(r[17], uint64), bytes8), convert(convert(r[18], uint64), bytes8), convert(convert(r[19], uint64), bytes8),
        convert(convert(r[20], uint64), bytes8), convert(convert(r[21], uint64), bytes8), convert(convert(r[22], uint64), bytes8), convert(convert(r[23], uint64), bytes8),
        convert(convert(r[24], uint64), bytes8), convert(convert(r[25], uint64), bytes8), convert(convert(r[26], uint64), bytes8), convert(convert(r[27], uint64), bytes8),
        convert(convert(r[28], uint64), bytes8), convert(convert(r[29], uint64), bytes8), convert(convert(r[30], uint64), bytes8), convert(convert(r[31], uint64), bytes8),
    )
    packed: Bytes[STATE_SIZE] = concat(
        s.memRoot,
        s.preimageKey,
        convert(convert(s.preimageOffset, uint64), bytes8),
        convert(convert(s.pc, uint64), bytes8),
        convert(convert(s.exitCode, uint8), bytes1),
        convert(convert(s.exited, uint8), bytes1),
        convert(convert(s.step, uint64), bytes8),
        convert(convert(s.heap, uint64), bytes8),
        convert(convert(s.loadReservation, uint64), bytes8),
        regs,
    )
    raw_log([], packed)
    status: uint256 = 3
    if s.exited == 1:
        if s.exitCode == 0:
            status = 0
        elif s.exitCode == 1:
            status = 1
        else:
            status = 2
    h: uint256 = convert(keccak256(packed), uint256)
    h = (h & (max_value(uint256) >> 8)) | (status << 248)
    return convert(h, bytes32)


# ---------------------------------------------------------------------------------------------
# memory (§3)
# ---------------------------------------------------------------------------------------------

@internal
@view
def _load_proof(addr: uint256, proof_index: uint256) -> (bytes32[4], bytes32[4][14]):
    """Memory proof `proof_index` (leaf, then 59 siblings) for the leaf at `addr`, as words.

    Decoded into a word array once: indexing it is cheaper in the 59-level loop than
    `extract32` on the raw bytes (~6k gas less per proof)."""
    if addr & 31 != 0:
        self._fail(ERR_MISALIGNED)
    off: uint256 = PROOF_OFFSET + proof_index * MEM_PROOF_SIZE
    if len(msg.data) < off + MEM_PROOF_SIZE:
        # upstream reads zeros past calldata, which cannot fold to any real root
        self._fail(ERR_MEM_PROOF)
    return abi_decode(slice(msg.data, off, MEM_PROOF_SIZE), (bytes32[4], bytes32[4][14]))


@internal
@pure
def _fold(leaf: bytes32, head: bytes32[4], rows: bytes32[4][14], addr: uint256) -> bytes32:
    """The root over `leaf` at `addr`: siblings 1-3 in `head` (head[0] is the proven leaf), 4-59
    in `rows`, four levels unrolled per row (a loop with an index costs ~275 gas a level here;
    fully unrolled does not fit under EIP-170)."""
    node: bytes32 = leaf
    left: bytes32 = empty(bytes32)
    right: bytes32 = empty(bytes32)
    left = node
    right = head[1]
    if addr & 32 != 0:
        left = right
        right = node
    node = keccak256(concat(left, right))
    left = node
    right = head[2]
    if addr & 64 != 0:
        left = right
        right = node
    node = keccak256(concat(left, right))
    left = node
    right = head[3]
    if addr & 128 != 0:
        left = right
        right = node
    node = keccak256(concat(left, right))
    path: uint256 = addr >> 8
    for row: bytes32[4] in rows:
        left = node
        right = row[0]
        if path & 1 != 0:
            left = right
            right = node
        node = keccak256(concat(left, right))
        left = node
        right = row[1]
        if path & 2 != 0:
            left = right
            right = node
        node = keccak256(concat(left, right))
        left = node
        right = row[2]
        if path & 4 != 0:
            left = right
            right = node
        node = keccak256(concat(left, right))
        left = node
        right = row[3]
        if path & 8 != 0:
            left = right
            right = node
        node = keccak256(concat(left, right))
        path = path >> 4
    return node


@internal
@view
def _get_leaf(root: bytes32, addr: uint256, proof_index: uint256) -> uint256:
    """The 32-byte leaf at 32-aligned `addr` as a big-endian word, verified against `root`."""
    head: bytes32[4] = empty(bytes32[4])
    rows: bytes32[4][14] = empty(bytes32[4][14])
    head, rows = self._load_proof(addr, proof_index)
    if self._fold(head[0], head, rows, addr) != root:
        self._fail(ERR_MEM_PROOF)
    return convert(head[0], uint256)


@internal
@view
def _patch_leaf(root: bytes32, addr: uint256, proof_index: uint256, mask: uint256, val: uint256) -> bytes32:
    """Verify the leaf at `addr` against `root` and return the root after replacing its `mask`
    bits with `val` (already masked). One proof decode serves both folds (old leaf, then new
    leaf): the same checks as verify-then-write (§3.2)."""
    head: bytes32[4] = empty(bytes32[4])
    rows: bytes32[4][14] = empty(bytes32[4][14])
    head, rows = self._load_proof(addr, proof_index)
    old: bytes32 = head[0]
    new: bytes32 = convert((convert(old, uint256) & ~mask) | val, bytes32)
    old = self._fold(old, head, rows, addr)
    new = self._fold(new, head, rows, addr)
    if old != root:
        self._fail(ERR_MEM_PROOF)
    return new


@internal
@pure
def _bswap(be: uint256, size: uint256) -> uint256:
    # reverse the low `size` bytes: memory order (big-endian word) -> little-endian value
    if size <= 8:
        # the usual three swap steps on a 64-bit word (no loop), then drop the unused bytes
        x: uint256 = be & self._bmask(size)
        x = ((x & 71777214294589695) << 8) | ((x >> 8) & 71777214294589695)
        x = ((x & 281470681808895) << 16) | ((x >> 16) & 281470681808895)
        x = ((x & 4294967295) << 32) | (x >> 32)
        return x >> (64 - 8 * size)
    out: uint256 = 0
    v: uint256 = be
    for _i: uint256 in range(32):
        if _i == size:
            break
        out = (out << 8) | (v & 255)
        v = v >> 8
    return out


@internal
@pure
def _bmask(nbytes: uint256) -> uint256:
    if nbytes >= 32:
        return max_value(uint256)
    return (1 << (8 * nbytes)) - 1


@internal
@pure
def _sext(v: uint256, bit: uint256) -> uint256:
    """Sign-extend `v` from bit `bit` to 64 bits."""
    low: uint256 = (2 << bit) - 1
    if (v >> bit) & 1 == 1:
        return (v | (MASK64 ^ low)) & MASK64
    return v & low


@internal
@view
def _load_mem(root: bytes32, addr: uint256, size: uint256, signed: bool, proof_l: uint256, proof_r: uint256) -> uint256:
    """`size` bytes little-endian at any `addr`, split over at most two leaves (§3.4)."""
    if size > 8:
        self._fail(ERR_LOAD_SIZE)
    alignment: uint256 = addr & 31
    left_addr: uint256 = addr - alignment
    right_addr: uint256 = ((addr + size - 1) & MASK64) & ~31
    left: uint256 = self._get_leaf(root, left_addr, proof_l)
    be: uint256 = 0
    if left_addr == right_addr:
        be = (left >> (8 * (32 - alignment - size))) & self._bmask(size)
    else:
        if proof_r == NO_PROOF:
            self._fail(ERR_NO_RIGHT_LOAD)
        right: uint256 = self._get_leaf(root, right_addr, proof_r)
        in_left: uint256 = 32 - alignment
        in_right: uint256 = size - in_left
        be = ((left & self._bmask(in_left)) << (8 * in_right)) | (right >> (8 * (32 - in_right)))
    out: uint256 = self._bswap(be, size)
    if signed:
        out = self._sext(out, 8 * size - 1)
    return out


@internal
@view
def _store_mem(root: bytes32, addr: uint256, size: uint256, new_val: uint256, proof_l: uint256, proof_r: uint256) -> bytes32:
    """Write the low `size` bytes of `new_val` little-endian at `addr`; returns the new root.

    The left leaf is written first; a straddling right leaf is then verified against the
    root after that write (§3.3).
    """
    if size > 32:
        self._fail(ERR_STORE_UNALIGNED_SIZE)
    alignment: uint256 = addr & 31
    left_addr: uint256 = addr - alignment
    right_addr: uint256 = ((addr + size - 1) & MASK64) & ~31
    be: uint256 = self._bswap(new_val, size)  # the bytes in address order, right-aligned
    in_left: uint256 = size
    if left_addr != right_addr:
        in_left = 32 - alignment
    in_right: uint256 = size - in_left
    # left leaf: bytes [alignment, alignment + in_left)
    lshift: uint256 = 8 * (32 - alignment - in_left)
    lmask: uint256 = self._bmask(in_left) << lshift
    lval: uint256 = ((be >> (8 * in_right)) << lshift) & lmask
    new_root: bytes32 = self._patch_leaf(root, left_addr, proof_l, lmask, lval)
    if left_addr != right_addr:
        if proof_r == NO_PROOF:
            self._fail(ERR_NO_RIGHT_STORE)
        rshift: uint256 = 8 * (32 - in_right)
        rmask: uint256 = self._bmask(in_right) << rshift
        rval: uint256 = (be << rshift) & rmask
        new_root = self._patch_leaf(new_root, right_addr, proof_r, rmask, rval)
    return new_root


# ---------------------------------------------------------------------------------------------
# ALU helpers
# ---------------------------------------------------------------------------------------------

@internal
@pure
def _slt(a: uint256, b: uint256) -> bool:
    return (a ^ SIGN64) < (b ^ SIGN64)


@internal
@pure
def _to256(x: uint256) -> uint256:
    # two's complement 64 -> 256 bits
    if x & SIGN64 != 0:
        return x | HIGH192
    return x


@internal
@pure
def _to_i(x: uint256) -> int256:
    v: int256 = convert(x, int256)
    if x & SIGN64 != 0:
        v -= 18446744073709551616
    return v


@internal
@pure
def _from_i(x: int256) -> uint256:
    return convert(x + 36893488147419103232, uint256) & MASK64


@internal
@pure
def _sext32(x: uint256) -> uint256:
    return self._sext(x & MASK32, 31)


@internal
@pure
def _div(a: uint256, b: uint256, signed: bool, rem: bool) -> uint256:
    """RISC-V DIV/DIVU/REM/REMU on 64-bit values (§4.3)."""
    if b == 0:
        if rem:
            return a
        return MASK64
    if signed:
        if a == SIGN64 and b == MASK64:
            if rem:
                return 0
            return SIGN64
        x: int256 = self._to_i(a)
        y: int256 = self._to_i(b)
        if rem:
            return self._from_i(x % y)
        return self._from_i(x // y)
    if rem:
        return a % b
    return a // b


@internal
@pure
def _mul_op(funct3: uint256, a: uint256, b: uint256) -> uint256:
    if funct3 == 0:  # MUL
        return (a * b) & MASK64
    if funct3 == 1:  # MULH
        return (unsafe_mul(self._to256(a), self._to256(b)) >> 64) & MASK64
    if funct3 == 2:  # MULHSU
        return (unsafe_mul(self._to256(a), b) >> 64) & MASK64
    if funct3 == 3:  # MULHU
        return ((a * b) >> 64) & MASK64
    if funct3 == 4:
        return self._div(a, b, True, False)
    if funct3 == 5:
        return self._div(a, b, False, False)
    if funct3 == 6:
        return self._div(a, b, True, True)
    return self._div(a, b, False, True)


@internal
@pure
def _op(funct3: uint256, funct7: uint256, a: uint256, b: uint256) -> uint256:
    """OP (0x33) on 64-bit operands."""
    if funct7 == 1:
        return self._mul_op(funct3, a, b)
    if funct3 == 0:
        if funct7 == 0:
            return (a + b) & MASK64
        if funct7 == 32:
            return (a + SIGN64 * 2 - b) & MASK64
        self._fail(ERR_ILLEGAL)
    if funct3 == 1:
        return (a << (b & 63)) & MASK64
    if funct3 == 2:
        if self._slt(a, b):
            return 1
        return 0
    if funct3 == 3:
        if a < b:
            return 1
        return 0
    if funct3 == 4:
        return a ^ b
    if funct3 == 5:
        if funct7 == 0:
            return a >> (b & 63)
        if funct7 == 32:
            return (self._to256(a) >> (b & 63)) & MASK64
        self._fail(ERR_ILLEGAL)
    if funct3 == 6:
        return a | b
    return a & b


@internal
@pure
def _op_imm(funct3: uint256, imm12: uint256, a: uint256) -> uint256:
    """OP-IMM (0x13)."""
    imm: uint256 = self._sext(imm12, 11)
    if funct3 == 0:
        return (a + imm) & MASK64
    if funct3 == 1:
        return (a << (imm12 & 63)) & MASK64
    if funct3 == 2:
        if self._slt(a, imm):
            return 1
        return 0
    if funct3 == 3:
        if a < imm:
            return 1
        return 0
    if funct3 == 4:
        return a ^ imm
    if funct3 == 5:
        sel: uint256 = imm12 >> 6
        if sel == 0:
            return a >> (imm12 & 63)
        if sel == 16:
            return (self._to256(a) >> (imm12 & 63)) & MASK64
        self._fail(ERR_ILLEGAL)
    if funct3 == 6:
        return a | imm
    return a & imm


@internal
@pure
def _op_imm32(funct3: uint256, imm12: uint256, a: uint256) -> uint256:
    """OP-IMM-32 (0x1B); results sign-extended from bit 31."""
    if funct3 == 0:
        return self._sext32(a + self._sext(imm12, 11))
    if funct3 == 1:
        if (imm12 >> 5) & 1 == 1:
            self._fail(ERR_ILLEGAL)
        return self._sext32(a << (imm12 & 31))
    if funct3 == 5:
        sel: uint256 = imm12 >> 5
        sh: uint256 = imm12 & 31
        if sel == 0:
            return self._sext32((a & MASK32) >> sh)
        if sel == 32:
            return (self._to256(self._sext32(a)) >> sh) & MASK64
        self._fail(ERR_ILLEGAL)
    self._fail(ERR_ILLEGAL)
    return 0


@internal
@pure
def _op32(funct3: uint256, funct7: uint256, a: uint256, b_in: uint256) -> uint256:
    """OP-32 (0x3B): rs2 masked to 32 bits first, results sign-extended from bit 31."""
    b: uint256 = b_in & MASK32
    if funct7 == 1:
        if funct3 == 0:  # MULW
            return self._sext32(a * b)
        if funct3 == 4 or funct3 == 6:  # DIVW / REMW
            if b == 0:
                if funct3 == 4:
                    return MASK64
                return self._sext32(a)
            x: uint256 = self._sext32(a)
            y: uint256 = self._sext32(b)
            return self._sext32(self._div(x, y, True, funct3 == 6))
        if funct3 == 5 or funct3 == 7:  # DIVUW / REMUW
            if b == 0:
                if funct3 == 5:
                    return MASK64
                return self._sext32(a)
            if funct3 == 5:
                return self._sext32((a & MASK32) // b)
            return self._sext32((a & MASK32) % b)
        self._fail(ERR_ILLEGAL)
    if funct3 == 0:
        if funct7 == 0:
            return self._sext32(a + b)
        if funct7 == 32:
            return self._sext32(a + 4294967296 - b)
        self._fail(ERR_ILLEGAL)
    if funct3 == 1:
        return self._sext32(a << (b & 31))
    if funct3 == 5:
        if funct7 == 0:
            return self._sext32((a & MASK32) >> (b & 31))
        if funct7 == 32:
            return (self._to256(self._sext32(a)) >> (b & 31)) & MASK64
        self._fail(ERR_ILLEGAL)
    self._fail(ERR_ILLEGAL)
    return 0


# ---------------------------------------------------------------------------------------------
# syscalls (§5)
# ---------------------------------------------------------------------------------------------

@internal
@view
def _localize(key: bytes32, local_context: bytes32) -> bytes32:
    h: uint256 = convert(keccak256(concat(key, convert(convert(msg.sender, uint160), bytes32), local_context)), uint256)
    return convert((h & (max_value(uint256) >> 8)) | (1 << 248), bytes32)


@internal
def _read_preimage_value(s: State, addr: uint256, count_in: uint256, local_context: bytes32) -> (uint256, State):
    r: State = s
    key: bytes32 = s.preimageKey
    if convert(key, uint256) >> 248 == 1:
        key = self._localize(key, local_context)
    ok: bool = False
    ret: Bytes[64] = b""
    ok, ret = raw_call(
        self.oracle,
        concat(method_id("readPreimage(bytes32,uint256)"), key, convert(s.preimageOffset, bytes32)),
        max_outsize=64,
        revert_on_failure=False,
    )
    if not ok:
        self._fail(ERR_ORACLE)
    padded: Bytes[128] = concat(ret, empty(bytes32), empty(bytes32))
    dat: uint256 = convert(extract32(padded, 0), uint256)
    dat_len: uint256 = convert(extract32(padded, 32), uint256)
    if dat_len == 0:
        return 0, r
    alignment: uint256 = addr & 31
    count: uint256 = count_in
    if count > 32 - alignment:
        count = 32 - alignment
    if count > dat_len:
        count = dat_len
    mask: uint256 = (self._bmask(count) << (256 - 8 * count)) >> (8 * alignment)
    if count == 0:
        mask = 0
    pdat: uint256 = dat >> (8 * alignment)
    r.preimageOffset = (s.preimageOffset + count) & MASK64
    leaf_addr: uint256 = addr - alignment
    r.memRoot = self._patch_leaf(s.memRoot, leaf_addr, s.pbase, mask, pdat & mask)
    return count, r


@internal
@view
def _write_preimage_key(s: State, addr: uint256, count_in: uint256) -> (uint256, State):
    r: State = s
    alignment: uint256 = addr & 31
    count: uint256 = count_in
    if count > 32 - alignment:
        count = 32 - alignment
    dat: uint256 = self._get_leaf(s.memRoot, addr - alignment, s.pbase)
    dat = dat << (8 * alignment)
    dat = dat >> (8 * (32 - count))
    key: uint256 = convert(s.preimageKey, uint256) << (8 * count)
    r.preimageKey = convert(key | dat, bytes32)
    r.preimageOffset = 0
    return count, r


@internal
def _ecall(s_in: State, local_context: bytes32) -> State:
    s: State = s_in
    num: uint256 = s.registers[17]
    a0: uint256 = s.registers[10]
    a1: uint256 = s.registers[11]
    a2: uint256 = s.registers[12]
    if num == 93 or num == 94:  # exit, exit_group
        s.exitCode = a0 & 255
        s.exited = 1
        return s
    v0: uint256 = 0
    v1: uint256 = 0
    if num == 214:  # brk
        v0 = 1073741824
    elif num == 222:  # mmap
        flags: uint256 = s.registers[13]
        fd: uint256 = s.registers[14]
        if flags & 32 == 0 or fd != MASK64:
            v0 = MASK64
            v1 = EBADF
        elif a0 == 0:
            length: uint256 = a1
            if length & 4095 != 0:
                length = (length + 4096 - (length & 4095)) & MASK64
            v0 = s.heap
            s.heap = (s.heap + length) & MASK64
        else:
            v0 = a0
    elif num == 63:  # read
        if a0 == 0:
            v0 = 0
        elif a0 == 3:
            v0 = a2
        elif a0 == 5:
            v0, s = self._read_preimage_value(s, a1, a2, local_context)
        else:
            v0 = MASK64
            v1 = EBADF
    elif num == 64:  # write
        if a0 == 1 or a0 == 2 or a0 == 4:
            v0 = a2
        elif a0 == 6:
            v0, s = self._write_preimage_key(s, a1, a2)
        else:
            v0 = MASK64
            v1 = EBADF
    elif num == 25:  # fcntl
        if a1 == 1:
            if a0 > 6:
                v0 = MASK64
                v1 = EBADF
        elif a1 == 3:
            if a0 == 1 or a0 == 2 or a0 == 4 or a0 == 6:
                v0 = 1
            elif a0 > 6:
                v0 = MASK64
                v1 = EBADF
        else:
            v0 = MASK64
            v1 = EINVAL
    elif num == 56:  # openat
        v0 = MASK64
        v1 = EACCES
    elif num == 113:  # clock_gettime: {sec = 1337, nsec = 42}
        s.memRoot = self._store_mem(s.memRoot, a1, 16, 1337 | (42 << 64), s.pbase, s.pbase + 1)
    elif num == 220:  # clone
        v0 = 1
    elif num == 163:  # getrlimit
        if a0 != 7:
            self._fail(ERR_GETRLIMIT)
        s.memRoot = self._store_mem(s.memRoot, a1, 16, 1024 | (1024 << 64), s.pbase, s.pbase + 1)
    elif num == 261 or num == 422 or num == 101:
        self._fail(ERR_SYSCALL)
    s.registers[10] = v0
    s.registers[11] = v1
    return s


# ---------------------------------------------------------------------------------------------
# atomics (§4.4)
# ---------------------------------------------------------------------------------------------

@internal
@view
def _amo(s_in: State, funct3: uint256, funct7: uint256, rd: uint256, rs1: uint256, rs2: uint256) -> State:
    s: State = s_in
    size: uint256 = 1 << funct3
    if size < 4 or size > 8:
        self._fail(ERR_AMO_SIZE)
    addr: uint256 = s.registers[rs1]
    if addr % size != 0:
        self._fail(ERR_MISALIGNED)
    op: uint256 = funct7 >> 2
    rd_value: uint256 = 0
    if op == 2:  # LR
        rd_value = self._load_mem(s.memRoot, addr, size, True, s.pbase, s.pbase + 1)
        s.loadReservation = addr
    elif op == 3:  # SC
        rd_value = 1
        if addr == s.loadReservation:
            s.memRoot = self._store_mem(s.memRoot, addr, size, s.registers[rs2], s.pbase, s.pbase + 1)
            rd_value = 0
        s.loadReservation = 0
    else:
        operand: uint256 = s.registers[rs2]
        if size == 4:
            operand = self._sext32(operand)
        v: uint256 = self._load_mem(s.memRoot, addr, size, True, s.pbase, s.pbase + 1)
        rd_value = v
        if op == 0:
            v = (v + operand) & MASK64
        elif op == 1:
            v = operand
        elif op == 4:
            v = v ^ operand
        elif op == 8:
            v = v | operand
        elif op == 12:
            v = v & operand
        elif op == 16:
            if self._slt(operand, v):
                v = operand
        elif op == 20:
            if self._slt(v, operand):
                v = operand
        elif op == 24:
            if operand < v:
                v = operand
        elif op == 28:
            if v < operand:
                v = operand
        else:
            self._fail(ERR_AMO_OP)
        s.memRoot = self._store_mem(s.memRoot, addr, size, v, s.pbase, s.pbase + 2)
    if rd != 0:
        s.registers[rd] = rd_value
    return s


# ---------------------------------------------------------------------------------------------
# one instruction
# ---------------------------------------------------------------------------------------------

@internal
def _execute(s_in: State, instr: uint256, local_context: bytes32) -> State:
    s: State = s_in
    pc: uint256 = s.pc
    opcode: uint256 = instr & 127
    rd: uint256 = (instr >> 7) & 31
    funct3: uint256 = (instr >> 12) & 7
    rs1: uint256 = (instr >> 15) & 31
    rs2: uint256 = (instr >> 20) & 31
    funct7: uint256 = instr >> 25
    imm12: uint256 = instr >> 20
    a: uint256 = s.registers[rs1]
    b: uint256 = s.registers[rs2]
    next_pc: uint256 = (pc + s.ilen) & MASK64
    has_rd: bool = False
    rd_value: uint256 = 0

    if opcode == 3:  # loads
        if funct3 == 7:
            self._fail(ERR_ILLEGAL)
        addr: uint256 = (a + self._sext(imm12, 11)) & MASK64
        rd_value = self._load_mem(s.memRoot, addr, 1 << (funct3 & 3), funct3 & 4 == 0, s.pbase, s.pbase + 1)
        has_rd = True
    elif opcode == 35:  # stores
        size: uint256 = 1 << funct3
        if size > 8:
            self._fail(ERR_STORE_SIZE)
        imm_s: uint256 = self._sext(((instr >> 25) << 5) | ((instr >> 7) & 31), 11)
        s.memRoot = self._store_mem(s.memRoot, (a + imm_s) & MASK64, size, b, s.pbase, s.pbase + 1)
    elif opcode == 99:  # branches
        hit: bool = False
        if funct3 == 0:
            hit = a == b
        elif funct3 == 1:
            hit = a != b
        elif funct3 == 4:
            hit = self._slt(a, b)
        elif funct3 == 5:
            hit = not self._slt(a, b)
        elif funct3 == 6:
            hit = a < b
        elif funct3 == 7:
            hit = a >= b
        if hit:
            imm_b: uint256 = ((instr >> 8) & 15) << 1 | ((instr >> 25) & 63) << 5 | ((instr >> 7) & 1) << 11 | (instr >> 31) << 12
            next_pc = (pc + self._sext(imm_b, 12)) & MASK64
            if next_pc & 1 != 0:
                self._fail(ERR_MISALIGNED)
    elif opcode == 19:  # OP-IMM
        rd_value = self._op_imm(funct3, imm12, a)
        has_rd = True
    elif opcode == 27:  # OP-IMM-32
        rd_value = self._op_imm32(funct3, imm12, a)
        has_rd = True
    elif opcode == 51:  # OP
        rd_value = self._op(funct3, funct7, a, b)
        has_rd = True
    elif opcode == 59:  # OP-32
        rd_value = self._op32(funct3, funct7, a, b)
        has_rd = True
    elif opcode == 55:  # LUI
        rd_value = self._sext((instr >> 12) << 12, 31)
        has_rd = True
    elif opcode == 23:  # AUIPC
        rd_value = (pc + self._sext((instr >> 12) << 12, 31)) & MASK64
        has_rd = True
    elif opcode == 111:  # JAL
        imm_j: uint256 = ((instr >> 21) & 1023) | ((instr >> 20) & 1) << 10 | ((instr >> 12) & 255) << 11 | (instr >> 31) << 19
        rd_value = next_pc
        has_rd = True
        next_pc = (pc + self._sext(imm_j << 1, 20)) & MASK64
        if next_pc & 1 != 0:
            self._fail(ERR_MISALIGNED)
    elif opcode == 103:  # JALR
        target: uint256 = ((a + self._sext(imm12, 11)) & MASK64) & ~1
        if target & 1 != 0:
            self._fail(ERR_MISALIGNED)
        rd_value = next_pc
        has_rd = True
        next_pc = target
    elif opcode == 115:  # SYSTEM
        if funct3 == 0:
            if imm12 == 0:
                s = self._ecall(s, local_context)
        else:  # Zicsr: rd := 0
            rd_value = 0
            has_rd = True
    elif opcode == 47:  # atomics
        s = self._amo(s, funct3, funct7, rd, rs1, rs2)
    elif opcode == 15 or opcode == 7 or opcode == 39 or opcode == 83:
        pass  # FENCE*, FP loads/stores/ops: no-ops
    else:
        self._fail(ERR_OPCODE)

    if has_rd and rd != 0:
        s.registers[rd] = rd_value
    s.pc = next_pc
    return s


# ---------------------------------------------------------------------------------------------
# C extension: 16-bit parcel -> 32-bit instruction (0 = illegal / reserved)
# ---------------------------------------------------------------------------------------------

@internal
@pure
def _bits(c: uint256, hi: uint256, lo: uint256) -> uint256:
    return (c >> lo) & ((1 << (hi - lo + 1)) - 1)


@internal
@pure
def _enc_i(op: uint256, rd: uint256, f3: uint256, rs1: uint256, imm: uint256) -> uint256:
    return ((imm & 4095) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


@internal
@pure
def _enc_s(op: uint256, f3: uint256, rs1: uint256, rs2: uint256, imm: uint256) -> uint256:
    return (((imm >> 5) & 127) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | op


@internal
@pure
def _enc_r(op: uint256, f7: uint256, rd: uint256, f3: uint256, rs1: uint256, rs2: uint256) -> uint256:
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op


@internal
@pure
def _sx(v: uint256, b: uint256) -> uint256:
    # sign-extend from bit b to 64 bits
    return self._sext(v, b)


@internal
@pure
def _quadrant0(c: uint256) -> uint256:
    f3: uint256 = self._bits(c, 15, 13)
    rdp: uint256 = self._bits(c, 4, 2) + 8
    rs1p: uint256 = self._bits(c, 9, 7) + 8
    uimm_w: uint256 = (self._bits(c, 12, 10) << 3) | (self._bits(c, 6, 6) << 2) | (self._bits(c, 5, 5) << 6)
    uimm_d: uint256 = (self._bits(c, 12, 10) << 3) | (self._bits(c, 6, 5) << 6)
    if f3 == 0:  # C.ADDI4SPN
        nz: uint256 = (self._bits(c, 12, 11) << 4) | (self._bits(c, 10, 7) << 6) | (self._bits(c, 6, 6) << 2) | (self._bits(c, 5, 5) << 3)
        if nz == 0:
            return 0
        return self._enc_i(19, rdp, 0, 2, nz)
    if f3 == 1:  # C.FLD
        return self._enc_i(7, rdp, 3, rs1p, uimm_d)
    if f3 == 2:  # C.LW
        return self._enc_i(3, rdp, 2, rs1p, uimm_w)
    if f3 == 3:  # C.LD
        return self._enc_i(3, rdp, 3, rs1p, uimm_d)
    if f3 == 4:
        return 0
    if f3 == 5:  # C.FSD
        return self._enc_s(39, 3, rs1p, rdp, uimm_d)
    if f3 == 6:  # C.SW
        return self._enc_s(35, 2, rs1p, rdp, uimm_w)
    return self._enc_s(35, 3, rs1p, rdp, uimm_d)  # C.SD


@internal
@pure
def _quadrant1(c: uint256) -> uint256:
    f3: uint256 = self._bits(c, 15, 13)
    rd: uint256 = self._bits(c, 11, 7)
    imm6: uint256 = self._sx((self._bits(c, 12, 12) << 5) | self._bits(c, 6, 2), 5)
    if f3 == 0:  # C.ADDI / C.NOP
        return self._enc_i(19, rd, 0, rd, imm6)
    if f3 == 1:  # C.ADDIW
        if rd == 0:
            return 0
        return self._enc_i(27, rd, 0, rd, imm6)
    if f3 == 2:  # C.LI
        return self._enc_i(19, rd, 0, 0, imm6)
    if f3 == 3:
        if rd == 2:  # C.ADDI16SP
            nz: uint256 = (self._bits(c, 12, 12) << 9) | (self._bits(c, 6, 6) << 4) | (self._bits(c, 5, 5) << 6) | (self._bits(c, 4, 3) << 7) | (self._bits(c, 2, 2) << 5)
            if nz == 0:
                return 0
            return self._enc_i(19, 2, 0, 2, self._sx(nz, 9))
        nzl: uint256 = (self._bits(c, 12, 12) << 17) | (self._bits(c, 6, 2) << 12)  # C.LUI
        if nzl == 0:
            return 0
        return (self._sx(nzl, 17) & 4294963200) | (rd << 7) | 55
    if f3 == 4:
        rdp: uint256 = self._bits(c, 9, 7) + 8
        f2: uint256 = self._bits(c, 11, 10)
        shamt: uint256 = (self._bits(c, 12, 12) << 5) | self._bits(c, 6, 2)
        if f2 == 0:  # C.SRLI
            return self._enc_i(19, rdp, 5, rdp, shamt)
        if f2 == 1:  # C.SRAI
            return self._enc_i(19, rdp, 5, rdp, shamt | 1024)
        if f2 == 2:  # C.ANDI
            return self._enc_i(19, rdp, 7, rdp, imm6)
        rs2p: uint256 = self._bits(c, 4, 2) + 8
        sel: uint256 = self._bits(c, 6, 5)
        if self._bits(c, 12, 12) == 0:
            if sel == 0:
                return self._enc_r(51, 32, rdp, 0, rdp, rs2p)  # C.SUB
            if sel == 1:
                return self._enc_r(51, 0, rdp, 4, rdp, rs2p)  # C.XOR
            if sel == 2:
                return self._enc_r(51, 0, rdp, 6, rdp, rs2p)  # C.OR
            return self._enc_r(51, 0, rdp, 7, rdp, rs2p)  # C.AND
        if sel == 0:
            return self._enc_r(59, 32, rdp, 0, rdp, rs2p)  # C.SUBW
        if sel == 1:
            return self._enc_r(59, 0, rdp, 0, rdp, rs2p)  # C.ADDW
        return 0
    if f3 == 5:  # C.J
        off: uint256 = (self._bits(c, 12, 12) << 11) | (self._bits(c, 11, 11) << 4) | (self._bits(c, 10, 9) << 8) | (self._bits(c, 8, 8) << 10) | (self._bits(c, 7, 7) << 6) | (self._bits(c, 6, 6) << 7) | (self._bits(c, 5, 3) << 1) | (self._bits(c, 2, 2) << 5)
        imm: uint256 = self._sx(off, 11)
        return (self._bits(imm, 20, 20) << 31) | (self._bits(imm, 10, 1) << 21) | (self._bits(imm, 11, 11) << 20) | (self._bits(imm, 19, 12) << 12) | 111
    rs1p: uint256 = self._bits(c, 9, 7) + 8  # C.BEQZ / C.BNEZ
    boff: uint256 = (self._bits(c, 12, 12) << 8) | (self._bits(c, 11, 10) << 3) | (self._bits(c, 6, 5) << 6) | (self._bits(c, 4, 3) << 1) | (self._bits(c, 2, 2) << 5)
    bimm: uint256 = self._sx(boff, 8)
    bf3: uint256 = 1
    if f3 == 6:
        bf3 = 0
    return (self._bits(bimm, 12, 12) << 31) | (self._bits(bimm, 10, 5) << 25) | (rs1p << 15) | (bf3 << 12) | (self._bits(bimm, 4, 1) << 8) | (self._bits(bimm, 11, 11) << 7) | 99


@internal
@pure
def _quadrant2(c: uint256) -> uint256:
    f3: uint256 = self._bits(c, 15, 13)
    rd: uint256 = self._bits(c, 11, 7)
    rs2: uint256 = self._bits(c, 6, 2)
    if f3 == 0:  # C.SLLI
        return self._enc_i(19, rd, 1, rd, (self._bits(c, 12, 12) << 5) | self._bits(c, 6, 2))
    ldsp: uint256 = (self._bits(c, 12, 12) << 5) | (self._bits(c, 6, 5) << 3) | (self._bits(c, 4, 2) << 6)
    if f3 == 1:  # C.FLDSP
        return self._enc_i(7, rd, 3, 2, ldsp)
    if f3 == 2:  # C.LWSP
        if rd == 0:
            return 0
        off: uint256 = (self._bits(c, 12, 12) << 5) | (self._bits(c, 6, 4) << 2) | (self._bits(c, 3, 2) << 6)
        return self._enc_i(3, rd, 2, 2, off)
    if f3 == 3:  # C.LDSP
        if rd == 0:
            return 0
        return self._enc_i(3, rd, 3, 2, ldsp)
    if f3 == 4:
        if self._bits(c, 12, 12) == 0:
            if rs2 == 0:  # C.JR
                if rd == 0:
                    return 0
                return self._enc_i(103, 0, 0, rd, 0)
            return self._enc_r(51, 0, rd, 0, 0, rs2)  # C.MV
        if rs2 == 0:
            if rd == 0:  # C.EBREAK
                return 1048691
            return self._enc_i(103, 1, 0, rd, 0)  # C.JALR
        return self._enc_r(51, 0, rd, 0, rd, rs2)  # C.ADD
    sdsp: uint256 = (self._bits(c, 12, 10) << 3) | (self._bits(c, 9, 7) << 6)
    if f3 == 5:  # C.FSDSP
        return self._enc_s(39, 3, 2, rs2, sdsp)
    if f3 == 6:  # C.SWSP
        return self._enc_s(35, 2, 2, rs2, (self._bits(c, 12, 9) << 2) | (self._bits(c, 8, 7) << 6))
    return self._enc_s(35, 3, 2, rs2, sdsp)  # C.SDSP


@internal
@pure
def _expand(c: uint256) -> uint256:
    q: uint256 = c & 3
    if q == 0:
        return self._quadrant0(c)
    if q == 1:
        return self._quadrant1(c)
    return self._quadrant2(c)


@internal
@view
def _fetch(root: bytes32, pc: uint256) -> (uint256, uint256, uint256):
    """(32-bit instruction, its length, first data proof index)."""
    if pc & 1 != 0:
        self._fail(ERR_MISALIGNED)
    alignment: uint256 = pc & 31
    left_addr: uint256 = pc - alignment
    leaf: uint256 = self._get_leaf(root, left_addr, 0)
    lo: uint256 = self._bswap((leaf >> (8 * (30 - alignment))) & 65535, 2)
    if lo & 3 != 3:
        instr: uint256 = self._expand(lo)
        if instr == 0:
            self._fail(ERR_ILLEGAL)
        return instr, 2, 1
    if alignment == 30:
        right: uint256 = self._get_leaf(root, (left_addr + 32) & MASK64, 1)
        return lo | (self._bswap(right >> 240, 2) << 16), 4, 2
    return lo | (self._bswap((leaf >> (8 * (28 - alignment))) & 65535, 2) << 16), 4, 1


@external
def step(_stateData: Bytes[MAX_STATE_DATA], _proof: Bytes[MAX_PROOF], _localContext: bytes32) -> bytes32:
    """
    @notice Execute one RISC-V instruction on the pre-state `_stateData` and return the post-state
            hash. `_proof` holds 1920-byte memory proofs: 0 = instruction, 1/2 = data leaves.
    @dev    Calldata must be canonical (§8.2). Where RISCV.sol reverts with empty data, this
            reverts with a named error: `InvalidStateDataOffset()`, `InvalidStateDataLength()`,
            `InvalidProofOffset()`, `InvalidProofLength()` (checked in that order).
    """
    if convert(slice(msg.data, 4, 32), uint256) != 96:
        raw_revert(method_id("InvalidStateDataOffset()"))
    if len(_stateData) != STATE_SIZE:
        raw_revert(method_id("InvalidStateDataLength()"))
    if convert(slice(msg.data, 36, 32), uint256) != 512:
        raw_revert(method_id("InvalidProofOffset()"))
    if len(_proof) % MEM_PROOF_SIZE != 0:
        raw_revert(method_id("InvalidProofLength()"))

    s: State = self._decode_state()
    if s.exited != 0:
        return self._output_state(s)
    s.step = (s.step + 1) & MASK64
    instr: uint256 = 0
    instr, s.ilen, s.pbase = self._fetch(s.memRoot, s.pc)
    return self._output_state(self._execute(s, instr, _localContext))
