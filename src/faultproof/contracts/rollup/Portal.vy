#pragma version 0.4.3
"""
@title Portal
@notice The rollup's L1 bridge: deposits (OptimismPortal2's `depositTransaction` and its
        `TransactionDeposited` event, byte for byte) and withdrawals proven against an L2
        output root from a dispute game, finalized only after that game resolved
        DEFENDER_WINS plus delays (OptimismPortal2's checks, in its order, with its error
        names). See README.md in this folder for the deviations from OptimismPortal2.
@dev    The withdrawal proof is a secure-trie inclusion proof of the L2ToL1MessagePasser
        storage slot `keccak256(abi.encode(withdrawalHash, 0))` with value 0x01 against the
        message passer's storage root, checked by the `secure_trie` module.
"""

import secure_trie

interface IDisputeGameFactory:
    def gameAtIndex(_index: uint256) -> (uint32, uint64, address): view

interface IDisputeGame:
    def rootClaim() -> bytes32: view
    def status() -> uint8: view
    def gameType() -> uint32: view
    def createdAt() -> uint64: view
    def resolvedAt() -> uint64: view

interface IAnchorStateRegistry:
    def isGameBlacklisted(_game: address) -> bool: view

struct WithdrawalTransaction:
    nonce: uint256
    sender: address
    target: address
    value: uint256
    gasLimit: uint256
    data: Bytes[MAX_WITHDRAWAL_DATA]

struct OutputRootProof:
    version: bytes32
    stateRoot: bytes32
    messagePasserStorageRoot: bytes32
    latestBlockhash: bytes32

# Vyper reserves `from`; only the types enter the topic, which is OP's exactly:
# keccak256("TransactionDeposited(address,address,uint256,bytes)").
event TransactionDeposited:
    source: indexed(address)
    to: indexed(address)
    version: indexed(uint256)
    opaqueData: Bytes[MAX_OPAQUE]

event WithdrawalProven:
    withdrawalHash: indexed(bytes32)
    sender: indexed(address)
    target: indexed(address)

event WithdrawalProvenExtension1:
    withdrawalHash: indexed(bytes32)
    proofSubmitter: indexed(address)

event WithdrawalFinalized:
    withdrawalHash: indexed(bytes32)
    success: bool

event DisputeGameBlacklisted:
    disputeGame: indexed(address)

event RespectedGameTypeSet:
    newGameType: indexed(uint32)
    updatedAt: indexed(uint64)

event Paused:
    paused: bool

# ---- limits and constants --------------------------------------------------------------
MAX_DEPOSIT_DATA: constant(uint256) = 120_000
# mint (32) + value (32) + gasLimit (8) + isCreation (1) + data
MAX_OPAQUE: constant(uint256) = MAX_DEPOSIT_DATA + 73
# ROLLUP.md section 2: a floor of 21,000 + 40 per data byte, a ceiling of 10 M.
DEPOSIT_BASE_GAS: constant(uint64) = 21_000
DEPOSIT_GAS_PER_BYTE: constant(uint64) = 40
DEPOSIT_MAX_GAS: constant(uint64) = 10_000_000
RECEIVE_DEFAULT_GAS_LIMIT: constant(uint64) = 100_000
# Deposit gas per L1 block (OP's ResourceMetering `maxResourceLimit`, 20 M by default): the L2
# block of that origin must fit the L1 info deposit (1 M) and every user deposit in its gas
# limit (30 M), or derivation could never build it. No EIP-1559 market for it here: a deposit
# over the budget reverts `OutOfGas()` (OP's error name) and can be sent in a later L1 block.
MAX_RESOURCE_LIMIT: constant(uint64) = 20_000_000
DEPOSIT_VERSION: constant(uint256) = 0
TRANSACTION_DEPOSITED: constant(bytes32) = keccak256("TransactionDeposited(address,address,uint256,bytes)")
# L1 -> L2 address alias offset (uint160 addition wraps).
ALIAS_OFFSET: constant(uint256) = 97431955772380292505369553133200691419628441873  # 0x1111000000000000000000000000000000001111
# Largest withdrawal calldata the portal can relay (see README: L2 withdrawals with more data
# cannot be finalized here).
MAX_WITHDRAWAL_DATA: constant(uint256) = 16_384
DEFAULT_L2_SENDER: constant(address) = 0x000000000000000000000000000000000000dEaD
# SafeCall.callWithMinGas: gas kept for the work after the call, and the cost of a value call.
CALL_RESERVED_GAS: constant(uint256) = 1_000
CALL_OVERHEAD_GAS: constant(uint256) = 40_000
MAX_PROOF_SUBMITTERS: constant(uint256) = 2**32

IN_PROGRESS: constant(uint8) = 0
CHALLENGER_WINS: constant(uint8) = 1
DEFENDER_WINS: constant(uint8) = 2

# ---- configuration -----------------------------------------------------------------------
disputeGameFactory: public(immutable(address))
anchorStateRegistry: public(immutable(address))
guardian: public(immutable(address))
proofMaturityDelaySeconds: public(immutable(uint256))
disputeGameFinalityDelaySeconds: public(immutable(uint256))

# ---- state -------------------------------------------------------------------------------
l2Sender: public(address)
paused: public(bool)
respectedGameType: public(uint32)
respectedGameTypeUpdatedAt: public(uint64)
disputeGameBlacklist: public(HashMap[address, bool])
finalizedWithdrawals: public(HashMap[bytes32, bool])
# Deposit gas metered in the current L1 block: block number << 64 | gas used (one slot).
_metered: uint256
# OP's ProvenWithdrawal {disputeGameProxy, timestamp} packed in one word:
# game | timestamp << 160 (Vyper would give each member its own slot: one more cold SSTORE).
_proven: HashMap[bytes32, HashMap[address, uint256]]
_submitters: HashMap[bytes32, HashMap[uint256, address]]
numProofSubmitters: public(HashMap[bytes32, uint256])


@deploy
@payable
def __init__(_factory: address, _registry: address, _respectedGameType: uint32, _proofMaturityDelay: uint256, _finalityDelay: uint256, _guardian: address):
    """
    @param _registry An AnchorStateRegistry whose blacklist also applies, or empty(address).
    """
    disputeGameFactory = _factory
    anchorStateRegistry = _registry
    guardian = _guardian
    proofMaturityDelaySeconds = _proofMaturityDelay
    disputeGameFinalityDelaySeconds = _finalityDelay
    self.l2Sender = DEFAULT_L2_SENDER
    self.respectedGameType = _respectedGameType
    self.respectedGameTypeUpdatedAt = convert(block.timestamp, uint64)


# ---- deposits ----------------------------------------------------------------------------

@internal
@view
def _deposit_source() -> address:
    """`from` of the deposit: the sender, aliased when it is a contract (not tx.origin)."""
    if msg.sender == tx.origin:
        return msg.sender
    return convert(convert((convert(msg.sender, uint256) + ALIAS_OFFSET) % 2**160, uint160), address)


@internal
def _meter(_gas: uint64):
    """Charge `_gas` to this L1 block's deposit budget (MAX_RESOURCE_LIMIT)."""
    packed: uint256 = self._metered
    used: uint256 = 0
    if packed >> 64 == block.number:
        used = packed % 2**64
    used += convert(_gas, uint256)
    if used > convert(MAX_RESOURCE_LIMIT, uint256):
        raw_revert(method_id("OutOfGas()"))
    self._metered = (block.number << 64) | used


@view
@external
def depositGasUsedInBlock() -> uint64:
    """Deposit gas already used in the current L1 block (of MAX_RESOURCE_LIMIT)."""
    packed: uint256 = self._metered
    if packed >> 64 != block.number:
        return 0
    return convert(packed % 2**64, uint64)


@external
@payable
def depositTransaction(_to: address, _value: uint256, _gasLimit: uint64, _isCreation: bool, _data: Bytes[MAX_DEPOSIT_DATA]):
    """
    @notice Deposit `msg.value` (minted on L2) and a transaction from the (aliased) sender.
    @dev    The event data is built in one buffer and logged raw: Vyper sizes memory by the
            largest possible data, and a second 120 KB buffer (an `opaque` variable, then the
            log encoding) would cost ~130 k gas of memory expansion on every deposit.
    """
    if _isCreation and _to != empty(address):
        raw_revert(method_id("BadTarget()"))
    if _gasLimit < DEPOSIT_BASE_GAS + DEPOSIT_GAS_PER_BYTE * convert(len(_data), uint64):
        raw_revert(method_id("SmallGasLimit()"))
    if _gasLimit > DEPOSIT_MAX_GAS:
        raw_revert(method_id("LargeGasLimit()"))
    # The Bytes bound already refuses longer data in ABI decoding; kept for OP's error name.
    if len(_data) > MAX_DEPOSIT_DATA:
        raw_revert(method_id("LargeCalldata()"))
    self._meter(_gasLimit)
    creation: uint8 = 0
    if _isCreation:
        creation = 1
    n: uint256 = len(_data) + 73
    pad: uint256 = (32 - n % 32) % 32
    # abi.encode(bytes opaqueData): offset, length, mint ‖ value ‖ gasLimit ‖ isCreation ‖ data,
    # zero padding to a whole word.
    raw_log(
        [TRANSACTION_DEPOSITED, convert(self._deposit_source(), bytes32), convert(_to, bytes32), convert(DEPOSIT_VERSION, bytes32)],
        concat(convert(32, bytes32), convert(n, bytes32), convert(msg.value, bytes32), convert(_value, bytes32), convert(_gasLimit, bytes8), convert(creation, bytes1), _data, slice(empty(bytes32), 0, pad)),
    )


@external
@payable
def __default__():
    """Plain ETH deposits to the sender on L2 (OptimismPortal2's `receive()`)."""
    if len(msg.data) != 0:
        raw_revert(b"")
    self._meter(RECEIVE_DEFAULT_GAS_LIMIT)
    # opaqueData = mint ‖ value ‖ gasLimit ‖ isCreation=0 (73 bytes), padded to 96.
    raw_log(
        [TRANSACTION_DEPOSITED, convert(self._deposit_source(), bytes32), convert(msg.sender, bytes32), convert(DEPOSIT_VERSION, bytes32)],
        concat(convert(32, bytes32), convert(73, bytes32), convert(msg.value, bytes32), convert(msg.value, bytes32), convert(RECEIVE_DEFAULT_GAS_LIMIT, bytes8), empty(bytes24)),
    )


@external
@payable
def donateETH():
    """Accept ETH without a deposit (OptimismPortal2 has it for migrations)."""
    pass


# ---- withdrawals -------------------------------------------------------------------------

@external
@pure
def hashWithdrawal(_tx: WithdrawalTransaction) -> bytes32:
    """`Hashing.hashWithdrawal`: keccak256(abi.encode(nonce, sender, target, value, gasLimit, data))."""
    return keccak256(abi_encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data))


@internal
@pure
def _hash_output_root_proof(_p: OutputRootProof) -> bytes32:
    return keccak256(concat(_p.version, _p.stateRoot, _p.messagePasserStorageRoot, _p.latestBlockhash))


@internal
@view
def _when_not_paused():
    if self.paused:
        raw_revert(method_id("CallPaused()"))


@external
def proveWithdrawalTransaction(_tx: WithdrawalTransaction, _disputeGameIndex: uint256, _outputRootProof: OutputRootProof, _withdrawalProof: DynArray[Bytes[secure_trie.MAX_NODE], secure_trie.MAX_NODES]):
    """
    @notice Record that `_tx` is in the message passer's storage under the output root that
            game `_disputeGameIndex` claims (spec digest section 7.1, checks in order).
    """
    self._when_not_paused()
    if _tx.target == self:
        raw_revert(method_id("BadTarget()"))
    game_type: uint32 = 0
    created: uint64 = 0
    game: address = empty(address)
    game_type, created, game = staticcall IDisputeGameFactory(disputeGameFactory).gameAtIndex(_disputeGameIndex)
    if game_type != self.respectedGameType:
        raw_revert(method_id("InvalidGameType()"))
    if staticcall IDisputeGame(game).rootClaim() != self._hash_output_root_proof(_outputRootProof):
        raw_revert(method_id("InvalidProof()"))
    if staticcall IDisputeGame(game).status() == CHALLENGER_WINS:
        raw_revert(method_id("InvalidDisputeGame()"))
    withdrawal_hash: bytes32 = keccak256(abi_encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data))
    slot: bytes32 = keccak256(concat(withdrawal_hash, empty(bytes32)))
    value: Bytes[secure_trie.MAX_VALUE] = secure_trie._get(keccak256(slot), _withdrawalProof, _outputRootProof.messagePasserStorageRoot)
    if value != b"\x01":
        raw_revert(method_id("InvalidMerkleProof()"))
    self._proven[withdrawal_hash][msg.sender] = convert(game, uint256) | (block.timestamp << 160)
    log WithdrawalProven(withdrawalHash=withdrawal_hash, sender=_tx.sender, target=_tx.target)
    log WithdrawalProvenExtension1(withdrawalHash=withdrawal_hash, proofSubmitter=msg.sender)
    n: uint256 = self.numProofSubmitters[withdrawal_hash]
    self._submitters[withdrawal_hash][n] = msg.sender
    self.numProofSubmitters[withdrawal_hash] = n + 1


@internal
@pure
def _proven_game(_word: uint256) -> address:
    return convert(convert(_word & (2**160 - 1), uint160), address)


@external
@view
def provenWithdrawals(_withdrawalHash: bytes32, _submitter: address) -> (address, uint64):
    word: uint256 = self._proven[_withdrawalHash][_submitter]
    return self._proven_game(word), convert(word >> 160, uint64)


@external
@view
def proofSubmitters(_withdrawalHash: bytes32, _index: uint256) -> address:
    if _index >= self.numProofSubmitters[_withdrawalHash]:
        raw_revert(concat(method_id("Panic(uint256)"), convert(50, bytes32)))
    return self._submitters[_withdrawalHash][_index]


@internal
@view
def _check_withdrawal(_withdrawalHash: bytes32, _submitter: address):
    """Spec digest section 7.2 `checkWithdrawal`, in order."""
    word: uint256 = self._proven[_withdrawalHash][_submitter]
    game: address = self._proven_game(word)
    proven_at: uint64 = convert(word >> 160, uint64)
    if self.disputeGameBlacklist[game]:
        raw_revert(method_id("Blacklisted()"))
    if anchorStateRegistry != empty(address) and game != empty(address):
        if staticcall IAnchorStateRegistry(anchorStateRegistry).isGameBlacklisted(game):
            raw_revert(method_id("Blacklisted()"))
    if proven_at == 0:
        raw_revert(method_id("Unproven()"))
    created: uint64 = staticcall IDisputeGame(game).createdAt()
    if proven_at <= created:
        raw_revert(method_id("InvalidProofTimestamp()"))
    if block.timestamp - convert(proven_at, uint256) <= proofMaturityDelaySeconds:
        raw_revert(method_id("ProofNotOldEnough()"))
    if staticcall IDisputeGame(game).status() != DEFENDER_WINS:
        raw_revert(method_id("ProposalNotValidated()"))
    if staticcall IDisputeGame(game).gameType() != self.respectedGameType:
        raw_revert(method_id("InvalidGameType()"))
    if created < self.respectedGameTypeUpdatedAt:
        raw_revert(method_id("GameCreatedBeforeRespectedTypeUpdate()"))
    # A DEFENDER_WINS game has resolvedAt <= block.timestamp.
    if block.timestamp - convert(staticcall IDisputeGame(game).resolvedAt(), uint256) <= disputeGameFinalityDelaySeconds:
        raw_revert(method_id("InAirGap()"))
    if self.finalizedWithdrawals[_withdrawalHash]:
        raw_revert(method_id("AlreadyFinalized()"))


@external
@view
def checkWithdrawal(_withdrawalHash: bytes32, _proofSubmitter: address):
    """Reverts with the first failing check's error; returns when the withdrawal can finalize."""
    self._check_withdrawal(_withdrawalHash, _proofSubmitter)


@internal
def _start_finalize(_withdrawalHash: bytes32, _submitter: address, _sender: address, _gasLimit: uint256):
    """Every check before the call, then mark finalized and expose the L2 sender. Takes the
    hash, not the transaction: passing a struct with 16 KB of data copies it."""
    self._when_not_paused()
    if self.l2Sender != DEFAULT_L2_SENDER:
        raw_revert(method_id("NonReentrant()"))
    self._check_withdrawal(_withdrawalHash, _submitter)
    self.finalizedWithdrawals[_withdrawalHash] = True
    self.l2Sender = _sender
    # SafeCall.callWithMinGas: refuse to run the call with less than `gasLimit` available to
    # it (else anyone could finalize with too little gas and make the withdrawal fail forever).
    if msg.gas * 63 < _gasLimit * 64 + 63 * (CALL_OVERHEAD_GAS + CALL_RESERVED_GAS):
        raw_revert(method_id("NotEnoughGas()"))


@internal
def _end_finalize(_withdrawalHash: bytes32, _success: bool):
    self.l2Sender = DEFAULT_L2_SENDER
    log WithdrawalFinalized(withdrawalHash=_withdrawalHash, success=_success)


@external
def finalizeWithdrawalTransaction(_tx: WithdrawalTransaction):
    """
    @notice Relay a proven withdrawal (proven by the caller) once its game resolved
            DEFENDER_WINS and every delay passed. A failed call is final (not retryable).
    """
    withdrawal_hash: bytes32 = keccak256(abi_encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data))
    self._start_finalize(withdrawal_hash, msg.sender, _tx.sender, _tx.gasLimit)
    success: bool = raw_call(_tx.target, _tx.data, value=_tx.value, gas=msg.gas, revert_on_failure=False)
    self._end_finalize(withdrawal_hash, success)


@external
def finalizeWithdrawalTransactionExternalProof(_tx: WithdrawalTransaction, _proofSubmitter: address):
    """Same, using the proof `_proofSubmitter` recorded."""
    withdrawal_hash: bytes32 = keccak256(abi_encode(_tx.nonce, _tx.sender, _tx.target, _tx.value, _tx.gasLimit, _tx.data))
    self._start_finalize(withdrawal_hash, _proofSubmitter, _tx.sender, _tx.gasLimit)
    success: bool = raw_call(_tx.target, _tx.data, value=_tx.value, gas=msg.gas, revert_on_failure=False)
    self._end_finalize(withdrawal_hash, success)


# ---- guardian ----------------------------------------------------------------------------

@internal
@view
def _only_guardian():
    if msg.sender != guardian:
        raw_revert(method_id("Unauthorized()"))


@external
def blacklistDisputeGame(_disputeGame: address):
    """A game the guardian distrusts can no longer finalize withdrawals."""
    self._only_guardian()
    self.disputeGameBlacklist[_disputeGame] = True
    log DisputeGameBlacklisted(disputeGame=_disputeGame)


@external
def setRespectedGameType(_gameType: uint32):
    """Switch the game type withdrawals must be proven with; games created earlier stop
    counting (`respectedGameTypeUpdatedAt`)."""
    self._only_guardian()
    self.respectedGameType = _gameType
    self.respectedGameTypeUpdatedAt = convert(block.timestamp, uint64)
    log RespectedGameTypeSet(newGameType=_gameType, updatedAt=convert(block.timestamp, uint64))


@external
def setPaused(_paused: bool):
    """Stop proving and finalizing (deposits keep working), as SuperchainConfig's pause."""
    self._only_guardian()
    self.paused = _paused
    log Paused(paused=_paused)
