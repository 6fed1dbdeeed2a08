#pragma version 0.4.3
"""
@title AlphabetVM (test stepper)
@notice A trivial IBigStepper in the spirit of Optimism's AlphabetVM: the VM state after `t`
        instructions is `abi.encode(t, t)`, one step turns `(t, c)` into `(t + 1, c + 1)`, and the
        returned post-state hash is `keccak256(abi.encode(t + 1, c + 1))` with status byte 0
        (VALID). The absolute prestate is `keccak256(abi.encode(0, 0))`. No oracle reads.
"""

interface IPreimageOracle:
    def challengePeriod() -> uint256: view

ORACLE: immutable(address)


@deploy
def __init__(_oracle: address):
    ORACLE = _oracle


@external
@view
def oracle() -> address:
    return ORACLE


@external
def step(_stateData: Bytes[4096], _proof: Bytes[16384], _localContext: bytes32) -> bytes32:
    trace_index: uint256 = 0
    claim: uint256 = 0
    trace_index, claim = abi_decode(_stateData, (uint256, uint256))
    post: bytes32 = keccak256(abi_encode(trace_index + 1, claim + 1))
    # Status byte VALID (0) in byte 0, as a real VM's state hash would carry it.
    return convert(convert(post, uint256) & ((1 << 248) - 1), bytes32)
