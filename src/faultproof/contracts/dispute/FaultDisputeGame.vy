#pragma version 0.4.3
"""
@title FaultDisputeGame
@notice A bisection game over an L2 output root (depths 0..splitDepth) and, below it, over
        an FPVM execution trace (depths splitDepth+1..maxGameDepth), settled by one on-chain
        VM step. ABI-compatible with Optimism's FaultDisputeGame (spec digest section 2), in the
        newer design: bond refund mode, the AnchorStateRegistry as source of truth.
@dev    Deployed once as the implementation; every game is a clone made by the
        DisputeGameFactory: an EIP-1167 minimal proxy whose code carries the game's immutable
        arguments after the 45 proxy bytes (the per-type configuration and the per-game values,
        layout below). The game reads them from its own code with EXTCODECOPY, so they cannot
        change after creation and cost no storage. `initialize` (factory only, once) reads the
        anchor and escrows the root bond. See README.md in this folder for every deviation.
"""

import bond_math

interface IPreimageOracle:
    def challengePeriod() -> uint256: view
    def loadLocalData(_ident: uint256, _localContext: bytes32, _word: bytes32, _size: uint256, _partOffset: uint256) -> bytes32: nonpayable

interface IBigStepper:
    def step(_stateData: Bytes[MAX_STATE_DATA], _proof: Bytes[MAX_PROOF], _localContext: bytes32) -> bytes32: nonpayable
    def oracle() -> address: view

interface IDelayedWETH:
    def deposit(): payable
    def unlock(_guy: address, _wad: uint256): nonpayable
    def withdraw(_guy: address, _wad: uint256): nonpayable

interface IAnchorStateRegistry:
    def getAnchorRoot() -> (bytes32, uint256): view
    def respectedGameType() -> uint32: view
    def paused() -> bool: view
    def isGameFinalized(_game: address) -> bool: view
    def isGameProper(_game: address) -> bool: view
    def setAnchorState(_game: address): nonpayable

# ---- limits -------------------------------------------------------------------------------
MAX_STATE_DATA: constant(uint256) = 4096
MAX_PROOF: constant(uint256) = 16384
MAX_EXTRA_DATA: constant(uint256) = 256
MAX_HEADER_RLP: constant(uint256) = 4096
HEADER_NUMBER_ITEM: constant(uint256) = 8
MAX_POSITION_BITLEN_DEPTH: constant(uint256) = 125
MAX_U64: constant(uint256) = 2**64 - 1
ROOT_PARENT: constant(uint32) = max_value(uint32)
# Resolution loops are paginated by `_numToResolve`; this only bounds one call.
MAX_RESOLVE_PAGE: constant(uint256) = 2**32

# ---- enums (ABI uint8) ---------------------------------------------------------------------
IN_PROGRESS: constant(uint8) = 0
CHALLENGER_WINS: constant(uint8) = 1
DEFENDER_WINS: constant(uint8) = 2

MODE_UNDECIDED: constant(uint8) = 0
MODE_NORMAL: constant(uint8) = 1
MODE_REFUND: constant(uint8) = 2

VM_VALID: constant(uint8) = 0
VM_INVALID: constant(uint8) = 1
VM_PANIC: constant(uint8) = 2

# ---- clone code layout: each constant is the offset just past a field ----------------------
# Bytes 0..44 are the EIP-1167 proxy. The per-type part (from the factory's `gameArgs`) is
# followed by the per-game part; DisputeGameFactory.vy writes exactly this layout. A field is
# read as the 32-byte word that ends where it ends, so no read runs past the code.
ARG_PRESTATE: constant(uint256) = 77           # bytes32 absolutePrestate
ARG_L2_CHAIN_ID: constant(uint256) = 109       # uint256 l2ChainId
ARG_VM: constant(uint256) = 129                # address vm
ARG_WETH: constant(uint256) = 149              # address weth
ARG_ASR: constant(uint256) = 169               # address anchorStateRegistry
ARG_CONFIG: constant(uint256) = 191            # clockExtension u64 | maxClockDuration u64 | gameType u32 | maxGameDepth u8 | splitDepth u8
ARG_ROOT_CLAIM: constant(uint256) = 223        # bytes32 rootClaim
ARG_L1_HEAD: constant(uint256) = 255           # bytes32 l1Head (parent block hash at creation)
ARG_CREATOR: constant(uint256) = 275           # address gameCreator
ARG_FACTORY: constant(uint256) = 295           # address of the factory (the only initializer)
ARG_EXTRA_LEN: constant(uint256) = 297         # uint16 length of the extra data
ARG_TAIL: constant(uint256) = 329              # rootBond u128 | createdAt u64 | l2BlockNumber u64
CLONE_CODE_SIZE: constant(uint256) = 329
# Where the two multi-field reads start: the configuration, and the root claim's fields.
CONFIG_READ: constant(uint256) = ARG_CONFIG - 96
ROOT_READ: constant(uint256) = ARG_TAIL - 160
ADDRESS_MASK: constant(uint256) = 2**160 - 1

# ---- game state, one slot (status, mode, flags, resolvedAt, starting block, claim count) ----
STATUS_MASK: constant(uint256) = 255
MODE_SHIFT: constant(uint256) = 8
FLAG_INITIALIZED: constant(uint256) = 1 << 16
FLAG_IMPLEMENTATION: constant(uint256) = 1 << 17
FLAG_RESPECTED: constant(uint256) = 1 << 18
FLAG_L2_CHALLENGED: constant(uint256) = 1 << 19
RESOLVED_AT_SHIFT: constant(uint256) = 64
STARTING_BLOCK_SHIFT: constant(uint256) = 128
MOVES_SHIFT: constant(uint256) = 192
# A game accepts moves, steps and resolution only when this masked state is exactly
# FLAG_INITIALIZED: initialized, not the implementation, status IN_PROGRESS.
LIVE_MASK: constant(uint256) = STATUS_MASK | FLAG_INITIALIZED | FLAG_IMPLEMENTATION

struct ClaimData:
    parentIndex: uint32
    counteredBy: address
    claimant: address
    bond: uint128
    claim: bytes32
    position: uint128
    clock: uint128

struct OutputRootProof:
    version: bytes32
    stateRoot: bytes32
    messagePasserStorageRoot: bytes32
    latestBlockhash: bytes32

struct ResolutionCheckpoint:
    initialCheckpointComplete: bool
    subgameIndex: uint32
    leftmostPosition: uint128
    counteredBy: address

# The per-type configuration but the prestate and chain id, unpacked from one code read.
struct GameConfig:
    maxGameDepth: uint256
    splitDepth: uint256
    clockExtension: uint256
    maxClockDuration: uint256
    gameType: uint32
    vm: address
    weth: address
    anchorStateRegistry: address

event Move:
    parentIndex: indexed(uint256)
    claim: indexed(bytes32)
    claimant: indexed(address)

event Resolved:
    status: indexed(uint8)

event GameClosed:
    bondDistributionMode: uint8

# ---- state ---------------------------------------------------------------------------------
# status | bondDistributionMode << 8 | flags (bits 16-19) | resolvedAt << 64 |
# startingBlockNumber << 128 | number of moves << 192. One slot: a move reads one word for
# the status, the L2 block challenge flag and the claim count, and writes it back warm;
# `initialize` writes one word where it used to write five.
_state: uint256

# The root claim (index 0) is not stored: its fields are clone arguments (creator, root claim,
# bond, creation time), except counteredBy. Claims 1..moves are stored packed (Vyper gives
# every struct member its own slot; packing saves three cold SSTOREs per move): word A =
# claimant | parentIndex << 160, word B = bond | position << 128, then the claim, the clock,
# and counteredBy (written only when countered).
_claimWordA: HashMap[uint256, uint256]
_claimWordB: HashMap[uint256, uint256]
_claimValue: HashMap[uint256, bytes32]
_claimClock: HashMap[uint256, uint256]
_counteredBy: HashMap[uint256, address]
claims: public(HashMap[bytes32, bool])
_subgames: HashMap[uint256, HashMap[uint256, uint256]]
_subgamesLen: HashMap[uint256, uint256]
resolvedSubgames: public(HashMap[uint256, bool])
# ResolutionCheckpoint packed: word = complete | subgameIndex << 8 | leftmostPosition << 64,
# plus counteredBy.
_checkpointWord: HashMap[uint256, uint256]
_checkpointCounter: HashMap[uint256, address]

_startingRoot: bytes32

normalModeCredit: public(HashMap[address, uint256])
refundModeCredit: public(HashMap[address, uint256])
hasUnlockedCredit: public(HashMap[address, bool])

l2BlockNumberChallenger: public(address)


@deploy
def __init__():
    """The implementation itself is never a game: mark it initialized (so `initialize` reverts)
    and as the implementation (so every move, step, resolution and payout reverts)."""
    self._state = FLAG_INITIALIZED | FLAG_IMPLEMENTATION


# ============================================================================================
# Clone arguments (read from this clone's code) and the packed state
# ============================================================================================

@internal
@view
def _code_word(end: uint256) -> uint256:
    """The 32 bytes of this game's code that end at byte `end`, big-endian.

    `self.code` would compile to CODECOPY, which under DELEGATECALL reads the implementation;
    EXTCODECOPY of the game's own address reads the clone and its arguments.
    """
    game: address = self
    return convert(extract32(slice(game.code, end - 32, 32), 0), uint256)


@internal
@view
def _arg_address(end: uint256) -> address:
    return convert(self._code_word(end) & ADDRESS_MASK, address)


@internal
@view
def _config() -> GameConfig:
    """One code read (the 96 bytes ending at ARG_CONFIG: vm, weth, registry, numbers), so a
    move, a step or a payout reads its configuration once."""
    game: address = self
    raw: Bytes[96] = slice(game.code, CONFIG_READ, 96)
    w: uint256 = convert(extract32(raw, ARG_CONFIG - 32 - CONFIG_READ), uint256)
    return GameConfig(
        maxGameDepth=(w >> 8) & 255,
        splitDepth=w & 255,
        clockExtension=(w >> 112) & MAX_U64,
        maxClockDuration=(w >> 48) & MAX_U64,
        gameType=convert((w >> 16) & (2**32 - 1), uint32),
        vm=convert(convert(extract32(raw, ARG_VM - 32 - CONFIG_READ), uint256) & ADDRESS_MASK, address),
        weth=convert(convert(extract32(raw, ARG_WETH - 32 - CONFIG_READ), uint256) & ADDRESS_MASK, address),
        anchorStateRegistry=convert(convert(extract32(raw, ARG_ASR - 32 - CONFIG_READ), uint256) & ADDRESS_MASK, address),
    )


@internal
@view
def _tail() -> uint256:
    """rootBond << 128 | createdAt << 64 | l2BlockNumber."""
    return self._code_word(ARG_TAIL)


@internal
@view
def _l2_block_number() -> uint256:
    return self._tail() & MAX_U64


@internal
@view
def _live_state() -> uint256:
    """The state word of a game in progress; reverts `GameNotInProgress()` otherwise (also for
    the implementation and for a clone that was never initialized)."""
    w: uint256 = self._state
    if w & LIVE_MASK != FLAG_INITIALIZED:
        raw_revert(method_id("GameNotInProgress()"))
    return w


@internal
@view
def _is_game() -> bool:
    """An initialized clone (not the implementation)."""
    return self._state & (FLAG_INITIALIZED | FLAG_IMPLEMENTATION) == FLAG_INITIALIZED


# ============================================================================================
# Position math (spec digest section 1.1); positions are generalized indices
# ============================================================================================

@internal
@pure
def _depth(g: uint256) -> uint256:
    return bond_math._log2(g)


@internal
@pure
def _index_at_depth(g: uint256) -> uint256:
    return g - (1 << self._depth(g))


@internal
@pure
def _move_pos(g: uint256, is_attack: bool) -> uint256:
    if is_attack:
        return g << 1
    return (g | 1) << 1


@internal
@pure
def _right_index(g: uint256, max_depth: uint256) -> uint256:
    r: uint256 = max_depth - self._depth(g)
    return (g << r) | ((1 << r) - 1)


@internal
@pure
def _trace_index(g: uint256, max_depth: uint256) -> uint256:
    return self._right_index(g, max_depth) - (1 << max_depth)


@internal
@pure
def _trace_ancestor(g: uint256) -> uint256:
    k: uint256 = self._depth((~g) & (g + 1))
    a: uint256 = g >> k
    if a == 0:
        return 1
    return a


@internal
@view
def _trace_ancestor_bounded(g: uint256, upper: uint256) -> uint256:
    if self._depth(g) <= upper:
        raw_revert(method_id("ClaimAboveSplit()"))
    a: uint256 = self._trace_ancestor(g)
    if self._depth(a) <= upper:
        a = self._right_index(a, upper + 1)
    return a


# ============================================================================================
# Initialization (section 2.3)
# ============================================================================================

@internal
def _push_claim(idx: uint256, parent: uint32, claimant: address, bond: uint256, claim: bytes32, pos: uint256, clock: uint256):
    self._claimWordA[idx] = convert(claimant, uint256) | (convert(parent, uint256) << 160)
    self._claimWordB[idx] = convert(convert(bond, uint128), uint256) | (convert(convert(pos, uint128), uint256) << 128)
    self._claimValue[idx] = claim
    self._claimClock[idx] = convert(convert(clock, uint128), uint256)
    # Count it: the claim count is the state word's top 64 bits.
    self._state += 1 << MOVES_SHIFT


@payable
@external
def initialize():
    """Start the game: check the configuration, read the anchor, escrow the root bond.

    Runs once, and only when called by the factory that made this clone (in the same
    transaction as the clone's creation, so nobody can call it first). On the implementation
    it reverts: its constructor marked it initialized.
    """
    w: uint256 = self._state
    if w & FLAG_INITIALIZED != 0:
        raw_revert(method_id("AlreadyInitialized()"))
    if msg.sender != self._arg_address(ARG_FACTORY):
        raw_revert(method_id("BadAuth()"))
    cfg: GameConfig = self._config()
    # Configuration checks (Optimism runs these in the implementation's constructor). The
    # factory saturates depths above 255 to 255, which fails the same checks.
    if cfg.maxGameDepth > MAX_POSITION_BITLEN_DEPTH:
        raw_revert(method_id("MaxDepthTooLarge()"))
    if cfg.splitDepth + 1 >= cfg.maxGameDepth or cfg.splitDepth < 2:
        raw_revert(method_id("InvalidSplitDepth()"))
    period: uint256 = staticcall IPreimageOracle(staticcall IBigStepper(cfg.vm).oracle()).challengePeriod()
    if period > MAX_U64:
        raw_revert(method_id("InvalidChallengePeriod()"))
    ce: uint256 = cfg.clockExtension
    max_ext: uint256 = max(2 * ce, ce + period)
    if max_ext > MAX_U64 or max_ext > cfg.maxClockDuration:
        raw_revert(method_id("InvalidClockExtension()"))

    asr: IAnchorStateRegistry = IAnchorStateRegistry(cfg.anchorStateRegistry)
    root: bytes32 = empty(bytes32)
    anchor_block: uint256 = 0
    root, anchor_block = staticcall asr.getAnchorRoot()
    if root == empty(bytes32):
        raw_revert(method_id("AnchorRootNotFound()"))

    # Optimism checks the exact calldata length; here the extra data length (same attack).
    if self._code_word(ARG_EXTRA_LEN) & 65535 != 32:
        raw_revert(method_id("BadExtraData()"))
    # The factory writes 0 for a block number above 2**64 - 1, so one comparison covers both.
    if self._l2_block_number() <= anchor_block:
        raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), convert(self._code_word(ARG_ROOT_CLAIM), bytes32)))

    # anchor_block < l2BlockNumber < 2**64, so it fits its 64 bits of the state word.
    w = FLAG_INITIALIZED | (anchor_block << STARTING_BLOCK_SHIFT)
    if staticcall asr.respectedGameType() == cfg.gameType:
        w |= FLAG_RESPECTED
    self._state = w
    self._startingRoot = root
    extcall IDelayedWETH(cfg.weth).deposit(value=msg.value)
    self.refundModeCredit[self._arg_address(ARG_CREATOR)] += msg.value


# ============================================================================================
# Moves and clocks (sections 2.4, 2.5)
# ============================================================================================

@internal
@view
def _claim(idx: uint256) -> ClaimData:
    if idx > self._state >> MOVES_SHIFT:
        # Solidity's out-of-bounds array access: Panic(0x32).
        raw_revert(concat(method_id("Panic(uint256)"), convert(50, bytes32)))
    return self._load_claim(idx)


@internal
@view
def _load_claim(idx: uint256) -> ClaimData:
    if idx == 0:
        # The root claim: clone arguments (one code read), plus counteredBy from storage.
        game: address = self
        raw: Bytes[160] = slice(game.code, ROOT_READ, 160)
        tail: uint256 = convert(extract32(raw, ARG_TAIL - 32 - ROOT_READ), uint256)
        return ClaimData(
            parentIndex=ROOT_PARENT,
            counteredBy=self._counteredBy[0],
            claimant=convert(convert(extract32(raw, ARG_CREATOR - 32 - ROOT_READ), uint256) & ADDRESS_MASK, address),
            bond=convert(tail >> 128, uint128),
            claim=extract32(raw, ARG_ROOT_CLAIM - 32 - ROOT_READ),
            position=1,
            clock=convert((tail >> 64) & MAX_U64, uint128),
        )
    a: uint256 = self._claimWordA[idx]
    b: uint256 = self._claimWordB[idx]
    return ClaimData(
        parentIndex=convert(a >> 160, uint32),
        counteredBy=self._counteredBy[idx],
        claimant=convert(a & (2**160 - 1), address),
        bond=convert(b & (2**128 - 1), uint128),
        claim=self._claimValue[idx],
        position=convert(b >> 128, uint128),
        clock=convert(self._claimClock[idx], uint128),
    )


@internal
@view
def _duration(c: ClaimData, max_clock: uint256) -> uint256:
    """Time on the challenger's clock of claim `c`: its parent's duration (the stored clock's
    high bits) plus the time since `c` was made, capped at `max_clock`. The root (index 0, no
    stored clock) and its parent have duration 0: no storage read for them."""
    parent_duration: uint256 = 0
    if c.parentIndex != ROOT_PARENT and c.parentIndex != 0:
        parent_duration = self._claimClock[convert(c.parentIndex, uint256)] >> 64
    ts: uint256 = convert(c.clock, uint256) & MAX_U64
    return min(parent_duration + (block.timestamp - ts), max_clock)


@external
@view
def getChallengerDuration(_claimIndex: uint256) -> uint64:
    self._live_state()
    return convert(self._duration(self._claim(_claimIndex), self._config().maxClockDuration), uint64)


@internal
@pure
def _required_bond(pos: uint256, max_depth: uint256) -> uint256:
    d: uint256 = self._depth(pos)
    if d > max_depth:
        raw_revert(method_id("GameDepthExceeded()"))
    return bond_math.required_bond(d, max_depth)


@external
@view
def getRequiredBond(_position: uint128) -> uint256:
    return self._required_bond(convert(_position, uint256), self._config().maxGameDepth)


@internal
@view
def _find_trace_ancestor(pos: uint256, start: uint256, is_global: bool, split: uint256) -> ClaimData:
    target: uint256 = 0
    if is_global:
        target = self._trace_ancestor(pos)
    else:
        target = self._trace_ancestor_bounded(pos, split)
    a: ClaimData = self._claim(start)
    for _: uint256 in range(MAX_POSITION_BITLEN_DEPTH + 1):
        if convert(a.position, uint256) == target:
            return a
        a = self._claim(convert(a.parentIndex, uint256))
    raw_revert(method_id("InvalidParent()"))


@internal
@view
def _verify_exec_bisection_root(claim: bytes32, parent_idx: uint256, parent_pos: uint256, is_attack: bool, split: uint256):
    status: uint8 = convert(convert(claim, uint256) >> 248, uint8)
    disputed: ClaimData = self._find_trace_ancestor(parent_pos + 1, parent_idx, True, split)
    if is_attack or self._depth(convert(disputed.position, uint256)) % 2 == split % 2:
        if status != VM_INVALID and status != VM_PANIC:
            raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), claim))
    elif status != VM_VALID:
        raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), claim))


@internal
def _move(disputed: bytes32, challenge_index: uint256, claim: bytes32, is_attack: bool, bond: uint256, sender: address):
    w: uint256 = self._live_state()
    cfg: GameConfig = self._config()
    parent: ClaimData = self._claim(challenge_index)
    if parent.claim != disputed:
        raw_revert(method_id("InvalidDisputedClaimIndex()"))
    parent_pos: uint256 = convert(parent.position, uint256)
    next_pos: uint256 = self._move_pos(parent_pos, is_attack)
    next_depth: uint256 = self._depth(next_pos)
    if not is_attack and (challenge_index == 0 or next_depth == cfg.splitDepth + 2):
        raw_revert(method_id("CannotDefendRootClaim()"))
    if challenge_index == 0 and w & FLAG_L2_CHALLENGED != 0:
        raw_revert(method_id("L2BlockNumberChallenged()"))
    if next_depth > cfg.maxGameDepth:
        raw_revert(method_id("GameDepthExceeded()"))
    if next_depth == cfg.splitDepth + 1:
        self._verify_exec_bisection_root(claim, challenge_index, parent_pos, is_attack, cfg.splitDepth)
    if bond != self._required_bond(next_pos, cfg.maxGameDepth):
        raw_revert(method_id("IncorrectBondAmount()"))

    max_clock: uint256 = cfg.maxClockDuration
    next_duration: uint256 = self._duration(parent, max_clock)
    if next_duration == max_clock:
        raw_revert(method_id("ClockTimeExceeded()"))
    ext: uint256 = cfg.clockExtension
    if next_depth == cfg.maxGameDepth - 1:
        ext += staticcall IPreimageOracle(staticcall IBigStepper(cfg.vm).oracle()).challengePeriod()
    elif next_depth == cfg.splitDepth - 1:
        ext *= 2
    if next_duration > max_clock - ext:
        next_duration = max_clock - ext

    claim_hash: bytes32 = keccak256(abi_encode(claim, (next_pos << 128) | (challenge_index & convert(max_value(uint128), uint256))))
    if self.claims[claim_hash]:
        raw_revert(method_id("ClaimAlreadyExists()"))
    self.claims[claim_hash] = True

    new_idx: uint256 = (w >> MOVES_SHIFT) + 1
    self._push_claim(new_idx, convert(challenge_index, uint32), sender, bond, claim, next_pos, (next_duration << 64) | block.timestamp)
    n: uint256 = self._subgamesLen[challenge_index]
    self._subgames[challenge_index][n] = new_idx
    self._subgamesLen[challenge_index] = n + 1

    extcall IDelayedWETH(cfg.weth).deposit(value=bond)
    self.refundModeCredit[sender] += bond
    log Move(parentIndex=challenge_index, claim=claim, claimant=sender)


@payable
@external
def move(_disputed: bytes32, _challengeIndex: uint256, _claim: bytes32, _isAttack: bool):
    self._move(_disputed, _challengeIndex, _claim, _isAttack, msg.value, msg.sender)


@payable
@external
def attack(_disputed: bytes32, _parentIndex: uint256, _claim: bytes32):
    self._move(_disputed, _parentIndex, _claim, True, msg.value, msg.sender)


@payable
@external
def defend(_disputed: bytes32, _parentIndex: uint256, _claim: bytes32):
    self._move(_disputed, _parentIndex, _claim, False, msg.value, msg.sender)


# ============================================================================================
# Step, local context and local data (sections 1.3, 1.4, 2.6, 2.7)
# ============================================================================================

@internal
@view
def _find_starting_and_disputed_outputs(start: uint256, split: uint256) -> (bytes32, uint256, bytes32, uint256):
    c: ClaimData = self._claim(start)
    if self._depth(convert(c.position, uint256)) <= split:
        raw_revert(method_id("ClaimAboveSplit()"))
    output_index: uint256 = convert(c.parentIndex, uint256)
    exec_root: ClaimData = c
    output: ClaimData = self._claim(output_index)
    for _: uint256 in range(MAX_POSITION_BITLEN_DEPTH + 1):
        if self._depth(convert(output.position, uint256)) <= split:
            break
        exec_root = output
        output_index = convert(output.parentIndex, uint256)
        output = self._claim(output_index)
    out_pos: uint256 = convert(output.position, uint256)
    if convert(exec_root.position, uint256) >> 1 == out_pos:
        # Opened by an attack: the output leaf is disputed, the one before it is the start.
        if self._index_at_depth(out_pos) > 0:
            starting: ClaimData = self._find_trace_ancestor(out_pos - 1, output_index, True, split)
            return starting.claim, convert(starting.position, uint256), output.claim, out_pos
        return self._startingRoot, 0, output.claim, out_pos
    # Opened by a defend: the output leaf is the start, the next output is disputed.
    disputed: ClaimData = self._find_trace_ancestor(out_pos + 1, output_index, True, split)
    return output.claim, out_pos, disputed.claim, convert(disputed.position, uint256)


@internal
@pure
def _compute_local_context(starting: bytes32, starting_pos: uint256, disputed: bytes32, disputed_pos: uint256) -> bytes32:
    if starting_pos == 0:
        return keccak256(abi_encode(disputed, disputed_pos))
    return keccak256(abi_encode(starting, starting_pos, disputed, disputed_pos))


@external
def step(_claimIndex: uint256, _isAttack: bool, _stateData: Bytes[MAX_STATE_DATA], _proof: Bytes[MAX_PROOF]):
    self._live_state()
    cfg: GameConfig = self._config()
    parent: ClaimData = self._claim(_claimIndex)
    parent_pos: uint256 = convert(parent.position, uint256)
    step_pos: uint256 = self._move_pos(parent_pos, _isAttack)
    if self._depth(step_pos) != cfg.maxGameDepth + 1:
        raw_revert(method_id("InvalidParent()"))

    pre_state_claim: bytes32 = empty(bytes32)
    post_state: ClaimData = empty(ClaimData)
    if _isAttack:
        if self._index_at_depth(step_pos) % (1 << (cfg.maxGameDepth - cfg.splitDepth)) == 0:
            pre_state_claim = convert(self._code_word(ARG_PRESTATE), bytes32)
        else:
            pre_state_claim = self._find_trace_ancestor(parent_pos - 1, convert(parent.parentIndex, uint256), False, cfg.splitDepth).claim
        post_state = parent
    else:
        pre_state_claim = parent.claim
        post_state = self._find_trace_ancestor(parent_pos + 1, convert(parent.parentIndex, uint256), False, cfg.splitDepth)

    # The status byte (byte 0) is not part of the commitment check.
    low_mask: uint256 = (1 << 248) - 1
    if convert(keccak256(_stateData), uint256) & low_mask != convert(pre_state_claim, uint256) & low_mask:
        raw_revert(method_id("InvalidPrestate()"))

    s_claim: bytes32 = empty(bytes32)
    s_pos: uint256 = 0
    d_claim: bytes32 = empty(bytes32)
    d_pos: uint256 = 0
    s_claim, s_pos, d_claim, d_pos = self._find_starting_and_disputed_outputs(_claimIndex, cfg.splitDepth)
    uuid: bytes32 = self._compute_local_context(s_claim, s_pos, d_claim, d_pos)

    valid_step: bool = extcall IBigStepper(cfg.vm).step(_stateData, _proof, uuid) == post_state.claim
    parent_post_agree: bool = (self._depth(parent_pos) - self._depth(convert(post_state.position, uint256))) % 2 == 0
    if parent_post_agree == valid_step:
        raw_revert(method_id("ValidStep()"))
    if parent.counteredBy != empty(address):
        raw_revert(method_id("DuplicateStep()"))
    self._counteredBy[_claimIndex] = msg.sender


@external
def addLocalData(_ident: uint256, _execLeafIdx: uint256, _partOffset: uint256):
    w: uint256 = self._live_state()
    cfg: GameConfig = self._config()
    split: uint256 = cfg.splitDepth
    s_claim: bytes32 = empty(bytes32)
    s_pos: uint256 = 0
    d_claim: bytes32 = empty(bytes32)
    d_pos: uint256 = 0
    s_claim, s_pos, d_claim, d_pos = self._find_starting_and_disputed_outputs(_execLeafIdx, split)
    uuid: bytes32 = self._compute_local_context(s_claim, s_pos, d_claim, d_pos)
    word: bytes32 = empty(bytes32)
    size: uint256 = 32
    if _ident == 1:
        word = convert(self._code_word(ARG_L1_HEAD), bytes32)
    elif _ident == 2:
        word = s_claim
    elif _ident == 3:
        word = d_claim
    elif _ident == 4:
        l2_number: uint256 = ((w >> STARTING_BLOCK_SHIFT) & MAX_U64) + self._trace_index(d_pos, split) + 1
        l2_number = min(l2_number, self._l2_block_number())
        word = convert(l2_number << 192, bytes32)
        size = 8
    elif _ident == 5:
        word = convert(self._code_word(ARG_L2_CHAIN_ID) << 192, bytes32)
        size = 8
    else:
        raw_revert(method_id("InvalidLocalIdent()"))
    oracle: address = staticcall IBigStepper(cfg.vm).oracle()
    extcall IPreimageOracle(oracle).loadLocalData(_ident, uuid, word, size, _partOffset)


# ============================================================================================
# Root L2 block number challenge (section 2.8)
# ============================================================================================

@internal
@pure
def _read_be(buf: Bytes[MAX_HEADER_RLP + 32], offset: uint256, n: uint256) -> uint256:
    """Big-endian integer of the `n` (<= 32) bytes at `offset` (`buf` is zero-padded)."""
    if n == 0:
        return 0
    return convert(extract32(buf, offset), uint256) >> (256 - 8 * n)


@internal
@pure
def _rlp_item(buf: Bytes[MAX_HEADER_RLP + 32], i: uint256, end: uint256) -> (uint256, uint256, bool):
    """(payload offset, payload length, is list) of the RLP item at `i`; must end by `end`."""
    if i >= end:
        raw_revert(method_id("InvalidHeaderRLP()"))
    p: uint256 = self._read_be(buf, i, 1)
    off: uint256 = i + 1
    n: uint256 = 0
    is_list: bool = p >= 192
    if p < 128:
        return i, 1, False
    elif p < 184:
        n = p - 128
    elif p < 192:
        ll: uint256 = p - 183
        if ll > 8:
            raw_revert(method_id("InvalidHeaderRLP()"))
        n = self._read_be(buf, i + 1, ll)
        off = i + 1 + ll
    elif p < 248:
        n = p - 192
    else:
        ll: uint256 = p - 247
        if ll > 8:
            raw_revert(method_id("InvalidHeaderRLP()"))
        n = self._read_be(buf, i + 1, ll)
        off = i + 1 + ll
    if off + n > end:
        raw_revert(method_id("InvalidHeaderRLP()"))
    return off, n, is_list


@external
def challengeRootL2Block(_outputRootProof: OutputRootProof, _headerRLP: Bytes[MAX_HEADER_RLP]):
    """Prove the root claim's output is for a different L2 block than `l2BlockNumber()`.

    The output root proof must hash to the root claim and commit to the hash of `_headerRLP`;
    if that header's number differs from the claimed block number the root is countered.
    """
    w: uint256 = self._live_state()
    if w & FLAG_L2_CHALLENGED != 0:
        raw_revert(method_id("L2BlockNumberChallenged()"))
    output_root: bytes32 = keccak256(abi_encode(
        _outputRootProof.version, _outputRootProof.stateRoot,
        _outputRootProof.messagePasserStorageRoot, _outputRootProof.latestBlockhash,
    ))
    if output_root != convert(self._code_word(ARG_ROOT_CLAIM), bytes32):
        raw_revert(method_id("InvalidOutputRootProof()"))
    if keccak256(_headerRLP) != _outputRootProof.latestBlockhash:
        raw_revert(method_id("InvalidHeaderRLP()"))

    buf: Bytes[MAX_HEADER_RLP + 32] = concat(_headerRLP, empty(bytes32))
    total: uint256 = len(_headerRLP)
    off: uint256 = 0
    n: uint256 = 0
    is_list: bool = False
    off, n, is_list = self._rlp_item(buf, 0, total)
    if not is_list or off + n != total:
        raw_revert(method_id("InvalidHeaderRLP()"))
    end: uint256 = off + n
    cursor: uint256 = off
    for _: uint256 in range(HEADER_NUMBER_ITEM):
        off, n, is_list = self._rlp_item(buf, cursor, end)
        cursor = off + n
    off, n, is_list = self._rlp_item(buf, cursor, end)
    if is_list or n > 32:
        raw_revert(method_id("InvalidHeaderRLP()"))
    number: uint256 = self._read_be(buf, off, n)
    if number == self._l2_block_number():
        raw_revert(method_id("BlockNumberMatches()"))
    self.l2BlockNumberChallenger = msg.sender
    self._state = w | FLAG_L2_CHALLENGED


# ============================================================================================
# Resolution (section 2.9)
# ============================================================================================

@internal
@view
def _load_checkpoint(idx: uint256) -> ResolutionCheckpoint:
    w: uint256 = self._checkpointWord[idx]
    return ResolutionCheckpoint(
        initialCheckpointComplete=(w & 1) == 1,
        subgameIndex=convert((w >> 8) & (2**32 - 1), uint32),
        leftmostPosition=convert(w >> 64, uint128),
        counteredBy=self._checkpointCounter[idx],
    )


@internal
def _distribute_bond(recipient: address, bond: uint128):
    self.normalModeCredit[recipient] += convert(bond, uint256)


@external
def resolveClaim(_claimIndex: uint256, _numToResolve: uint256):
    w: uint256 = self._live_state()
    max_clock: uint256 = self._config().maxClockDuration
    root: ClaimData = self._claim(_claimIndex)
    if self._duration(root, max_clock) < max_clock:
        raw_revert(method_id("ClockNotExpired()"))
    if self.resolvedSubgames[_claimIndex]:
        raw_revert(method_id("ClaimAlreadyResolved()"))

    n_children: uint256 = self._subgamesLen[_claimIndex]
    if n_children == 0 and _claimIndex != 0:
        recipient: address = root.counteredBy
        if recipient == empty(address):
            recipient = root.claimant
        self._distribute_bond(recipient, root.bond)
        self.resolvedSubgames[_claimIndex] = True
        return

    cp: ResolutionCheckpoint = self._load_checkpoint(_claimIndex)
    num: uint256 = _numToResolve
    if not cp.initialCheckpointComplete:
        cp.leftmostPosition = max_value(uint128)
        cp.initialCheckpointComplete = True
        if num == 0:
            num = n_children
    first: uint256 = convert(cp.subgameIndex, uint256)
    final_cursor: uint256 = min(first + num, n_children)
    for i: uint256 in range(first, final_cursor, bound=MAX_RESOLVE_PAGE):
        child_idx: uint256 = self._subgames[_claimIndex][i]
        if not self.resolvedSubgames[child_idx]:
            raw_revert(method_id("OutOfOrderResolution()"))
        if self._counteredBy[child_idx] == empty(address):
            child_b: uint256 = self._claimWordB[child_idx]
            child_pos: uint128 = convert(child_b >> 128, uint128)
            if cp.leftmostPosition > child_pos:
                cp.counteredBy = convert(self._claimWordA[child_idx] & (2**160 - 1), address)
                cp.leftmostPosition = child_pos
    cp.subgameIndex = convert(final_cursor, uint32)
    self._checkpointWord[_claimIndex] = (
        convert(cp.initialCheckpointComplete, uint256)
        | (convert(cp.subgameIndex, uint256) << 8)
        | (convert(cp.leftmostPosition, uint256) << 64)
    )
    if cp.counteredBy != self._checkpointCounter[_claimIndex]:
        self._checkpointCounter[_claimIndex] = cp.counteredBy

    if final_cursor == n_children:
        countered: address = cp.counteredBy
        if _claimIndex == 0 and w & FLAG_L2_CHALLENGED != 0:
            countered = self.l2BlockNumberChallenger
            self._distribute_bond(countered, root.bond)
        elif countered == empty(address):
            self._distribute_bond(root.claimant, root.bond)
        else:
            self._distribute_bond(countered, root.bond)
        self._counteredBy[_claimIndex] = countered
        self.resolvedSubgames[_claimIndex] = True


@external
def resolve() -> uint8:
    w: uint256 = self._live_state()
    if not self.resolvedSubgames[0]:
        raw_revert(method_id("OutOfOrderResolution()"))
    s: uint8 = DEFENDER_WINS
    if self._counteredBy[0] != empty(address):
        s = CHALLENGER_WINS
    # Status was IN_PROGRESS and resolvedAt 0: both fields are still zero in `w`.
    self._state = w | convert(s, uint256) | (block.timestamp << RESOLVED_AT_SHIFT)
    log Resolved(status=s)
    return s


@external
@view
def getNumToResolve(_claimIndex: uint256) -> uint256:
    return self._subgamesLen[_claimIndex] - convert(self._load_checkpoint(_claimIndex).subgameIndex, uint256)


# ============================================================================================
# Credit, closeGame (section 2.11, newer design)
# ============================================================================================

@internal
@view
def _mode() -> uint8:
    return convert((self._state >> MODE_SHIFT) & 255, uint8)


@internal
def _close_game():
    w: uint256 = self._state
    mode: uint8 = convert((w >> MODE_SHIFT) & 255, uint8)
    if mode == MODE_NORMAL or mode == MODE_REFUND:
        return
    if mode != MODE_UNDECIDED:
        raw_revert(method_id("InvalidBondDistributionMode()"))
    if w & (FLAG_INITIALIZED | FLAG_IMPLEMENTATION) != FLAG_INITIALIZED:
        # The implementation, or a clone never initialized: never resolved.
        raw_revert(method_id("GameNotResolved()"))
    asr_address: address = self._arg_address(ARG_ASR)
    asr: IAnchorStateRegistry = IAnchorStateRegistry(asr_address)
    if staticcall asr.paused():
        raw_revert(method_id("GamePaused()"))
    if (w >> RESOLVED_AT_SHIFT) & MAX_U64 == 0:
        raw_revert(method_id("GameNotResolved()"))
    if not staticcall asr.isGameFinalized(self):
        raw_revert(method_id("GameNotFinalized()"))
    # Try to make this game the anchor; a game that cannot be the anchor is not an error here.
    anchored: bool = raw_call(
        asr_address,
        abi_encode(self, method_id=method_id("setAnchorState(address)")),
        revert_on_failure=False,
    )
    mode = MODE_REFUND
    if staticcall asr.isGameProper(self):
        mode = MODE_NORMAL
    # Re-read the word (the registry called back while deciding) and replace only the mode.
    self._state = (self._state & ~(255 << MODE_SHIFT)) | (convert(mode, uint256) << MODE_SHIFT)
    log GameClosed(bondDistributionMode=mode)


@external
def closeGame():
    self._close_game()


@external
@nonreentrant
def claimCredit(_recipient: address):
    self._close_game()
    amount: uint256 = 0
    mode: uint8 = self._mode()
    if mode == MODE_REFUND:
        amount = self.refundModeCredit[_recipient]
    elif mode == MODE_NORMAL:
        amount = self.normalModeCredit[_recipient]
    else:
        raw_revert(method_id("InvalidBondDistributionMode()"))

    # First call: start the DelayedWETH delay for this recipient's credit.
    if not self.hasUnlockedCredit[_recipient]:
        self.hasUnlockedCredit[_recipient] = True
        extcall IDelayedWETH(self._arg_address(ARG_WETH)).unlock(_recipient, amount)
        return

    if amount == 0:
        raw_revert(method_id("NoCreditToClaim()"))
    self.refundModeCredit[_recipient] = 0
    self.normalModeCredit[_recipient] = 0
    extcall IDelayedWETH(self._arg_address(ARG_WETH)).withdraw(_recipient, amount)
    ok: bool = raw_call(_recipient, b"", value=amount, revert_on_failure=False)
    if not ok:
        raw_revert(method_id("BondTransferFailed()"))


@external
@view
def credit(_recipient: address) -> uint256:
    if self._mode() == MODE_REFUND:
        return self.refundModeCredit[_recipient]
    return self.normalModeCredit[_recipient]


@external
@payable
def __default__():
    """Receives ETH from DelayedWETH.withdraw before forwarding it to the recipient."""
    assert msg.sender == self._arg_address(ARG_WETH) and len(msg.data) == 0


# ============================================================================================
# Views
# ============================================================================================

@external
@view
def claimData(_index: uint256) -> (uint32, address, address, uint128, bytes32, uint128, uint128):
    if not self._is_game():
        raw_revert(concat(method_id("Panic(uint256)"), convert(50, bytes32)))
    c: ClaimData = self._claim(_index)
    return c.parentIndex, c.counteredBy, c.claimant, c.bond, c.claim, c.position, c.clock


@external
@view
def claimDataLen() -> uint256:
    if not self._is_game():
        return 0
    return (self._state >> MOVES_SHIFT) + 1


@external
@view
def subgames(_claimIndex: uint256, _i: uint256) -> uint256:
    if _i >= self._subgamesLen[_claimIndex]:
        raw_revert(concat(method_id("Panic(uint256)"), convert(50, bytes32)))
    return self._subgames[_claimIndex][_i]


@external
@view
def resolutionCheckpoints(_claimIndex: uint256) -> (bool, uint32, uint128, address):
    cp: ResolutionCheckpoint = self._load_checkpoint(_claimIndex)
    return cp.initialCheckpointComplete, cp.subgameIndex, cp.leftmostPosition, cp.counteredBy


@external
@view
def status() -> uint8:
    return convert(self._state & STATUS_MASK, uint8)


@external
@view
def createdAt() -> uint64:
    if not self._is_game():
        return 0
    return convert((self._tail() >> 64) & MAX_U64, uint64)


@external
@view
def resolvedAt() -> uint64:
    return convert((self._state >> RESOLVED_AT_SHIFT) & MAX_U64, uint64)


@external
@view
def bondDistributionMode() -> uint8:
    return self._mode()


@external
@view
def wasRespectedGameTypeWhenCreated() -> bool:
    return self._state & FLAG_RESPECTED != 0


@external
@view
def l2BlockNumberChallenged() -> bool:
    return self._state & FLAG_L2_CHALLENGED != 0


@internal
@view
def _starting_block() -> uint256:
    return (self._state >> STARTING_BLOCK_SHIFT) & MAX_U64


@external
@view
def startingOutputRoot() -> (bytes32, uint256):
    return self._startingRoot, self._starting_block()


@external
@view
def startingBlockNumber() -> uint256:
    return self._starting_block()


@external
@view
def startingRootHash() -> bytes32:
    return self._startingRoot


# The per-game and per-type values below are clone arguments; on the implementation (which
# has none) they read whatever its own code holds at those offsets and mean nothing.

@external
@view
def l2BlockNumber() -> uint256:
    return self._l2_block_number()


@external
@view
def l2SequenceNumber() -> uint256:
    return self._l2_block_number()


@external
@view
def gameType() -> uint32:
    return self._config().gameType


@external
@view
def gameCreator() -> address:
    return self._arg_address(ARG_CREATOR)


@external
@view
def rootClaim() -> bytes32:
    return convert(self._code_word(ARG_ROOT_CLAIM), bytes32)


@external
@view
def l1Head() -> bytes32:
    return convert(self._code_word(ARG_L1_HEAD), bytes32)


@internal
@view
def _extra_data() -> Bytes[32]:
    # Only 32-byte extra data can initialize, so the block number word is the whole of it.
    n: uint256 = self._code_word(ARG_EXTRA_LEN) & 65535
    return slice(concat(convert(self._l2_block_number(), bytes32), b""), 0, min(n, 32))


@external
@view
def extraData() -> Bytes[32]:
    return self._extra_data()


@external
@view
def gameData() -> (uint32, bytes32, Bytes[32]):
    return self._config().gameType, convert(self._code_word(ARG_ROOT_CLAIM), bytes32), self._extra_data()


@external
@view
def absolutePrestate() -> bytes32:
    return convert(self._code_word(ARG_PRESTATE), bytes32)


@external
@view
def maxGameDepth() -> uint256:
    return self._config().maxGameDepth


@external
@view
def splitDepth() -> uint256:
    return self._config().splitDepth


@external
@view
def maxClockDuration() -> uint64:
    return convert(self._config().maxClockDuration, uint64)


@external
@view
def clockExtension() -> uint64:
    return convert(self._config().clockExtension, uint64)


@external
@view
def vm() -> address:
    return self._arg_address(ARG_VM)


@external
@view
def weth() -> address:
    return self._arg_address(ARG_WETH)


@external
@view
def anchorStateRegistry() -> address:
    return self._arg_address(ARG_ASR)


@external
@view
def l2ChainId() -> uint256:
    return self._code_word(ARG_L2_CHAIN_ID)


@external
@pure
def version() -> String[16]:
    return "2.4.0-vyper"
