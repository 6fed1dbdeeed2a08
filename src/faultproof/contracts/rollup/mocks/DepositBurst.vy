#pragma version 0.4.3
"""
@title DepositBurst
@notice Tests only: several portal deposits in one transaction (one L1 block), to exercise the
        portal's per-block deposit gas budget.
"""

interface IPortal:
    def depositTransaction(_to: address, _value: uint256, _gasLimit: uint64, _isCreation: bool, _data: Bytes[1024]): payable

portal: public(address)


@deploy
def __init__(_portal: address):
    self.portal = _portal


@external
def burst(_count: uint256, _gasLimit: uint64):
    for i: uint256 in range(_count, bound=16):
        extcall IPortal(self.portal).depositTransaction(msg.sender, 0, _gasLimit, False, b"")
