#pragma version 0.4.3
"""
@title OldDisputeGameFactory (test mock)
@notice The surface of Optimism's DisputeGameFactory 1.0.1-beta.3 (October 2024, spec digest
        [v1] section 3): `setImplementation(uint32,address)` registers a full, already
        constructed FaultDisputeGame implementation, and `create` makes each game a clone of it
        and calls `initialize()`. There is no `gameArgs` and no three-argument
        `setImplementation`: calling them reverts without data.
@dev    Deviation: Optimism's clones carry (creator, root claim, parent hash, extra data)
        appended to their calldata; a Vyper minimal proxy cannot, so the factory keeps them for
        the duration of `create` and the game reads them back with `cloneArgs()`. Extra data is
        the standard 32-byte L2 block number.
"""

interface IOldGame:
    def initialize(): payable

event DisputeGameCreated:
    disputeProxy: indexed(address)
    gameType: indexed(uint32)
    rootClaim: indexed(bytes32)

event ImplementationSet:
    impl: indexed(address)
    gameType: indexed(uint32)

event InitBondUpdated:
    gameType: indexed(uint32)
    newBond: indexed(uint256)

owner: public(address)
gameImpls: public(HashMap[uint32, address])
initBonds: public(HashMap[uint32, uint256])
_uuids: HashMap[bytes32, address]
_list: DynArray[uint256, 4096]
_pending: bytes32[4]


@deploy
def __init__(_owner: address):
    self.owner = _owner


@external
def setImplementation(_gameType: uint32, _impl: address):
    if msg.sender != self.owner:
        raw_revert(method_id("BadAuth()"))
    self.gameImpls[_gameType] = _impl
    log ImplementationSet(impl=_impl, gameType=_gameType)


@external
def setInitBond(_gameType: uint32, _initBond: uint256):
    if msg.sender != self.owner:
        raw_revert(method_id("BadAuth()"))
    self.initBonds[_gameType] = _initBond
    log InitBondUpdated(gameType=_gameType, newBond=_initBond)


@payable
@external
def create(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[32]) -> address:
    impl: address = self.gameImpls[_gameType]
    if impl == empty(address):
        raw_revert(concat(method_id("NoImplementation(uint32)"), convert(convert(_gameType, uint256), bytes32)))
    if msg.value != self.initBonds[_gameType]:
        raw_revert(method_id("IncorrectBondAmount()"))
    extra: bytes32 = convert(_extraData, bytes32)
    self._pending = [convert(convert(msg.sender, uint256), bytes32), _rootClaim,
                     blockhash(block.number - 1), extra]
    proxy: address = create_minimal_proxy_to(impl)
    extcall IOldGame(proxy).initialize(value=msg.value)
    self._pending = empty(bytes32[4])
    uuid: bytes32 = keccak256(abi_encode(_gameType, _rootClaim, _extraData))
    if self._uuids[uuid] != empty(address):
        raw_revert(concat(method_id("GameAlreadyExists(bytes32)"), uuid))
    self._uuids[uuid] = proxy
    self._list.append(convert(proxy, uint256) | (block.timestamp << 160)
                      | (convert(_gameType, uint256) << 224))
    log DisputeGameCreated(disputeProxy=proxy, gameType=_gameType, rootClaim=_rootClaim)
    return proxy


@external
@view
def cloneArgs() -> (address, bytes32, bytes32, bytes32):
    """Mock-only: the arguments Optimism appends to a clone, for the game being created."""
    return (convert(convert(self._pending[0], uint256), address), self._pending[1],
            self._pending[2], self._pending[3])


@external
@view
def gameCount() -> uint256:
    return len(self._list)


@external
@view
def gameAtIndex(_index: uint256) -> (uint32, uint64, address):
    word: uint256 = self._list[_index]
    return (convert(word >> 224, uint32), convert((word >> 160) & (2**64 - 1), uint64),
            convert(word & (2**160 - 1), address))


@external
@view
def games(_gameType: uint32, _rootClaim: bytes32, _extraData: Bytes[32]) -> (address, uint64):
    proxy: address = self._uuids[keccak256(abi_encode(_gameType, _rootClaim, _extraData))]
    return proxy, 0


@external
@pure
def version() -> String[16]:
    return "1.0.1-beta.3"
