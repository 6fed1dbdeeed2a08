"""Syscalls and preimage I/O (cannon-mips32.md §4)."""

from __future__ import annotations

import io
from typing import Any

import pytest

from faultproof.crypto import keccak256
from faultproof.errors import PreimageNotFound
from faultproof.vm.mips.constants import (
    EBADF,
    EINVAL,
    HEAP_END,
    HEAP_START,
    PROGRAM_BREAK,
    SYS_ERROR,
)
from faultproof.vm.mips.vm import MipsVM, PreimageOutOfBounds

from .asm import CODE, SYSCALL, make_vm, reg


class Host:
    def __init__(self, preimages: dict[bytes, bytes] | None = None) -> None:
        self.preimages = preimages or {}
        self.hints: list[bytes] = []
        self.requests: list[bytes] = []

    def get_preimage(self, key: bytes) -> bytes:
        self.requests.append(key)
        return self.preimages[key]

    def hint(self, hint: bytes) -> None:
        self.hints.append(hint)


def sys(number: int, a0: int = 0, a1: int = 0, a2: int = 0, **kw: Any) -> MipsVM:
    vm = make_vm([SYSCALL, 0], {2: number, 4: a0, 5: a1, 6: a2, 7: 0x77}, **kw)
    vm.cpu[4] = HEAP_START
    vm.step()
    return vm


def result(vm: MipsVM) -> tuple[int, int]:
    return reg(vm, 2), reg(vm, 7)


def test_mmap_bumps_heap_rounded_to_pages() -> None:
    vm = sys(4090, 0, 5000)
    assert result(vm) == (HEAP_START, 0) and vm.heap == HEAP_START + 8192
    assert vm.pc == CODE + 4


def test_mmap_hint_is_returned_literally() -> None:
    vm = sys(4090, 0x1234, 5000)
    assert result(vm) == (0x1234, 0) and vm.heap == HEAP_START


@pytest.mark.parametrize("size", [HEAP_END - HEAP_START + 1, 0xFFFFFFFF])
def test_mmap_past_heap_end_is_einval(size: int) -> None:
    vm = sys(4090, 0, size)
    assert result(vm) == (SYS_ERROR, EINVAL) and vm.heap == HEAP_START


def test_mmap_up_to_heap_end_succeeds() -> None:
    assert result(sys(4090, 0, HEAP_END - HEAP_START)) == (HEAP_START, 0)


def test_brk_clone_and_unknown() -> None:
    assert result(sys(4045)) == (PROGRAM_BREAK, 0)
    assert result(sys(4120)) == (1, 0)
    for number in (4001, 4162, 4238, 4263, 9999):
        assert result(sys(number, 1, 2, 3)) == (0, 0)


def test_exit_group_stops_without_advancing() -> None:
    vm = sys(4246, 0x1FF)
    assert vm.exited and vm.exit_code == 0xFF and vm.step_count == 1
    assert vm.pc == CODE and reg(vm, 2) == 4246
    assert vm.state_hash()[0] == 2  # panic status
    before = vm.encode_witness()
    w = vm.step(proof=True)
    assert w is not None and w.state == before and vm.step_count == 1  # steps to itself


@pytest.mark.parametrize(("code", "status"), [(0, 0), (1, 1), (3, 2)])
def test_status_byte(code: int, status: int) -> None:
    assert sys(4246, code).state_hash()[0] == status


@pytest.mark.parametrize(
    ("fd", "cmd", "expected"),
    [
        (0, 1, (0, 0)), (6, 1, (0, 0)), (7, 1, (SYS_ERROR, EBADF)),
        (0, 3, (0, 0)), (3, 3, (0, 0)), (5, 3, (0, 0)),
        (1, 3, (1, 0)), (2, 3, (1, 0)), (4, 3, (1, 0)), (6, 3, (1, 0)), (9, 3, (SYS_ERROR, EBADF)),
        (0, 2, (SYS_ERROR, EINVAL)),
    ],
)  # fmt: skip
def test_fcntl(fd: int, cmd: int, expected: tuple[int, int]) -> None:
    assert result(sys(4055, fd, cmd)) == expected


BUF = 0x20000


def test_write_stdout_stderr_full_count() -> None:
    out, err = io.BytesIO(), io.BytesIO()
    vm = make_vm([SYSCALL, SYSCALL], {2: 4004, 4: 1, 5: BUF + 1, 6: 11}, stdout=out, stderr=err)
    vm.memory.write(BUF, b"xhello world!")
    vm.step()
    assert result(vm) == (11, 0) and out.getvalue() == b"hello world"
    vm.regs[2], vm.regs[4] = 4004, 2
    vm.step()
    assert err.getvalue() == b"hello world"


@pytest.mark.parametrize(("number", "fd"), [(4004, 0), (4004, 3), (4004, 5), (4004, 9), (4003, 1), (4003, 2), (4003, 4), (4003, 6), (4003, 9)])
def test_wrong_direction_fds_are_ebadf(number: int, fd: int) -> None:
    assert result(sys(number, fd, BUF, 4)) == (SYS_ERROR, EBADF)


def test_stdin_reads_eof_and_hint_ack_reads_full_count_without_writing() -> None:
    assert result(sys(4003, 0, BUF, 4)) == (0, 0)
    vm = sys(4003, 3, BUF, 100)
    assert result(vm) == (100, 0) and vm.memory.page_count == 1  # only the code page


def test_hints_are_buffered_and_dispatched_when_complete() -> None:
    host = Host()
    msg = b"\x00\x00\x00\x05hello\x00\x00\x00\x02hi\x00\x00"
    vm = make_vm([SYSCALL] * 3, {2: 4004, 4: 4, 5: BUF, 6: 7}, host=host)
    vm.memory.write(BUF, msg)
    vm.step()
    assert host.hints == [] and vm.last_hint == msg[:7]
    vm.regs[2], vm.regs[5], vm.regs[6] = 4004, BUF + 7, 10
    vm.step()
    assert host.hints == [b"hello", b"hi"] and vm.last_hint == b"\x00\x00"
    assert result(vm) == (10, 0)


def _key_writes(key: bytes, chunk: int, align: int) -> MipsVM:
    """Write ``key`` to fd 6 in chunks from a buffer at BUF + align."""
    vm = make_vm([SYSCALL] * 64, {})
    vm.memory.write(BUF + align, key)
    pos = 0
    while pos < 32:
        vm.regs[2], vm.regs[4], vm.regs[5], vm.regs[6] = 4004, 6, BUF + align + pos, min(chunk, 32 - pos)
        vm.step()
        pos += reg(vm, 2)
    return vm


@pytest.mark.parametrize(("chunk", "align"), [(32, 0), (4, 0), (3, 1), (32, 3), (1, 2)])
def test_preimage_key_write_shift_register(chunk: int, align: int) -> None:
    key = bytes(range(1, 33))
    vm = _key_writes(key, chunk, align)
    assert vm.preimage_key == key and vm.preimage_offset == 0


def test_key_write_count_clamped_to_word() -> None:
    vm = sys(4004, 6, BUF + 3, 10)
    assert result(vm) == (1, 0)


def test_key_write_resets_offset_even_for_zero_bytes() -> None:
    vm = make_vm([SYSCALL], {2: 4004, 4: 6, 5: BUF, 6: 0})
    vm.cpu[8] = 17
    vm.step()
    assert vm.preimage_offset == 0 and result(vm) == (0, 0)


PREIMAGE = bytes(range(0xA0, 0xAB))  # 11 bytes; stream = 8-byte length + 11 = 19 bytes
KEY = b"\x02" + keccak256(PREIMAGE)[1:]
STREAM = len(PREIMAGE).to_bytes(8, "big") + PREIMAGE


def _read(offset: int, addr: int, count: int) -> tuple[MipsVM, Host]:
    host = Host({KEY: PREIMAGE})
    vm = make_vm([SYSCALL], {2: 4003, 4: 5, 5: addr, 6: count}, host=host)
    vm.preimage_key_array[:] = list(KEY)
    vm.cpu[8] = offset
    vm.memory.write(addr & ~3, b"\xee\xee\xee\xee")
    vm.step()
    return vm, host


@pytest.mark.parametrize("offset", range(len(STREAM)))
@pytest.mark.parametrize("align", range(4))
def test_preimage_read_clamps_to_word_and_stream(offset: int, align: int) -> None:
    vm, host = _read(offset, BUF + align, 8)
    n = min(len(STREAM) - offset, 4 - align, 8)
    assert result(vm) == (n, 0) and vm.preimage_offset == offset + n
    word = bytearray(b"\xee" * 4)
    word[align : align + n] = STREAM[offset : offset + n]
    assert vm.memory.read(BUF, 4) == bytes(word)
    assert host.requests == [KEY]


@pytest.mark.parametrize("count", range(0, 6))
def test_preimage_read_clamps_to_count(count: int) -> None:
    vm, _ = _read(8, BUF, count)
    assert result(vm) == (min(count, 4), 0)


@pytest.mark.parametrize("offset", [len(STREAM), len(STREAM) + 1, 1000])
def test_preimage_read_past_the_end_is_an_exception(offset: int) -> None:
    with pytest.raises(PreimageOutOfBounds):
        _read(offset, BUF, 4)
    with pytest.raises(PreimageOutOfBounds):
        _read(offset, BUF, 0)  # even for a zero-byte read


def test_preimage_read_without_host_is_a_clear_error() -> None:
    vm = make_vm([SYSCALL], {2: 4003, 4: 5, 5: BUF, 6: 4})
    with pytest.raises(PreimageNotFound, match="no host"):
        vm.step()
    assert vm.step_count == 0


def test_preimage_witness_fields() -> None:
    host = Host({KEY: PREIMAGE})
    vm = make_vm([SYSCALL], {2: 4003, 4: 5, 5: BUF + 1, 6: 4}, host=host)
    vm.preimage_key_array[:] = list(KEY)
    vm.cpu[8] = 5
    w = vm.step(proof=True)
    assert w is not None
    assert w.preimage_key == KEY and w.preimage_value == STREAM and w.preimage_offset == 5
    assert len(w.proof) == 1792 and w.proof[896:] != bytes(896)
