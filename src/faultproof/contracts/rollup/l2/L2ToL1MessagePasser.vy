# pragma version ~=0.4.3
"""
@title L2ToL1MessagePasser (L2 predeploy at 0x4200000000000000000000000000000000000016)
@notice Records withdrawals: the storage root of this contract is what an output root commits
        to, and the L1 portal proves `sentMessages[withdrawalHash] == 1` against it.
@dev Storage is OP's Solidity layout (fault-proof-program.md §4): `sentMessages` is a mapping at
     slot 0, so a message lives at keccak256(withdrawalHash ‖ uint256(0)), and `msgNonce` is at
     slot 1. Vyper hashes mapping slots the other way round (keccak256(slot ‖ key)), so the
     mapping entry is written through STORAGE_WRITER, an 8-byte contract called with
     DELEGATECALL that stores word 1 of its calldata at the slot in word 0 (docs/ROLLUP.md §3).
     The withdrawn ETH stays in this contract (OP burns it later with `burn()`).
"""

STORAGE_WRITER: constant(address) = 0x42000000000000000000000000000000000000FE
MESSAGE_VERSION: public(constant(uint16)) = 1
RECEIVE_DEFAULT_GAS_LIMIT: constant(uint256) = 100_000
MAX_DATA: constant(uint256) = 8192

# slot 0: the base slot of OP's `mapping(bytes32 => bool) sentMessages` (never written itself)
_sentMessagesBase: uint256
# slot 1: OP's `uint240 msgNonce`
msgNonce: uint256

event MessagePassed:
    nonce: indexed(uint256)
    sender: indexed(address)
    target: indexed(address)
    value: uint256
    gasLimit: uint256
    data: Bytes[MAX_DATA]
    withdrawalHash: bytes32


@view
@external
def messageNonce() -> uint256:
    """@notice The nonce the next withdrawal gets: MESSAGE_VERSION in the top 16 bits."""
    return (convert(MESSAGE_VERSION, uint256) << 240) | self.msgNonce


@payable
@external
def initiateWithdrawal(_target: address, _gasLimit: uint256, _data: Bytes[MAX_DATA]):
    """@notice Start a withdrawal of msg.value to `_target` on L1, calling it with `_data`."""
    self._initiate(msg.sender, _target, msg.value, _gasLimit, _data)


@payable
@external
def __default__():
    """@notice Plain ETH withdraws to the sender on L1 (OP's `receive()`)."""
    assert len(msg.data) == 0, "L2ToL1MessagePasser: unknown function"
    self._initiate(msg.sender, msg.sender, msg.value, RECEIVE_DEFAULT_GAS_LIMIT, b"")


@internal
def _initiate(
    _sender: address, _target: address, _value: uint256, _gasLimit: uint256, _data: Bytes[MAX_DATA]
):
    nonce: uint256 = (convert(MESSAGE_VERSION, uint256) << 240) | self.msgNonce
    withdrawal_hash: bytes32 = keccak256(
        abi_encode(nonce, _sender, _target, _value, _gasLimit, _data)
    )
    slot: bytes32 = keccak256(concat(withdrawal_hash, convert(0, bytes32)))
    raw_call(
        STORAGE_WRITER,
        concat(slot, convert(1, bytes32)),
        is_delegate_call=True,
    )
    log MessagePassed(
        nonce=nonce,
        sender=_sender,
        target=_target,
        value=_value,
        gasLimit=_gasLimit,
        data=_data,
        withdrawalHash=withdrawal_hash,
    )
    self.msgNonce += 1
