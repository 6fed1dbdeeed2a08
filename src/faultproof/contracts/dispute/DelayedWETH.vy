#pragma version 0.4.3
"""
@title DelayedWETH
@notice Bond escrow for dispute games (spec digest section 2.11): WETH9 whose withdrawals a
        game must first `unlock` per recipient and can only take `delay()` seconds later, so the
        owner (guardian) has time to `hold` or `recover` funds of a game gone wrong.
@dev    `withdrawals[game][guy]`: a later `unlock` restarts the delay for the whole amount, as
        upstream. `withdraw(uint256)` (plain WETH9) is served by `__default__` because Vyper
        cannot overload on the first argument's type.
"""

struct WithdrawalRequest:
    amount: uint256
    timestamp: uint256

event Approval:
    src: indexed(address)
    guy: indexed(address)
    wad: uint256

event Transfer:
    src: indexed(address)
    dst: indexed(address)
    wad: uint256

event Deposit:
    dst: indexed(address)
    wad: uint256

event Withdrawal:
    src: indexed(address)
    wad: uint256

owner: public(address)
delay: public(uint256)
paused: public(bool)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
withdrawals: public(HashMap[address, HashMap[address, WithdrawalRequest]])


@deploy
def __init__(_delay: uint256, _owner: address):
    self.delay = _delay
    self.owner = _owner


@internal
@view
def _only_owner():
    if msg.sender != self.owner:
        raw_revert(method_id("Unauthorized()"))


@external
@pure
def name() -> String[32]:
    return "Wrapped Ether"


@external
@pure
def symbol() -> String[8]:
    return "WETH"


@external
@pure
def decimals() -> uint8:
    return 18


@external
@view
def totalSupply() -> uint256:
    return self.balance


@internal
def _deposit(dst: address, wad: uint256):
    self.balanceOf[dst] += wad
    log Deposit(dst=dst, wad=wad)


@payable
@external
def deposit():
    self._deposit(msg.sender, msg.value)


@internal
def _withdraw_raw(src: address, wad: uint256):
    assert self.balanceOf[src] >= wad, "insufficient balance"
    self.balanceOf[src] -= wad
    log Withdrawal(src=src, wad=wad)
    send(src, wad)


@payable
@external
def __default__():
    if len(msg.data) == 0:
        self._deposit(msg.sender, msg.value)
        return
    # withdraw(uint256): 0x2e1a7d4d
    assert len(msg.data) == 36 and msg.value == 0, "unknown selector"
    assert convert(slice(msg.data, 0, 4), bytes4) == method_id("withdraw(uint256)", output_type=bytes4), "unknown selector"
    self._delayed_withdraw(msg.sender, convert(slice(msg.data, 4, 32), uint256))


@external
def unlock(_guy: address, _wad: uint256):
    wd: WithdrawalRequest = self.withdrawals[msg.sender][_guy]
    wd.timestamp = block.timestamp
    wd.amount += _wad
    self.withdrawals[msg.sender][_guy] = wd


@internal
def _delayed_withdraw(_guy: address, _wad: uint256):
    assert not self.paused, "DelayedWETH: contract is paused"
    wd: WithdrawalRequest = self.withdrawals[msg.sender][_guy]
    assert wd.amount >= _wad, "DelayedWETH: insufficient unlocked withdrawal"
    assert wd.timestamp > 0, "DelayedWETH: withdrawal not unlocked"
    assert wd.timestamp + self.delay <= block.timestamp, "DelayedWETH: withdrawal delay not met"
    self.withdrawals[msg.sender][_guy].amount = wd.amount - _wad
    self._withdraw_raw(msg.sender, _wad)


@external
def withdraw(_guy: address, _wad: uint256):
    self._delayed_withdraw(_guy, _wad)


@external
def approve(_guy: address, _wad: uint256) -> bool:
    self.allowance[msg.sender][_guy] = _wad
    log Approval(src=msg.sender, guy=_guy, wad=_wad)
    return True


@internal
def _transfer_from(src: address, dst: address, wad: uint256, spender: address) -> bool:
    assert self.balanceOf[src] >= wad, "insufficient balance"
    if src != spender and self.allowance[src][spender] != max_value(uint256):
        assert self.allowance[src][spender] >= wad, "insufficient allowance"
        self.allowance[src][spender] -= wad
    self.balanceOf[src] -= wad
    self.balanceOf[dst] += wad
    log Transfer(src=src, dst=dst, wad=wad)
    return True


@external
def transfer(_dst: address, _wad: uint256) -> bool:
    return self._transfer_from(msg.sender, _dst, _wad, msg.sender)


@external
def transferFrom(_src: address, _dst: address, _wad: uint256) -> bool:
    return self._transfer_from(_src, _dst, _wad, msg.sender)


@external
def setPaused(_paused: bool):
    self._only_owner()
    self.paused = _paused


@external
def recover(_wad: uint256):
    """Owner pulls ETH out of the escrow (all of it if `_wad` exceeds the balance)."""
    self._only_owner()
    amount: uint256 = min(_wad, self.balance)
    # Full gas, not send()'s 2300 stipend: the owner is usually a multisig contract.
    ok: bool = raw_call(msg.sender, b"", value=amount, revert_on_failure=False)
    assert ok, "DelayedWETH: recover failed"


@external
def hold(_guy: address, _wad: uint256 = max_value(uint256)):
    """Owner seizes `_wad` WETH (by default all) held by `_guy`, e.g. a misbehaving game."""
    self._only_owner()
    wad: uint256 = _wad
    if wad == max_value(uint256):
        wad = self.balanceOf[_guy]
    self.allowance[_guy][msg.sender] = wad
    log Approval(src=_guy, guy=msg.sender, wad=wad)
    self._transfer_from(_guy, msg.sender, wad, msg.sender)


@external
@pure
def version() -> String[16]:
    return "1.2.0-vyper"
