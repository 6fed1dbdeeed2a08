"""Memory at and above 2^63 is provable: the access log keeps int64 addresses and must hand them
back unsigned, or no witness could be built for the upper half of the 64-bit space."""

from __future__ import annotations

import pytest

from faultproof.conformance import OnChainStepper
from faultproof.vm import get_isa
from faultproof.vm.riscv.verify import post_state_hash
from faultproof.vm.riscv.vm import RiscvVM

from .harness import enc_i, enc_s

HIGH = [1 << 63, (1 << 63) + 0x1E, (1 << 64) - 0x40, 0xFFFF_FFFF_FFFF_FFC3, (1 << 64) - 0x24]


@pytest.fixture(scope="module")
def stepper() -> OnChainStepper:
    return OnChainStepper(get_isa("riscv64"))


@pytest.mark.parametrize("addr", HIGH)
def test_store_then_load_at_a_high_address_is_provable(addr: int, stepper: OnChainStepper) -> None:
    vm = RiscvVM()
    code = enc_s(3, 5, 6, 0).to_bytes(4, "little") + enc_i(0x03, 3, 7, 5, 0).to_bytes(4, "little")
    vm.memory.write(0x10000, code)
    vm.st[0] = 0x10000
    vm.set_register(5, addr)
    vm.set_register(6, 0x1122334455667788)
    for _ in range(2):  # sd x6, 0(x5); ld x7, 0(x5)
        w = vm.step(proof=True)
        assert w is not None
        assert post_state_hash(w) == vm.state_hash()
        outcome = stepper.step(w)
        assert outcome.post_hash == vm.state_hash(), outcome.error
    assert vm.register(7) == 0x1122334455667788
    assert vm.memory.read(addr, 8) == (0x1122334455667788).to_bytes(8, "little")
