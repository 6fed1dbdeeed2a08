#pragma version 0.4.3
"""
@title PortalProbe
@notice Tests only: a contract on L1 that deposits through the portal (so its L2 sender is
        aliased) and receives withdrawals, recording what the portal shows during the call:
        `l2Sender`, the value, and what happened when it tried to re-enter the portal.
"""

interface IPortal:
    def depositTransaction(_to: address, _value: uint256, _gasLimit: uint64, _isCreation: bool, _data: Bytes[1024]): payable
    def l2Sender() -> address: view

portal: public(address)
reenterCall: public(Bytes[2048])
reentryResult: public(Bytes[64])
reentrySucceeded: public(bool)
shouldRevert: public(bool)
calls: public(uint256)
lastL2Sender: public(address)
lastValue: public(uint256)
lastDataLen: public(uint256)


@deploy
def __init__(_portal: address):
    self.portal = _portal


@external
def configure(_reenterCall: Bytes[2048], _shouldRevert: bool):
    self.reenterCall = _reenterCall
    self.shouldRevert = _shouldRevert


@external
@payable
def deposit(_to: address, _value: uint256, _gasLimit: uint64, _isCreation: bool, _data: Bytes[1024]):
    extcall IPortal(self.portal).depositTransaction(_to, _value, _gasLimit, _isCreation, _data, value=msg.value)


@external
@payable
def __default__():
    if self.shouldRevert:
        raise "probe refuses"
    self.calls += 1
    self.lastL2Sender = staticcall IPortal(self.portal).l2Sender()
    self.lastValue = msg.value
    self.lastDataLen = len(msg.data)
    if len(self.reenterCall) > 0:
        ok: bool = False
        out: Bytes[64] = b""
        ok, out = raw_call(self.portal, self.reenterCall, max_outsize=64, revert_on_failure=False)
        self.reentrySucceeded = ok
        self.reentryResult = out
