#pragma version 0.4.3
"""
@title OldFaultDisputeGame (test mock)
@notice The surface of Optimism's FaultDisputeGame 1.3.1-beta.5 (October 2024, spec digest [v1])
        that our agents touch, for testing them without Optimism's Solidity sources:
        - bonds are paid at `resolveClaim`: `credit[recipient] += bond` and
          `WETH.unlock(recipient, bond)` (DelayedWETH's delay starts then);
        - `claimCredit(address)` pays everything in one call once DelayedWETH's delay is over
          (`NoCreditToClaim` when there is nothing), `credit(address)` is a public mapping;
        - there is no `bondDistributionMode`, `closeGame`, `normalModeCredit`,
          `refundModeCredit` or `hasUnlockedCredit`: calling them reverts with no data, as a
          Solidity contract without a fallback does;
        - the per-type configuration is the implementation's constructor (immutables), and
          games are minimal proxies of it made by the old factory, then `initialize()`d.
@dev    Deviations, all invisible to an agent: Optimism's clones carry their per-game arguments
        (creator, root claim, L1 head, extra data) appended to the calldata; a Vyper minimal
        proxy cannot, so `initialize()` reads them back from the creating factory
        (`cloneArgs()`). `move` skips the execution-root status check and there is no `step`,
        `addLocalData` or `challengeRootL2Block`: the tests only play the output bisection.
        Resolution has no pagination checkpoints (`_numToResolve` is ignored). The bond
        schedule is a flat one (getRequiredBond is what agents read, never a formula).
"""

interface IDelayedWETH:
    def deposit(): payable
    def unlock(_guy: address, _wad: uint256): nonpayable
    def withdraw(_guy: address, _wad: uint256): nonpayable

interface IOldAnchorStateRegistry:
    def anchors(_gameType: uint32) -> (bytes32, uint256): view
    def tryUpdateAnchorState(): nonpayable

interface ICloneArgs:
    def cloneArgs() -> (address, bytes32, bytes32, bytes32): view

ROOT_PARENT: constant(uint32) = max_value(uint32)
MAX_CHILDREN: constant(uint256) = 64
BOND_PER_DEPTH: constant(uint256) = 10**16

IN_PROGRESS: constant(uint8) = 0
CHALLENGER_WINS: constant(uint8) = 1
DEFENDER_WINS: constant(uint8) = 2

struct ClaimData:
    parentIndex: uint32
    counteredBy: address
    claimant: address
    bond: uint128
    claim: bytes32
    position: uint128
    clock: uint128

event Move:
    parentIndex: indexed(uint256)
    claim: indexed(bytes32)
    claimant: indexed(address)

event Resolved:
    status: indexed(uint8)

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

# per-game arguments (Optimism: clone-with-immutable-args)
gameCreator: public(address)
rootClaim: public(bytes32)
l1Head: public(bytes32)
_extra: bytes32

createdAt: public(uint64)
resolvedAt: public(uint64)
status: public(uint8)
initialized: bool
_claimData: DynArray[ClaimData, 1024]
claims: public(HashMap[bytes32, bool])
_subgames: HashMap[uint256, DynArray[uint256, MAX_CHILDREN]]
resolvedSubgames: public(HashMap[uint256, bool])
credit: public(HashMap[address, uint256])
_startingRoot: bytes32
_startingBlock: uint256
l2BlockNumberChallenged: public(bool)


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
):
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


@internal
@pure
def _depth(g: uint256) -> uint256:
    d: uint256 = 0
    x: uint256 = g
    for i: uint256 in range(256):
        if x <= 1:
            break
        x = x >> 1
        d += 1
    return d


@payable
@external
def initialize():
    if self.initialized:
        raw_revert(method_id("AlreadyInitialized()"))
    creator: address = empty(address)
    root: bytes32 = empty(bytes32)
    head: bytes32 = empty(bytes32)
    extra: bytes32 = empty(bytes32)
    creator, root, head, extra = staticcall ICloneArgs(msg.sender).cloneArgs()
    anchor_root: bytes32 = empty(bytes32)
    anchor_block: uint256 = 0
    anchor_root, anchor_block = staticcall IOldAnchorStateRegistry(ANCHOR_STATE_REGISTRY).anchors(GAME_TYPE)
    if anchor_root == empty(bytes32):
        raw_revert(method_id("AnchorRootNotFound()"))
    if convert(extra, uint256) <= anchor_block:
        raw_revert(concat(method_id("UnexpectedRootClaim(bytes32)"), root))
    self.gameCreator = creator
    self.rootClaim = root
    self.l1Head = head
    self._extra = extra
    self._startingRoot = anchor_root
    self._startingBlock = anchor_block
    self._claimData.append(ClaimData(
        parentIndex=ROOT_PARENT, counteredBy=empty(address), claimant=creator,
        bond=convert(msg.value, uint128), claim=root, position=1,
        clock=convert(block.timestamp, uint128)))
    self.initialized = True
    extcall IDelayedWETH(WETH).deposit(value=msg.value)
    self.createdAt = convert(block.timestamp, uint64)


@internal
@view
def _challenger_duration(idx: uint256) -> uint64:
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    c: ClaimData = self._claimData[idx]
    parent_duration: uint256 = 0
    if c.parentIndex != ROOT_PARENT:
        parent_duration = convert(self._claimData[convert(c.parentIndex, uint256)].clock, uint256) >> 64
    ts: uint256 = convert(c.clock, uint256) & convert(max_value(uint64), uint256)
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
    return BOND_PER_DEPTH * (d + 1)


@external
@view
def getRequiredBond(_position: uint128) -> uint256:
    return self._required_bond(convert(_position, uint256))


@internal
def _move(disputed: bytes32, parent_idx: uint256, claim: bytes32, is_attack: bool, bond: uint256):
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    parent: ClaimData = self._claimData[parent_idx]
    if parent.claim != disputed:
        raw_revert(method_id("InvalidDisputedClaimIndex()"))
    parent_pos: uint256 = convert(parent.position, uint256)
    next_pos: uint256 = parent_pos << 1
    if not is_attack:
        next_pos = (parent_pos | 1) << 1
    next_depth: uint256 = self._depth(next_pos)
    if not is_attack and (parent_idx == 0 or next_depth == SPLIT_DEPTH + 2):
        raw_revert(method_id("CannotDefendRootClaim()"))
    if next_depth > MAX_GAME_DEPTH:
        raw_revert(method_id("GameDepthExceeded()"))
    if bond != self._required_bond(next_pos):
        raw_revert(method_id("IncorrectBondAmount()"))
    next_duration: uint256 = convert(self._challenger_duration(parent_idx), uint256)
    max_clock: uint256 = convert(MAX_CLOCK_DURATION, uint256)
    if next_duration == max_clock:
        raw_revert(method_id("ClockTimeExceeded()"))
    ext: uint256 = convert(CLOCK_EXTENSION, uint256)
    if next_duration > max_clock - ext:
        next_duration = max_clock - ext
    claim_hash: bytes32 = keccak256(abi_encode(claim, (next_pos << 128) | parent_idx))
    if self.claims[claim_hash]:
        raw_revert(method_id("ClaimAlreadyExists()"))
    self.claims[claim_hash] = True
    self._subgames[parent_idx].append(len(self._claimData))
    self._claimData.append(ClaimData(
        parentIndex=convert(parent_idx, uint32), counteredBy=empty(address), claimant=msg.sender,
        bond=convert(bond, uint128), claim=claim, position=convert(next_pos, uint128),
        clock=convert((next_duration << 64) | block.timestamp, uint128)))
    extcall IDelayedWETH(WETH).deposit(value=bond)
    log Move(parentIndex=parent_idx, claim=claim, claimant=msg.sender)


@payable
@external
def move(_disputed: bytes32, _challengeIndex: uint256, _claim: bytes32, _isAttack: bool):
    self._move(_disputed, _challengeIndex, _claim, _isAttack, msg.value)


@payable
@external
def attack(_disputed: bytes32, _parentIndex: uint256, _claim: bytes32):
    self._move(_disputed, _parentIndex, _claim, True, msg.value)


@payable
@external
def defend(_disputed: bytes32, _parentIndex: uint256, _claim: bytes32):
    self._move(_disputed, _parentIndex, _claim, False, msg.value)


@internal
def _distribute_bond(recipient: address, bond: uint128):
    """[v1]: the bond is credited and unlocked in DelayedWETH now, at resolveClaim time."""
    amount: uint256 = convert(bond, uint256)
    self.credit[recipient] += amount
    extcall IDelayedWETH(WETH).unlock(recipient, amount)


@external
def resolveClaim(_claimIndex: uint256, _numToResolve: uint256):
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    c: ClaimData = self._claimData[_claimIndex]
    if self._challenger_duration(_claimIndex) < MAX_CLOCK_DURATION:
        raw_revert(method_id("ClockNotExpired()"))
    if self.resolvedSubgames[_claimIndex]:
        raw_revert(method_id("ClaimAlreadyResolved()"))
    countered: address = empty(address)
    leftmost: uint128 = max_value(uint128)
    for child: uint256 in self._subgames[_claimIndex]:
        if not self.resolvedSubgames[child]:
            raw_revert(method_id("OutOfOrderResolution()"))
        cd: ClaimData = self._claimData[child]
        if cd.counteredBy == empty(address) and cd.position < leftmost:
            countered = cd.claimant
            leftmost = cd.position
    if countered == empty(address):
        self._distribute_bond(c.claimant, c.bond)
    else:
        self._distribute_bond(countered, c.bond)
    self._claimData[_claimIndex].counteredBy = countered
    self.resolvedSubgames[_claimIndex] = True


@external
def resolve() -> uint8:
    if self.status != IN_PROGRESS:
        raw_revert(method_id("GameNotInProgress()"))
    if not self.resolvedSubgames[0]:
        raw_revert(method_id("OutOfOrderResolution()"))
    s: uint8 = DEFENDER_WINS
    if self._claimData[0].counteredBy != empty(address):
        s = CHALLENGER_WINS
    self.status = s
    self.resolvedAt = convert(block.timestamp, uint64)
    log Resolved(status=s)
    extcall IOldAnchorStateRegistry(ANCHOR_STATE_REGISTRY).tryUpdateAnchorState()
    return s


@external
@nonreentrant
def claimCredit(_recipient: address):
    """[v1]: one call pays it all, once DelayedWETH's delay since the last unlock is over."""
    amount: uint256 = self.credit[_recipient]
    if amount == 0:
        raw_revert(method_id("NoCreditToClaim()"))
    self.credit[_recipient] = 0
    extcall IDelayedWETH(WETH).withdraw(_recipient, amount)
    ok: bool = raw_call(_recipient, b"", value=amount, revert_on_failure=False)
    if not ok:
        raw_revert(method_id("BondTransferFailed()"))


@external
@payable
def __default__():
    # Only plain ETH (DelayedWETH paying out); an unknown selector reverts without data.
    assert len(msg.data) == 0


@external
@view
def claimData(_index: uint256) -> (uint32, address, address, uint128, bytes32, uint128, uint128):
    c: ClaimData = self._claimData[_index]
    return c.parentIndex, c.counteredBy, c.claimant, c.bond, c.claim, c.position, c.clock


@external
@view
def claimDataLen() -> uint256:
    return len(self._claimData)


@external
@view
def subgames(_claimIndex: uint256, _i: uint256) -> uint256:
    return self._subgames[_claimIndex][_i]


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
    return convert(self._extra, uint256)


@external
@view
def extraData() -> Bytes[32]:
    return concat(self._extra, b"")


@external
@view
def gameData() -> (uint32, bytes32, Bytes[32]):
    return GAME_TYPE, self.rootClaim, concat(self._extra, b"")


@external
@view
def gameType() -> uint32:
    return GAME_TYPE


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
    return "1.3.1-beta.5"
