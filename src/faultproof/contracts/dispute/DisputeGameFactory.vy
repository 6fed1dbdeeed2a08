#pragma version 0.4.3
"""
@title DisputeGameFactory
@notice Creates dispute games, one per (game type, root claim, extra data), and indexes them
        (spec digest section 3.1). ABI-compatible with Optimism's DisputeGameFactory.
@dev    `gameImpls[type]` is an ERC-5202 blueprint of FaultDisputeGame, not a clone target.
        `gameArgs[type]` holds the per-type configuration as
        `abi.encode(absolutePrestate, maxGameDepth, splitDepth, clockExtension, maxClockDuration,
        vm, weth, anchorStateRegistry, l2ChainId)` (288 bytes); `create` decodes it and passes it,
        with the per-game arguments, to the blueprint constructor. See README.md.
"""

interface IDisputeGame:
    def initialize(): payable
    def gameData() -> (uint32, bytes32, Bytes[MAX_EXTRA_DATA]): view

MAX_EXTRA_DATA: constant(uint256) = 256
GAME_ARGS_LEN: constant(uint256) = 288
MAX_SEARCH_RESULTS: constant(uint256) = 256

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
    """Register the blueprint (and its configuration) that `create` uses for `_gameType`."""
    self._only_owner()
    self.gameImpls[_gameType] = _impl
    self.gameArgs[_gameType] = _args
    log ImplementationSet(impl=_impl, gameType=_gameType)
    if len(_args) > 0:
        log ImplementationArgsSet(gameType=_gameType, args=_args)


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
    impl: address = self.gameImpls[_gameType]
    if impl == empty(address):
        raw_revert(concat(method_id("NoImplementation(uint32)"), convert(convert(_gameType, uint256), bytes32)))
    if msg.value != self.initBonds[_gameType]:
        raw_revert(method_id("IncorrectBondAmount()"))
    uuid: bytes32 = self._uuid(_gameType, _rootClaim, _extraData)
    if self._disputeGames[uuid] != 0:
        raw_revert(concat(method_id("GameAlreadyExists(bytes32)"), uuid))
    args: Bytes[GAME_ARGS_LEN] = self.gameArgs[_gameType]
    if len(args) != GAME_ARGS_LEN:
        raw_revert(concat(method_id("NoImplementation(uint32)"), convert(convert(_gameType, uint256), bytes32)))

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
        args, (bytes32, uint256, uint256, uint64, uint64, address, address, address, uint256)
    )
    parent_hash: bytes32 = blockhash(block.number - 1)
    proxy: address = create_from_blueprint(
        impl, _gameType, prestate, max_depth, split, ce, max_clock, vm, weth, asr, chain_id,
        msg.sender, _rootClaim, parent_hash, _extraData,
    )
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
