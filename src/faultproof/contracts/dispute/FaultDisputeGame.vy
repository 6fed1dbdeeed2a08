#pragma version 0.4.3
"""
@title FaultDisputeGame
@notice A bisection game over an L2 output root (depths 0..SPLIT_DEPTH) and, below it, over
        an FPVM execution trace (depths SPLIT_DEPTH+1..MAX_GAME_DEPTH), settled by one on-chain
        VM step. ABI-compatible with Optimism's FaultDisputeGame (spec digest section 2), in the
        newer design: bond refund mode, the AnchorStateRegistry as source of truth.
@dev    Deployed per game with `create_from_blueprint` by the DisputeGameFactory. Vyper has no
        clone-with-immutable-args, so the per-type configuration and the per-game arguments
        (creator, root claim, L1 head, extra data) are constructor arguments stored as
        immutables. See README.md in this folder for every deviation from Optimism.
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

event Move:
    parentIndex: indexed(uint256)
    claim: indexed(bytes32)
    claimant: indexed(address)

event Resolved:
    status: indexed(uint8)

event GameClosed:
    bondDistributionMode: uint8

# ---- per-type configuration (Optimism: constructor immutables / [v2] CWIA game args) -------
GAME_TYPE: immutable(uint32)
ABSOLUTE_PRESTATE: immutable(bytes32)
MAX_GAME_DEPTH: immutable(uint256)
SPLIT_DEPTH: immutable(uint256)
CLOCK_EXTENSION: immutable(uint64)
MAX_CLOCK_DURATION: immutable(uint64)
VM: immutable(address)
WETH: immutable(address)
ANCHOR_STATE_REGISTRY: immutable(address)
L2_CHAIN_ID: immutable(uint256)
# ---- per-game arguments (Optimism: CWIA appended to the clone) -----------------------------
GAME_CREATOR: immutable(address)
ROOT_CLAIM: immutable(bytes32)
L1_HEAD: immutable(bytes32)
L2_BLOCK_NUMBER: immutable(uint256)
EXTRA_DATA_LEN: immutable(uint256)

# ---- state ---------------------------------------------------------------------------------
createdAt: public(uint64)
resolvedAt: public(uint64)
status: public(uint8)
initialized: bool

# ClaimData is stored packed (Vyper gives every struct member its own slot; packing saves
# three cold SSTOREs per move): word A = claimant | parentIndex << 160, word B = bond |
# position << 128, then the claim, the clock, and counteredBy (written only when countered).
_claimWordA: HashMap[uint256, uint256]
_claimWordB: HashMap[uint256, uint256]
_claimValue: HashMap[uint256, bytes32]
_claimClock: HashMap[uint256, uint256]
_counteredBy: HashMap[uint256, address]
_claimDataLen: uint256
claims: public(HashMap[bytes32, bool])
_subgames: HashMap[uint256, HashMap[uint256, uint256]]
_subgamesLen: HashMap[uint256, uint256]
resolvedSubgames: public(HashMap[uint256, bool])
# ResolutionCheckpoint packed: word = complete | subgameIndex << 8 | leftmostPosition << 64,
# plus counteredBy.
_checkpointWord: HashMap[uint256, uint256]
_checkpointCounter: HashMap[uint256, address]

_startingRoot: bytes32
_startingBlock: uint256

normalModeCredit: public(HashMap[address, uint256])
refundModeCredit: public(HashMap[address, uint256])
hasUnlockedCredit: public(HashMap[address, bool])
bondDistributionMode: public(uint8)
wasRespectedGameTypeWhenCreated: public(bool)

l2BlockNumberChallenged: public(bool)
l2BlockNumberChallenger: public(address)


@deploy
def __init__(
    _gameType: uint32,
    _absolutePrestate: bytes32,
    _maxGameDepth: uint256,
    _splitDepth: uint256,
    _clockExtension: uint64,
    _maxClockDuration: uint64,
    _vm: address,
    _weth: address,
    _anchorStateRegistry: address,
    _l2ChainId: uint256,
    _gameCreator: address,
    _rootClaim: bytes32,
    _l1Head: bytes32,
    _extraData: Bytes[MAX_EXTRA_DATA],
):
    """Store configuration and per-game arguments; all checks run in `initialize`.

    Checks happen in `initialize` because a revert there bubbles its named error up through
    the factory's `create`, whereas a failed blueprint creation loses the reason.
    """
    GAME_TYPE = _gameType
    ABSOLUTE_PRESTATE = _absolutePrestate
    MAX_GAME_DEPTH = _maxGameDepth
    SPLIT_DEPTH = _splitDepth
    CLOCK_EXTENSION = _clockExtension
    MAX_CLOCK_DURATION = _maxClockDuration
    VM = _vm
    WETH = _weth
    ANCHOR_STATE_REGISTRY = _anchorStateRegistry
    L2_CHAIN_ID = _l2ChainId
    GAME_CREATOR = _gameCreator
    ROOT_CLAIM = _rootClaim
    L1_HEAD = _l1Head
    EXTRA_DATA_LEN = len(_extraData)
    L2_BLOCK_NUMBER = convert(extract32(concat(_extraData, empty(bytes32)), 0), uint256)


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
def _push_claim(parent: uint32, claimant: address, bond: uint256, claim: bytes32, pos: uint256, clock: uint256):
    idx: uint256 = self._claimDataLen
    self._claimWordA[idx] = convert(claimant, uint256) | (convert(parent, uint256) << 160)
    self._claimWordB[idx] = convert(convert(bond, uint128), uint256) | (convert(convert(pos, uint128), uint256) << 128)
    self._claimValue[idx] = claim
    self._claimClock[idx] = convert(convert(clock, uint128), uint256)
    self._claimDataLen = idx + 1


@payable
@external
def initialize():
    if self.initialized:
        raw_revert(method_id("AlreadyInitialized()"))
    # Configuration checks (Optimism runs these in the implementation's constructor).
    if MAX_GAME_DEPTH > MAX_POSITION_BITLEN_DEPTH:
        raw_revert(method_id("MaxDepthTooLarge()"))
    if SPLIT_DEPTH == max_value(uint256) or SPLIT_DEPTH + 1 >= MAX_GAME_DEPTH or SPLIT_DEPTH < 2:
        raw_revert(method_id("InvalidSplitDepth()"))
    period: uint256 = staticcall IPreimageOracle(staticcall IBigStepper(VM).oracle()).challengePeriod()
    if period > MAX_U64:
        raw_revert(method_id("InvalidChallengePeriod()"))
    ce: uint256 = convert(CLOCK_EXTENSION, uint256)
    max_ext: uint256 = max(2 * ce, ce + period)
    if max_ext > MAX_U64 or max_ext > convert(MAX_CLOCK_DURATION, uint256):
        raw_revert(method_id("InvalidClockExtension()"))

    root: bytes32 = empty(bytes32)
    anchor_block: uint256 = 0
    root, anchor_block = staticcall IAnchorStateRegistry(ANCHOR_STATE_REGISTRY).getAnchorRoot()
    if root == empty(bytes32):
        raw_revert(method_id("AnchorRootNotFound()"))
    self._startingRoot = root
    self._startingBlock = anchor_block

    # Optimism checks the exact calldata length; here the extra data length (same attack).
    if EXTRA_DATA_LEN != 32:
        raw_revert(method_id("BadExtraData()"))
    if L2_BLOCK_NUMBER <= anchor_block or L2_BLOCK_NUMBER > MAX_U64:
        raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), ROOT_CLAIM))

    self._push_claim(ROOT_PARENT, GAME_CREATOR, msg.value, ROOT_CLAIM, 1, block.timestamp)
    self.initialized = True
    extcall IDelayedWETH(WETH).deposit(value=msg.value)
    self.refundModeCredit[GAME_CREATOR] += msg.value
    self.createdAt = convert(block.timestamp, uint64)
    self.wasRespectedGameTypeWhenCreated = (
        staticcall IAnchorStateRegistry(ANCHOR_STATE_REGISTRY).respectedGameType() == GAME_TYPE
    )


# ============================================================================================
# Moves and clocks (sections 2.4, 2.5)
# ============================================================================================

@internal
@view
def _claim(idx: uint256) -> ClaimData:
    if idx >= self._claimDataLen:
        # Solidity's out-of-bounds array access: Panic(0x32).
        raw_revert(concat(method_id("Panic(uint256)"), convert(50, bytes32)))
    return self._load_claim(idx)


@internal
@view
def _load_claim(idx: uint256) -> ClaimData:
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
def _challenger_duration(idx: uint256) -> uint64:
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    c: ClaimData = self._claim(idx)
    parent_duration: uint256 = 0
    if c.parentIndex != ROOT_PARENT:
        parent_duration = self._claimClock[convert(c.parentIndex, uint256)] >> 64
    ts: uint256 = convert(c.clock, uint256) & MAX_U64
    d: uint256 = parent_duration + (block.timestamp - ts)
    return convert(min(d, convert(MAX_CLOCK_DURATION, uint256)), uint64)


@external
@view
def getChallengerDuration(_claimIndex: uint256) -> uint64:
    return self._challenger_duration(_claimIndex)


@internal
@view
def _required_bond(pos: uint256) -> uint256:
    d: uint256 = self._depth(pos)
    if d > MAX_GAME_DEPTH:
        raw_revert(method_id("GameDepthExceeded()"))
    return bond_math.required_bond(d, MAX_GAME_DEPTH)


@external
@view
def getRequiredBond(_position: uint128) -> uint256:
    return self._required_bond(convert(_position, uint256))


@internal
@view
def _find_trace_ancestor(pos: uint256, start: uint256, is_global: bool) -> ClaimData:
    target: uint256 = 0
    if is_global:
        target = self._trace_ancestor(pos)
    else:
        target = self._trace_ancestor_bounded(pos, SPLIT_DEPTH)
    a: ClaimData = self._claim(start)
    for _: uint256 in range(MAX_POSITION_BITLEN_DEPTH + 1):
        if convert(a.position, uint256) == target:
            return a
        a = self._claim(convert(a.parentIndex, uint256))
    raw_revert(method_id("InvalidParent()"))


@internal
@view
def _verify_exec_bisection_root(claim: bytes32, parent_idx: uint256, parent_pos: uint256, is_attack: bool):
    status: uint8 = convert(convert(claim, uint256) >> 248, uint8)
    disputed: ClaimData = self._find_trace_ancestor(parent_pos + 1, parent_idx, True)
    if is_attack or self._depth(convert(disputed.position, uint256)) % 2 == SPLIT_DEPTH % 2:
        if status != VM_INVALID and status != VM_PANIC:
            raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), claim))
    elif status != VM_VALID:
        raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), claim))


@internal
def _move(disputed: bytes32, challenge_index: uint256, claim: bytes32, is_attack: bool, bond: uint256, sender: address):
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    parent: ClaimData = self._claim(challenge_index)
    if parent.claim != disputed:
        raw_revert(method_id("InvalidDisputedClaimIndex()"))
    parent_pos: uint256 = convert(parent.position, uint256)
    next_pos: uint256 = self._move_pos(parent_pos, is_attack)
    next_depth: uint256 = self._depth(next_pos)
    if not is_attack and (challenge_index == 0 or next_depth == SPLIT_DEPTH + 2):
        raw_revert(method_id("CannotDefendRootClaim()"))
    if challenge_index == 0 and self.l2BlockNumberChallenged:
        raw_revert(method_id("L2BlockNumberChallenged()"))
    if next_depth > MAX_GAME_DEPTH:
        raw_revert(method_id("GameDepthExceeded()"))
    if next_depth == SPLIT_DEPTH + 1:
        self._verify_exec_bisection_root(claim, challenge_index, parent_pos, is_attack)
    if bond != self._required_bond(next_pos):
        raw_revert(method_id("IncorrectBondAmount()"))

    next_duration: uint256 = convert(self._challenger_duration(challenge_index), uint256)
    max_clock: uint256 = convert(MAX_CLOCK_DURATION, uint256)
    if next_duration == max_clock:
        raw_revert(method_id("ClockTimeExceeded()"))
    ext: uint256 = convert(CLOCK_EXTENSION, uint256)
    if next_depth == MAX_GAME_DEPTH - 1:
        ext += staticcall IPreimageOracle(staticcall IBigStepper(VM).oracle()).challengePeriod()
    elif next_depth == SPLIT_DEPTH - 1:
        ext *= 2
    if next_duration > max_clock - ext:
        next_duration = max_clock - ext

    claim_hash: bytes32 = keccak256(abi_encode(claim, (next_pos << 128) | (challenge_index & convert(max_value(uint128), uint256))))
    if self.claims[claim_hash]:
        raw_revert(method_id("ClaimAlreadyExists()"))
    self.claims[claim_hash] = True

    new_idx: uint256 = self._claimDataLen
    self._push_claim(convert(challenge_index, uint32), sender, bond, claim, next_pos, (next_duration << 64) | block.timestamp)
    n: uint256 = self._subgamesLen[challenge_index]
    self._subgames[challenge_index][n] = new_idx
    self._subgamesLen[challenge_index] = n + 1

    extcall IDelayedWETH(WETH).deposit(value=bond)
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
def _find_starting_and_disputed_outputs(start: uint256) -> (bytes32, uint256, bytes32, uint256):
    c: ClaimData = self._claim(start)
    if self._depth(convert(c.position, uint256)) <= SPLIT_DEPTH:
        raw_revert(method_id("ClaimAboveSplit()"))
    output_index: uint256 = convert(c.parentIndex, uint256)
    exec_root: ClaimData = c
    output: ClaimData = self._claim(output_index)
    for _: uint256 in range(MAX_POSITION_BITLEN_DEPTH + 1):
        if self._depth(convert(output.position, uint256)) <= SPLIT_DEPTH:
            break
        exec_root = output
        output_index = convert(output.parentIndex, uint256)
        output = self._claim(output_index)
    out_pos: uint256 = convert(output.position, uint256)
    if convert(exec_root.position, uint256) >> 1 == out_pos:
        # Opened by an attack: the output leaf is disputed, the one before it is the start.
        if self._index_at_depth(out_pos) > 0:
            starting: ClaimData = self._find_trace_ancestor(out_pos - 1, output_index, True)
            return starting.claim, convert(starting.position, uint256), output.claim, out_pos
        return self._startingRoot, 0, output.claim, out_pos
    # Opened by a defend: the output leaf is the start, the next output is disputed.
    disputed: ClaimData = self._find_trace_ancestor(out_pos + 1, output_index, True)
    return output.claim, out_pos, disputed.claim, convert(disputed.position, uint256)


@internal
@pure
def _compute_local_context(starting: bytes32, starting_pos: uint256, disputed: bytes32, disputed_pos: uint256) -> bytes32:
    if starting_pos == 0:
        return keccak256(abi_encode(disputed, disputed_pos))
    return keccak256(abi_encode(starting, starting_pos, disputed, disputed_pos))


@external
def step(_claimIndex: uint256, _isAttack: bool, _stateData: Bytes[MAX_STATE_DATA], _proof: Bytes[MAX_PROOF]):
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    parent: ClaimData = self._claim(_claimIndex)
    parent_pos: uint256 = convert(parent.position, uint256)
    step_pos: uint256 = self._move_pos(parent_pos, _isAttack)
    if self._depth(step_pos) != MAX_GAME_DEPTH + 1:
        raw_revert(method_id("InvalidParent()"))

    pre_state_claim: bytes32 = empty(bytes32)
    post_state: ClaimData = empty(ClaimData)
    if _isAttack:
        if self._index_at_depth(step_pos) % (1 << (MAX_GAME_DEPTH - SPLIT_DEPTH)) == 0:
            pre_state_claim = ABSOLUTE_PRESTATE
        else:
            pre_state_claim = self._find_trace_ancestor(parent_pos - 1, convert(parent.parentIndex, uint256), False).claim
        post_state = parent
    else:
        pre_state_claim = parent.claim
        post_state = self._find_trace_ancestor(parent_pos + 1, convert(parent.parentIndex, uint256), False)

    # The status byte (byte 0) is not part of the commitment check.
    low_mask: uint256 = (1 << 248) - 1
    if convert(keccak256(_stateData), uint256) & low_mask != convert(pre_state_claim, uint256) & low_mask:
        raw_revert(method_id("InvalidPrestate()"))

    s_claim: bytes32 = empty(bytes32)
    s_pos: uint256 = 0
    d_claim: bytes32 = empty(bytes32)
    d_pos: uint256 = 0
    s_claim, s_pos, d_claim, d_pos = self._find_starting_and_disputed_outputs(_claimIndex)
    uuid: bytes32 = self._compute_local_context(s_claim, s_pos, d_claim, d_pos)

    valid_step: bool = extcall IBigStepper(VM).step(_stateData, _proof, uuid) == post_state.claim
    parent_post_agree: bool = (self._depth(parent_pos) - self._depth(convert(post_state.position, uint256))) % 2 == 0
    if parent_post_agree == valid_step:
        raw_revert(method_id("ValidStep()"))
    if parent.counteredBy != empty(address):
        raw_revert(method_id("DuplicateStep()"))
    self._counteredBy[_claimIndex] = msg.sender


@external
def addLocalData(_ident: uint256, _execLeafIdx: uint256, _partOffset: uint256):
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    s_claim: bytes32 = empty(bytes32)
    s_pos: uint256 = 0
    d_claim: bytes32 = empty(bytes32)
    d_pos: uint256 = 0
    s_claim, s_pos, d_claim, d_pos = self._find_starting_and_disputed_outputs(_execLeafIdx)
    uuid: bytes32 = self._compute_local_context(s_claim, s_pos, d_claim, d_pos)
    word: bytes32 = empty(bytes32)
    size: uint256 = 32
    if _ident == 1:
        word = L1_HEAD
    elif _ident == 2:
        word = s_claim
    elif _ident == 3:
        word = d_claim
    elif _ident == 4:
        l2_number: uint256 = self._startingBlock + self._trace_index(d_pos, SPLIT_DEPTH) + 1
        l2_number = min(l2_number, L2_BLOCK_NUMBER)
        word = convert(l2_number << 192, bytes32)
        size = 8
    elif _ident == 5:
        word = convert(L2_CHAIN_ID << 192, bytes32)
        size = 8
    else:
        raw_revert(method_id("InvalidLocalIdent()"))
    oracle: address = staticcall IBigStepper(VM).oracle()
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
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    if self.l2BlockNumberChallenged:
        raw_revert(method_id("L2BlockNumberChallenged()"))
    output_root: bytes32 = keccak256(abi_encode(
        _outputRootProof.version, _outputRootProof.stateRoot,
        _outputRootProof.messagePasserStorageRoot, _outputRootProof.latestBlockhash,
    ))
    if output_root != ROOT_CLAIM:
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
    if number == L2_BLOCK_NUMBER:
        raw_revert(method_id("BlockNumberMatches()"))
    self.l2BlockNumberChallenger = msg.sender
    self.l2BlockNumberChallenged = True


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
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    root: ClaimData = self._claim(_claimIndex)
    if self._challenger_duration(_claimIndex) < MAX_CLOCK_DURATION:
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
        if _claimIndex == 0 and self.l2BlockNumberChallenged:
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
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    if not self.resolvedSubgames[0]:
        raw_revert(method_id("OutOfOrderResolution()"))
    s: uint8 = DEFENDER_WINS
    if self._counteredBy[0] != empty(address):
        s = CHALLENGER_WINS
    self.status = s
    self.resolvedAt = convert(block.timestamp, uint64)
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
def _close_game():
    mode: uint8 = self.bondDistributionMode
    if mode == MODE_NORMAL or mode == MODE_REFUND:
        return
    if mode != MODE_UNDECIDED:
        raw_revert(method_id("InvalidBondDistributionMode()"))
    asr: IAnchorStateRegistry = IAnchorStateRegistry(ANCHOR_STATE_REGISTRY)
    if staticcall asr.paused():
        raw_revert(method_id("GamePaused()"))
    if self.resolvedAt == 0:
        raw_revert(method_id("GameNotResolved()"))
    if not staticcall asr.isGameFinalized(self):
        raw_revert(method_id("GameNotFinalized()"))
    # Try to make this game the anchor; a game that cannot be the anchor is not an error here.
    anchored: bool = raw_call(
        ANCHOR_STATE_REGISTRY,
        abi_encode(self, method_id=method_id("setAnchorState(address)")),
        revert_on_failure=False,
    )
    mode = MODE_REFUND
    if staticcall asr.isGameProper(self):
        mode = MODE_NORMAL
    self.bondDistributionMode = mode
    log GameClosed(bondDistributionMode=mode)


@external
def closeGame():
    self._close_game()


@external
@nonreentrant
def claimCredit(_recipient: address):
    self._close_game()
    amount: uint256 = 0
    mode: uint8 = self.bondDistributionMode
    if mode == MODE_REFUND:
        amount = self.refundModeCredit[_recipient]
    elif mode == MODE_NORMAL:
        amount = self.normalModeCredit[_recipient]
    else:
        raw_revert(method_id("InvalidBondDistributionMode()"))

    # First call: start the DelayedWETH delay for this recipient's credit.
    if not self.hasUnlockedCredit[_recipient]:
        self.hasUnlockedCredit[_recipient] = True
        extcall IDelayedWETH(WETH).unlock(_recipient, amount)
        return

    if amount == 0:
        raw_revert(method_id("NoCreditToClaim()"))
    self.refundModeCredit[_recipient] = 0
    self.normalModeCredit[_recipient] = 0
    extcall IDelayedWETH(WETH).withdraw(_recipient, amount)
    ok: bool = raw_call(_recipient, b"", value=amount, revert_on_failure=False)
    if not ok:
        raw_revert(method_id("BondTransferFailed()"))


@external
@view
def credit(_recipient: address) -> uint256:
    if self.bondDistributionMode == MODE_REFUND:
        return self.refundModeCredit[_recipient]
    return self.normalModeCredit[_recipient]


@external
@payable
def __default__():
    """Receives ETH from DelayedWETH.withdraw before forwarding it to the recipient."""
    assert msg.sender == WETH and len(msg.data) == 0


# ============================================================================================
# Views
# ============================================================================================

@external
@view
def claimData(_index: uint256) -> (uint32, address, address, uint128, bytes32, uint128, uint128):
    c: ClaimData = self._claim(_index)
    return c.parentIndex, c.counteredBy, c.claimant, c.bond, c.claim, c.position, c.clock


@external
@view
def claimDataLen() -> uint256:
    return self._claimDataLen


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
def startingOutputRoot() -> (bytes32, uint256):
    return self._startingRoot, self._startingBlock


@external
@view
def startingBlockNumber() -> uint256:
    return self._startingBlock


@external
@view
def startingRootHash() -> bytes32:
    return self._startingRoot


@external
@view
def l2BlockNumber() -> uint256:
    return L2_BLOCK_NUMBER


@external
@view
def l2SequenceNumber() -> uint256:
    return L2_BLOCK_NUMBER


@external
@view
def gameType() -> uint32:
    return GAME_TYPE


@external
@view
def gameCreator() -> address:
    return GAME_CREATOR


@external
@view
def rootClaim() -> bytes32:
    return ROOT_CLAIM


@external
@view
def l1Head() -> bytes32:
    return L1_HEAD


@internal
@view
def _extra_data() -> Bytes[32]:
    # Only 32-byte extra data can initialize, so the block number word is the whole of it.
    return slice(concat(convert(L2_BLOCK_NUMBER, bytes32), b""), 0, min(EXTRA_DATA_LEN, 32))


@external
@view
def extraData() -> Bytes[32]:
    return self._extra_data()


@external
@view
def gameData() -> (uint32, bytes32, Bytes[32]):
    return GAME_TYPE, ROOT_CLAIM, self._extra_data()


@external
@view
def absolutePrestate() -> bytes32:
    return ABSOLUTE_PRESTATE


@external
@view
def maxGameDepth() -> uint256:
    return MAX_GAME_DEPTH


@external
@view
def splitDepth() -> uint256:
    return SPLIT_DEPTH


@external
@view
def maxClockDuration() -> uint64:
    return MAX_CLOCK_DURATION


@external
@view
def clockExtension() -> uint64:
    return CLOCK_EXTENSION


@external
@view
def vm() -> address:
    return VM


@external
@view
def weth() -> address:
    return WETH


@external
@view
def anchorStateRegistry() -> address:
    return ANCHOR_STATE_REGISTRY


@external
@view
def l2ChainId() -> uint256:
    return L2_CHAIN_ID


@external
@pure
def version() -> String[16]:
    return "2.4.0-vyper"
