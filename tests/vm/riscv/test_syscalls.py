"""ECALL semantics (spec §5): results in a0, error code in a1, what reverts, which proofs."""

from __future__ import annotations

import io

import pytest
from tests.vm.riscv.harness import CODE, ECALL, make_vm, run_words

from faultproof.vm.riscv import constants as c
from faultproof.vm.riscv.state import RiscvRevert
from faultproof.vm.riscv.verify import post_state_hash

M64 = 2**64 - 1


def syscall(num: int, *args: int, proof: bool = False, **kw):  # type: ignore[no-untyped-def]
    vm = make_vm()
    vm.stdout = kw.get("stdout")
    vm.host = kw.get("host")
    vm.st[c.S_HEAP] = c.HEAP_START
    vm.set_register(c.REG_A7, num)
    for i, a in enumerate(args):
        vm.set_register(c.REG_A0 + i, a)
    vm.memory.write(CODE, ECALL.to_bytes(4, "little"))
    vm.st[0] = CODE
    w = vm.step(proof=proof)
    if w is not None:
        assert post_state_hash(w) == vm.state_hash()
    return vm, w


def result(vm) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    return vm.register(c.REG_A0), vm.register(c.REG_A1)


def test_exit_sets_code_and_advances_pc() -> None:
    vm, _ = syscall(c.SYS_EXIT, 0x1FF)
    assert vm.exited and vm.exit_code == 0xFF and vm.pc == CODE + 4
    w = vm.step(proof=True)
    assert w is not None and w.proof == b""
    assert vm.step_count == 1


def test_brk_mmap_heap() -> None:
    assert result(syscall(c.SYS_BRK, 12345)[0]) == (1 << 30, 0)
    vm, _ = syscall(c.SYS_MMAP, 0, 5000, 0, 0x22, M64, 0)
    assert result(vm) == (c.HEAP_START, 0) and vm.heap == c.HEAP_START + 8192
    vm, _ = syscall(c.SYS_MMAP, 0x1234000, 4096, 0, 0x22, M64, 0)
    assert result(vm) == (0x1234000, 0) and vm.heap == c.HEAP_START
    assert result(syscall(c.SYS_MMAP, 0, 4096, 0, 0x02, M64, 0)[0]) == (M64, c.EBADF)
    assert result(syscall(c.SYS_MMAP, 0, 4096, 0, 0x22, 3, 0)[0]) == (M64, c.EBADF)


def test_openat_fcntl_clone_and_noops() -> None:
    assert result(syscall(c.SYS_OPENAT, 0, 0)[0]) == (M64, c.EACCES)
    assert result(syscall(c.SYS_FCNTL, 6, 1)[0]) == (0, 0)
    assert result(syscall(c.SYS_FCNTL, 7, 1)[0]) == (M64, c.EBADF)
    assert result(syscall(c.SYS_FCNTL, 4, 3)[0]) == (1, 0)
    assert result(syscall(c.SYS_FCNTL, 5, 3)[0]) == (0, 0)
    assert result(syscall(c.SYS_FCNTL, 1, 4)[0]) == (M64, c.EINVAL)
    assert result(syscall(c.SYS_CLONE)[0]) == (1, 0)
    assert result(syscall(98, 7, 7)[0]) == (0, 0)  # futex (98) falls into the silent default
    assert result(syscall(278, 7, 7)[0]) == (0, 0)  # getrandom


@pytest.mark.parametrize("num", [c.SYS_PRLIMIT64, c.SYS_FUTEX_422, c.SYS_NANOSLEEP])
def test_unsupported_syscalls_revert(num: int) -> None:
    with pytest.raises(RiscvRevert) as e:
        syscall(num)
    assert e.value.code == c.ERR_UNSUPPORTED_SYSCALL


@pytest.mark.parametrize("addr", [0x300000, 0x300000 + 24])
def test_clock_gettime_and_getrlimit_write_16_bytes(addr: int) -> None:
    vm, w = syscall(c.SYS_CLOCK_GETTIME, 0, addr, proof=True)
    assert vm.memory.read(addr, 16) == (1337).to_bytes(8, "little") + (42).to_bytes(8, "little")
    assert w is not None and len(w.proof) == (3 if addr & 31 else 2) * 1920
    vm, _ = syscall(c.SYS_GETRLIMIT, 7, addr)
    assert vm.memory.read(addr, 16) == (1024).to_bytes(8, "little") * 2
    with pytest.raises(RiscvRevert) as e:
        syscall(c.SYS_GETRLIMIT, 3, addr)
    assert e.value.code == c.ERR_GETRLIMIT_RESOURCE


def test_read_and_write_fds() -> None:
    out = io.BytesIO()
    vm = make_vm()
    vm.stdout = out
    vm.memory.write(0x300000, b"hi!")
    for r, v in ((c.REG_A7, c.SYS_WRITE), (c.REG_A0, 1), (c.REG_A1, 0x300000), (c.REG_A2, 3)):
        vm.set_register(r, v)
    run_words(vm, [ECALL])
    assert out.getvalue() == b"hi!" and result(vm) == (3, 0)
    assert result(syscall(c.SYS_WRITE, 5, 0, 3)[0]) == (M64, c.EBADF)
    assert result(syscall(c.SYS_READ, 0, 0, 9)[0]) == (0, 0)
    assert result(syscall(c.SYS_READ, 3, 0x300000, 9)[0]) == (9, 0)  # hint ack, memory untouched
    assert result(syscall(c.SYS_READ, 9, 0, 9)[0]) == (M64, c.EBADF)


class OneHost:
    def __init__(self, data: bytes) -> None:
        self.data, self.keys, self.hints = data, [], []  # type: ignore[var-annotated]

    def get_preimage(self, key: bytes) -> bytes:
        self.keys.append(key)
        return self.data

    def hint(self, hint: bytes) -> None:
        self.hints.append(hint)


def test_preimage_key_write_and_value_read() -> None:
    host = OneHost(b"abc")
    vm = make_vm()
    vm.host = host
    key = bytes([2]) + bytes(range(1, 32))
    vm.memory.write(0x300000 + 20, key)
    # write(6, 0x300014, 32) takes only the 12 bytes left in the leaf
    for r, v in ((c.REG_A7, c.SYS_WRITE), (c.REG_A0, 6), (c.REG_A1, 0x300014), (c.REG_A2, 32)):
        vm.set_register(r, v)
    run_words(vm, [ECALL])
    assert vm.register(c.REG_A0) == 12 and vm.preimage_key == bytes(20) + key[:12]
    vm.set_register(c.REG_A0, 6)  # a0 held the result
    vm.set_register(c.REG_A1, 0x300020)
    vm.set_register(c.REG_A2, 20)
    vm.st[0] = CODE
    vm.step()
    assert vm.preimage_key == key and vm.preimage_offset == 0
    # read(5, 0x400005, 100): at most 27 bytes (rest of the leaf), here the whole 11-byte stream
    for r, v in ((c.REG_A7, c.SYS_READ), (c.REG_A0, 5), (c.REG_A1, 0x400005), (c.REG_A2, 100)):
        vm.set_register(r, v)
    vm.st[0] = CODE
    w = vm.step(proof=True)
    assert w is not None and w.preimage_key == key and w.preimage_value == bytes(7) + b"\x03abc"
    assert w.preimage_offset == 0 and len(w.proof) == 2 * 1920
    assert post_state_hash(w) == vm.state_hash()
    assert vm.register(c.REG_A0) == 11 and vm.memory.read(0x400005, 11) == bytes(7) + b"\x03abc"
    assert host.keys == [key]
    vm.st[0] = CODE
    vm.set_register(c.REG_A0, 5)
    with pytest.raises(RiscvRevert) as e:  # offset == length: the Go VM panics, the oracle reverts
        vm.step()
    assert e.value.code == c.ERR_PREIMAGE


def test_hints_are_buffered_until_complete() -> None:
    host = OneHost(b"")
    vm = make_vm()
    vm.host = host
    vm.memory.write(0x300000, (5).to_bytes(4, "big") + b"hello")
    for r, v in ((c.REG_A7, c.SYS_WRITE), (c.REG_A0, 4), (c.REG_A1, 0x300000), (c.REG_A2, 6)):
        vm.set_register(r, v)
    run_words(vm, [ECALL])
    assert host.hints == [] and bytes(vm.last_hint) == (5).to_bytes(4, "big") + b"he"
    vm.set_register(c.REG_A0, 4)
    vm.set_register(c.REG_A1, 0x300006)
    vm.set_register(c.REG_A2, 3)
    vm.st[0] = CODE
    vm.step()
    assert host.hints == [b"hello"] and vm.last_hint == bytearray()
