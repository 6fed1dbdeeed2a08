#pragma version 0.4.3
"""
@title DisputeGameFactory
@notice Creates dispute games, one per (game type, root claim, extra data), and indexes them
        (spec digest section 3.1). ABI-compatible with Optimism's DisputeGameFactory.
@dev    `gameImpls[type]` is a deployed FaultDisputeGame implementation; each game is a clone
        of it (an EIP-1167 minimal proxy) whose code carries the game's immutable arguments.
        `gameArgs[type]` holds the per-type configuration as
        `abi.encode(absolutePrestate, maxGameDepth, splitDepth, clockExtension, maxClockDuration,
        vm, weth, anchorStateRegistry, l2ChainId)` (288 bytes). `setImplementation` packs it,
        once, into the head of the clone's creation code (`_cloneHead`); `create` appends the
        per-game arguments, creates the clone and initializes it in the same call. The layout
        is FaultDisputeGame.vy's `ARG_*` constants. See README.md.
"""

interface IDisputeGame:
    def initialize(): payable
    def gameData() -> (uint32, bytes32, Bytes[MAX_EXTRA_DATA]): view

MAX_EXTRA_DATA: constant(uint256) = 256
GAME_ARGS_LEN: constant(uint256) = 288
MAX_SEARCH_RESULTS: constant(uint256) = 256
MAX_U64: constant(uint256) = 2**64 - 1

# Creation code of a clone: copy the 329 bytes that follow these 10 and return them as the
# runtime code (PUSH2 329, RETURNDATASIZE, DUP2, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURN).
CLONE_INIT: constant(Bytes[10]) = x"6101493d81600a3d39f3"
# EIP-1167 minimal proxy around the implementation address (45 bytes with it).
PROXY_PREFIX: constant(Bytes[10]) = x"363d3d373d3d3d363d73"
PROXY_SUFFIX: constant(Bytes[15]) = x"5af43d82803e903d91602b57fd5bf3"
# CLONE_INIT + proxy (55) + per-type arguments (146).
CLONE_HEAD_LEN: constant(uint256) = 201
# + rootClaim, l1Head, creator, factory, extra data length, bond, createdAt, l2BlockNumber.
CLONE_CREATION_LEN: constant(uint256) = 339

struct GameSearchResult:
    index: uint256
    metadata: bytes32
    timestamp: uint64
    rootClaim: bytes32
    extraData: Bytes[MAX_EXTRA_DATA]

event DisputeGameCreated:
    disputeProxy: indexed(address)
    gameType: indexed(uint32)
    rootClaim: indexed(bytes32)

event ImplementationSet:
    impl: indexed(address)
    gameType: indexed(uint32)

event ImplementationArgsSet:
    gameType: indexed(uint32)
    args: Bytes[GAME_ARGS_LEN]

event InitBondUpdated:
    gameType: indexed(uint32)
    newBond: indexed(uint256)

event OwnershipTransferred:
    previousOwner: indexed(address)
    newOwner: indexed(address)

owner: public(address)
gameImpls: public(HashMap[uint32, address])
initBonds: public(HashMap[uint32, uint256])
gameArgs: public(HashMap[uint32, Bytes[GAME_ARGS_LEN]])
# Per type: the clone creation code up to the per-game arguments; empty when `create` cannot
# make games of that type (no implementation, or game args that are not 288 bytes).
_cloneHead: HashMap[uint32, Bytes[CLONE_HEAD_LEN]]
# uuid -> GameId (gameType << 224 | timestamp << 160 | address)
_disputeGames: HashMap[bytes32, uint256]
_disputeGameList: HashMap[uint256, uint256]
_gameCount: uint256


@deploy
def __init__(_owner: address):
    self.owner = _owner
    log OwnershipTransferred(previousOwner=empty(address), newOwner=_owner)


@internal
@view
def _only_owner():
    if msg.sender != self.owner:
        raw_revert(method_id("BadAuth()"))


@external
def transferOwnership(_newOwner: address):
    self._only_owner()
    log OwnershipTransferred(previousOwner=self.owner, newOwner=_newOwner)
    self.owner = _newOwner


@external
def setImplementation(_gameType: uint32, _impl: address, _args: Bytes[GAME_ARGS_LEN] = b""):
    """Register the implementation (and its configuration) that `create` clones for `_gameType`."""
    self._only_owner()
    self.gameImpls[_gameType] = _impl
    self.gameArgs[_gameType] = _args
    head: Bytes[CLONE_HEAD_LEN] = b""
    if _impl != empty(address) and len(_args) == GAME_ARGS_LEN:
        head = self._clone_head(_gameType, _impl, _args)
    self._cloneHead[_gameType] = head
    log ImplementationSet(impl=_impl, gameType=_gameType)
    if len(_args) > 0:
        log ImplementationArgsSet(gameType=_gameType, args=_args)


@internal
@pure
def _clone_head(_gameType: uint32, _impl: address, _args: Bytes[GAME_ARGS_LEN]) -> Bytes[CLONE_HEAD_LEN]:
    """Clone creation code through the per-type arguments, packed as the game reads them.

    Depths above 255 are written as 255: the game's `initialize` refuses any depth over 125
    (`MaxDepthTooLarge`, `InvalidSplitDepth`), so the outcome is the same as with the value.
    """
    prestate: bytes32 = empty(bytes32)
    max_depth: uint256 = 0
    split: uint256 = 0
    ce: uint64 = 0
    max_clock: uint64 = 0
    vm: address = empty(address)
    weth: address = empty(address)
    asr: address = empty(address)
    chain_id: uint256 = 0
    prestate, max_depth, split, ce, max_clock, vm, weth, asr, chain_id = abi_decode(
        _args, (bytes32, uint256, uint256, uint64, uint64, address, address, address, uint256)
    )
    return concat(
        CLONE_INIT, PROXY_PREFIX, convert(_impl, bytes20), PROXY_SUFFIX,
        prestate, convert(chain_id, bytes32), convert(vm, bytes20), convert(weth, bytes20),
        convert(asr, bytes20), convert(ce, bytes8), convert(max_clock, bytes8),
        convert(_gameType, bytes4), convert(convert(min(max_depth, 255), uint8), bytes1),
        convert(convert(min(split, 255), uint8), bytes1),
    )


@external
def setInitBond(_gameType: uint32, _initBond: uint256):
    self._only_owner()
    self.initBonds[_gameType] = _initBond
    log InitBondUpdated(gameType=_gameType, newBond=_initBond)


@internal
@pure
def _uuid(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[MAX_EXTRA_DATA]) -> bytes32:
    return keccak256(abi_encode(_gameType, _rootClaim, _extraData))


@external
@pure
def getGameUUID(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[MAX_EXTRA_DATA]) -> bytes32:
    return self._uuid(_gameType, _rootClaim, _extraData)


@payable
@external
def create(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[MAX_EXTRA_DATA]) -> address:
    """Clone the game implementation with this game's arguments in its code, then initialize it.

    Creation and `initialize` happen in this one call, so nobody can initialize the clone
    first; the clone accepts `initialize` only from this factory.
    """
    head: Bytes[CLONE_HEAD_LEN] = self._cloneHead[_gameType]
    if len(head) == 0:
        raw_revert(concat(method_id("NoImplementation(uint32)"), convert(convert(_gameType, uint256), bytes32)))
    if msg.value != self.initBonds[_gameType]:
        raw_revert(method_id("IncorrectBondAmount()"))
    uuid: bytes32 = self._uuid(_gameType, _rootClaim, _extraData)
    if self._disputeGames[uuid] != 0:
        raw_revert(concat(method_id("GameAlreadyExists(bytes32)"), uuid))

    # The game refuses extra data that is not 32 bytes, and block numbers above 2**64 - 1;
    # 0 stands for the latter (it is never above the anchor, so it is refused the same way).
    l2_block: uint256 = convert(extract32(concat(_extraData, empty(bytes32)), 0), uint256)
    if l2_block > MAX_U64:
        l2_block = 0
    creation: Bytes[CLONE_CREATION_LEN] = concat(
        head, _rootClaim, blockhash(block.number - 1), convert(msg.sender, bytes20),
        convert(self, bytes20), convert(convert(len(_extraData), uint16), bytes2),
        convert(convert(msg.value, uint128), bytes16), convert(convert(block.timestamp, uint64), bytes8),
        convert(convert(l2_block, uint64), bytes8),
    )
    proxy: address = raw_create(creation)
    extcall IDisputeGame(proxy).initialize(value=msg.value)

    game_id: uint256 = (convert(_gameType, uint256) << 224) | (block.timestamp << 160) | convert(proxy, uint256)
    self._disputeGames[uuid] = game_id
    n: uint256 = self._gameCount
    self._disputeGameList[n] = game_id
    self._gameCount = n + 1
    log DisputeGameCreated(disputeProxy=proxy, gameType=_gameType, rootClaim=_rootClaim)
    return proxy


@external
@view
def games(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[MAX_EXTRA_DATA]) -> (address, uint64):
    game_id: uint256 = self._disputeGames[self._uuid(_gameType, _rootClaim, _extraData)]
    return convert(game_id & (2**160 - 1), address), convert((game_id >> 160) & (2**64 - 1), uint64)


@external
@view
def gameAtIndex(_index: uint256) -> (uint32, uint64, address):
    if _index >= self._gameCount:
        raw_revert(concat(method_id("Panic(uint256)"), convert(50, bytes32)))
    game_id: uint256 = self._disputeGameList[_index]
    return convert(game_id >> 224, uint32), convert((game_id >> 160) & (2**64 - 1), uint64), convert(game_id & (2**160 - 1), address)


@external
@view
def gameCount() -> uint256:
    return self._gameCount


@external
@view
def findLatestGames(_gameType: uint32, _start: uint256, _n: uint256) -> DynArray[GameSearchResult, MAX_SEARCH_RESULTS]:
    """Up to `_n` (at most 256) games of `_gameType`, newest first, scanning back from `_start`.

    The proposer uses it to find its last proposal; games of other types are skipped.
    """
    found: DynArray[GameSearchResult, MAX_SEARCH_RESULTS] = []
    count: uint256 = self._gameCount
    if _start >= count or _n == 0:
        return found
    want: uint256 = min(_n, MAX_SEARCH_RESULTS)
    for k: uint256 in range(_start + 1, bound=2**32):
        i: uint256 = _start - k
        game_id: uint256 = self._disputeGameList[i]
        if convert(game_id >> 224, uint32) == _gameType:
            proxy: address = convert(game_id & (2**160 - 1), address)
            gtype: uint32 = 0
            root: bytes32 = empty(bytes32)
            extra: Bytes[MAX_EXTRA_DATA] = b""
            gtype, root, extra = staticcall IDisputeGame(proxy).gameData()
            found.append(GameSearchResult(
                index=i,
                metadata=convert(game_id, bytes32),
                timestamp=convert((game_id >> 160) & (2**64 - 1), uint64),
                rootClaim=root,
                extraData=extra,
            ))
            if len(found) == want:
                break
    return found


@external
@pure
def version() -> String[16]:
    return "1.2.0-vyper"
