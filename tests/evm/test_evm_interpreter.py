"""The guest's EVM interpreter (`guest/evm/vm/`) against the Cancun execution specs.

Each scenario is a pre-state, a block/transaction environment and one message call. It runs
twice: through the spec's `process_message_call` (on a spec `State`) and through the C test main
`guest/evm/tests/test_interpreter.c` (on the guest's `state.c`, opened on the empty trie), and
everything a caller can observe must agree: error, gas left, refund counter, output, logs,
accounts to delete, every touched account and storage slot, and the state root.

The table covers every opcode family; each program also runs with exactly the gas it needs and
one less (and gas boundaries fall where the spec says they do). Random programs live in
`test_evm_interpreter_random.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from ethereum.crypto.hash import keccak256
from ethereum.forks.cancun import state as spec_state
from ethereum.forks.cancun.fork_types import EMPTY_ACCOUNT, Account, Address
from ethereum.forks.cancun.utils.address import compute_contract_address
from ethereum.forks.cancun.vm import BlockEnvironment, Message, TransactionEnvironment
from ethereum.forks.cancun.vm.instructions import Ops
from ethereum.forks.cancun.vm.interpreter import process_message_call
from ethereum.forks.cancun.vm.precompiled_contracts.mapping import PRE_COMPILED_CONTRACTS
from ethereum.trace import TraceEvent, TransactionEnd, set_evm_trace
from ethereum_types.bytes import Bytes, Bytes0, Bytes32
from ethereum_types.numeric import U64, U256, Uint

from faultproof.guests import guest_test_elf
from faultproof.preimage.hints import HintRouter, PrecompileHintHandler
from faultproof.preimage.host import LocalHost
from faultproof.preimage.native import run_native
from faultproof.preimage.store import MemoryStore

MAX = 2**256 - 1

# ---- scenarios ---------------------------------------------------------------------------

CALLER = 0x1000
TARGET = 0xC0DE
OTHER = 0xBEEF  # a second contract the tests call into
COINBASE = 0xC014BA5E


@dataclass
class Acct:
    """A pre-state account."""

    balance: int = 0
    nonce: int = 0
    code: bytes = b""
    storage: dict[int, int] = field(default_factory=dict)


@dataclass
class Scenario:
    """One message call on a pre-state (target None: contract creation with `data` as init code)."""

    name: str
    accounts: dict[int, Acct]
    target: int | None = TARGET
    data: bytes = b""
    value: int = 0
    gas: int = 1_000_000
    caller: int = CALLER
    number: int = 1000
    block_gas_limit: int = 30_000_000
    base_fee: int = 7
    time: int = 1_700_000_000
    prev_randao: int = 0x5EED
    excess_blob_gas: int = 0
    chain_id: int = 1
    gas_price: int = 10
    blobs: tuple[int, ...] = ()
    warm: tuple[int, ...] = ()
    warm_keys: tuple[tuple[int, int], ...] = ()

    def with_gas(self, gas: int, suffix: str) -> Scenario:
        copy = Scenario(**{**self.__dict__, "gas": gas, "name": f"{self.name}{suffix}"})
        return copy


@dataclass
class Outcome:
    """What one message call lets a caller observe."""

    lines: list[str]

    def text(self) -> str:
        return "\n".join(self.lines)


def block_hash(number: int) -> bytes:
    return keccak256(b"block" + number.to_bytes(8, "big"))


def addr(n: int) -> Address:
    return Address(n.to_bytes(20, "big"))


def key32(n: int) -> Bytes32:
    return Bytes32(n.to_bytes(32, "big"))


# ---- the spec side -------------------------------------------------------------------------


def _precompile_addresses() -> set[int]:
    return {int.from_bytes(a, "big") for a in PRE_COMPILED_CONTRACTS}


def spec_run(s: Scenario) -> tuple[Outcome, list[str]]:
    """Run the scenario through the spec; returns the outcome and the guest's query lines."""
    state = spec_state.State()
    for a, acct in s.accounts.items():
        spec_state.set_account(
            state,
            addr(a),
            Account(nonce=Uint(acct.nonce), balance=U256(acct.balance), code=Bytes(acct.code)),
        )
        for k, v in acct.storage.items():
            spec_state.set_storage(state, addr(a), key32(k), U256(v))
    first = max(0, s.number - 256)
    block_env = BlockEnvironment(
        chain_id=U64(s.chain_id),
        state=state,
        block_gas_limit=Uint(s.block_gas_limit),
        block_hashes=[Bytes32(block_hash(n)) for n in range(first, s.number)],
        coinbase=addr(COINBASE),
        number=Uint(s.number),
        base_fee_per_gas=Uint(s.base_fee),
        time=U256(s.time),
        prev_randao=key32(s.prev_randao),
        excess_blob_gas=U64(s.excess_blob_gas),
        parent_beacon_block_root=key32(0),
    )
    tx_env = TransactionEnvironment(
        origin=addr(s.caller),
        gas_price=Uint(s.gas_price),
        gas=Uint(s.gas),
        access_list_addresses=set(),
        access_list_storage_keys=set(),
        transient_storage=spec_state.TransientStorage(),
        blob_versioned_hashes=tuple(key32(b) for b in s.blobs),
        index_in_block=Uint(0),
        tx_hash=None,
    )
    caller = addr(s.caller)
    if s.target is None:
        current_target = compute_contract_address(
            caller, spec_state.get_account(state, caller).nonce
        )
        target: Bytes0 | Address = Bytes0(b"")
        data, code, code_address = Bytes(b""), Bytes(s.data), None
    else:
        current_target = target = addr(s.target)
        data = Bytes(s.data)
        code = spec_state.get_account(state, current_target).code
        code_address = current_target
    accessed = {caller, current_target, *(addr(p) for p in _precompile_addresses())}
    accessed.update(addr(w) for w in s.warm)
    message = Message(
        block_env=block_env,
        tx_env=tx_env,
        caller=caller,
        target=target,
        current_target=current_target,
        gas=Uint(s.gas),
        value=U256(s.value),
        data=data,
        code_address=code_address,
        code=code,
        depth=Uint(0),
        should_transfer_value=True,
        is_static=False,
        accessed_addresses=accessed,
        accessed_storage_keys={(addr(a), key32(k)) for a, k in s.warm_keys},
        parent_evm=None,
    )
    ends: list[TransactionEnd] = []

    def tracer(evm: object, event: TraceEvent) -> None:
        if isinstance(event, TransactionEnd):
            ends.append(event)

    old = set_evm_trace(tracer)
    try:
        out = process_message_call(message)
    finally:
        set_evm_trace(old)
    for deleted in out.accounts_to_delete:
        spec_state.destroy_account(state, deleted)

    output = bytes(ends[0].output) if ends else b""
    error = "OK" if out.error is None else type(out.error).__name__
    lines = [f"result {error} {int(out.gas_left)} {int(out.refund_counter)} {output.hex() or '-'}"]
    for log in out.logs:
        topics = ",".join(t.hex() for t in log.topics) or "-"
        lines.append(f"log {bytes(log.address).hex()} {topics} {bytes(log.data).hex() or '-'}")
    lines += [f"delete {bytes(a).hex()}" for a in out.accounts_to_delete]

    # Every account and slot either side may have touched: the pre-state and the spec's post-state.
    addresses = set(s.accounts) | {int.from_bytes(a, "big") for a in state._main_trie._data}
    addresses.add(int.from_bytes(current_target, "big"))
    queries = []
    for a in sorted(addresses):
        keys = set(s.accounts[a].storage) if a in s.accounts else set()
        trie = state._storage_tries.get(addr(a))
        if trie is not None:
            keys |= {int.from_bytes(k, "big") for k in trie._data}
        queries.append(f"q {a:040x} " + " ".join(f"{k:064x}" for k in sorted(keys)))
        account = spec_state.get_account_optional(state, addr(a))
        post = account if account is not None else EMPTY_ACCOUNT
        lines.append(
            f"acct {a:040x} {int(account is not None)} {int(post.nonce)} "
            f"{int(post.balance):064x} {keccak256(post.code).hex()}"
        )
        for k in sorted(keys):
            value = spec_state.get_storage(state, addr(a), key32(k))
            lines.append(f"slot {a:040x} {k:064x} {int(value):064x}")
    lines.append(f"root {bytes(spec_state.state_root(state)).hex()}")
    return Outcome(lines), queries


# ---- the guest side ----------------------------------------------------------------------


def guest_input(s: Scenario, queries: Sequence[str]) -> str:
    out = ["case"]
    for a, acct in s.accounts.items():
        out.append(f"acct {a:040x} {acct.balance:x} {acct.nonce} {acct.code.hex() or '-'}")
        out += [f"slot {a:040x} {k:x} {v:x}" for k, v in acct.storage.items()]
    out.append(
        f"env {COINBASE:040x} {s.number} {s.block_gas_limit} {s.base_fee} {s.time} "
        f"{s.prev_randao:x} {s.excess_blob_gas} {s.chain_id} {s.gas_price:x}"
    )
    out += [f"bhash {n} {block_hash(n).hex()}" for n in range(max(0, s.number - 256), s.number)]
    out += [f"blob {b:064x}" for b in s.blobs]
    out += [f"warm {w:040x}" for w in s.warm]
    out += [f"warmkey {a:040x} {k:x}" for a, k in s.warm_keys]
    target = "-" if s.target is None else f"{s.target:040x}"
    out.append(f"call {s.caller:040x} {target} {s.value:x} {s.data.hex() or '-'} {s.gas}")
    out += queries
    out.append("root")
    return "\n".join(out) + "\n"


def _precompile_runner(address: bytes, _gas: int, data: bytes) -> bytes:
    """Host side of l1-precompile-v2 (0x01, 0x08, 0x0a): the spec's precompile, ample gas."""
    from types import SimpleNamespace

    evm: Any = SimpleNamespace(
        message=SimpleNamespace(data=Bytes(data)), gas_left=Uint(2**63), output=Bytes(b"")
    )
    try:
        PRE_COMPILED_CONTRACTS[Address(address)](evm)
    except Exception:  # any spec failure is the precompile's failure status
        return b"\x00"
    return b"\x01" + bytes(evm.output)


def _host() -> LocalHost:
    store = MemoryStore()
    router = HintRouter(store)  # l2-account-proof hints: nothing to fetch on the empty trie
    router.register("l1-precompile-v2", PrecompileHintHandler(_precompile_runner))
    return LocalHost(store=store, router=router)


@cache
def interpreter_elf(target: str = "host") -> Path:
    return guest_test_elf("evm", "test_interpreter", target)


def guest_run(inputs: Sequence[str], target: str = "host") -> list[Outcome]:
    """Run the C test main over many scenarios in one process; one Outcome per `case`."""
    argv = [str(interpreter_elf(target))]
    if target == "mips32":
        argv.insert(0, "qemu-mips")
    code, out = run_native(argv, _host(), stdin="".join(inputs).encode(), timeout=600)
    text = out.decode(errors="replace")
    assert code == 0, text[-3000:]
    outcomes: list[Outcome] = []
    for line in text.splitlines():
        if line.startswith("result "):
            outcomes.append(Outcome([]))
        assert outcomes, text[-3000:]
        outcomes[-1].lines.append(line)
    assert len(outcomes) == len(inputs), text[-3000:]
    return outcomes


def check(scenarios: Iterable[Scenario], target: str = "host") -> None:
    """Spec vs guest on every scenario; the first difference fails with both outcomes."""
    scenarios = list(scenarios)
    expected = [spec_run(s) for s in scenarios]
    got = guest_run(
        [guest_input(s, q) for s, (_, q) in zip(scenarios, expected, strict=True)], target
    )
    for s, (want, _), have in zip(scenarios, expected, got, strict=True):
        assert have.text() == want.text(), (
            f"scenario {s.name}:\n--- spec\n{want.text()}\n--- guest\n{have.text()}"
        )


def gas_used(s: Scenario) -> int:
    """The gas the spec's run of `s` consumed (its gas minus gas left)."""
    outcome, _ = spec_run(s)
    return s.gas - int(outcome.lines[0].split()[2])


def with_boundaries(scenarios: Iterable[Scenario]) -> list[Scenario]:
    """Each scenario, plus the same with exactly the gas it used and one less."""
    out = []
    for s in scenarios:
        used = gas_used(s)
        out += [s, s.with_gas(used, "@used"), s.with_gas(max(used - 1, 0), "@used-1")]
    return out


# ---- a tiny assembler ---------------------------------------------------------------------


def op(name: str) -> bytes:
    """One opcode by its spec name (`Ops`), or INVALID (0xFE, which `Ops` leaves out)."""
    return b"\xfe" if name == "INVALID" else bytes([Ops[name].value])


def push(value: int, width: int | None = None) -> bytes:
    """The shortest PUSH of `value` (PUSH0 for zero), or PUSHwidth."""
    value %= 2**256
    if width is None:
        if value == 0:
            return op("PUSH0")
        width = (value.bit_length() + 7) // 8
    return bytes([0x5F + width]) + value.to_bytes(width, "big")


def asm(*parts: bytes | str | int) -> bytes:
    """Concatenate bytes, opcode names and integers (pushed)."""
    out = b""
    for p in parts:
        if isinstance(p, bytes):
            out += p
        elif isinstance(p, str):
            out += op(p)
        else:
            out += push(p)
    return out


def ret_top() -> bytes:
    """Return the top of the stack as a 32-byte word."""
    return asm(0, "MSTORE", 32, 0, "RETURN")


def call_code(
    opname: str,
    gas: int,
    to: int,
    value: int = 0,
    args: tuple[int, int] = (0, 0),
    ret: tuple[int, int] = (0, 32),
) -> bytes:
    """Push a CALL-family call's operands (last pushed = first popped) and the opcode."""
    parts: list[bytes | str | int] = [ret[1], ret[0], args[1], args[0]]
    if opname in ("CALL", "CALLCODE"):
        parts.append(value)
    parts += [to, gas, opname]
    return asm(*parts)


def base_accounts(code: bytes, extra: dict[int, Acct] | None = None) -> dict[int, Acct]:
    """The caller (rich), the target contract running `code`, and `extra` accounts."""
    accounts = {CALLER: Acct(balance=10**20), TARGET: Acct(balance=10**6, code=code)}
    accounts.update(extra or {})
    return accounts


def program(
    name: str, code: bytes, data: bytes = b"", value: int = 0, extra: dict[int, Acct] | None = None
) -> Scenario:
    return Scenario(name, base_accounts(code, extra), data=data, value=value)


EDGES = (
    0,
    1,
    2,
    31,
    32,
    255,
    256,
    2**63,
    2**64 - 1,
    2**64,
    2**128,
    2**255 - 1,
    2**255,
    MAX - 1,
    MAX,
)


def family_program(opname: str, arity: int, values: Sequence[int]) -> bytes:
    """Apply `opname` to operand tuples drawn from `values`, storing each result in memory."""
    import itertools

    code = b""
    slot = 0
    for operands in itertools.islice(itertools.product(values, repeat=arity), 0, 120):
        code += asm(*reversed(operands), opname, slot * 32, "MSTORE")
        slot += 1
    return code + asm(slot * 32, 0, "RETURN")


# ---- the table ---------------------------------------------------------------------------

ARITH = ["ADD", "MUL", "SUB", "DIV", "SDIV", "MOD", "SMOD", "EXP", "SIGNEXTEND",
         "LT", "GT", "SLT", "SGT", "EQ", "AND", "OR", "XOR", "BYTE", "SHL", "SHR", "SAR"]  # fmt: skip


def arithmetic_scenarios() -> list[Scenario]:
    out = [program(f"{o}", family_program(o, 2, EDGES)) for o in ARITH]
    out += [program(f"{o}", family_program(o, 3, EDGES[::2])) for o in ("ADDMOD", "MULMOD")]
    out += [program(f"{o}", family_program(o, 1, EDGES)) for o in ("ISZERO", "NOT")]
    return out


def small_scenarios() -> list[Scenario]:
    """One small program per behaviour, each with gas boundaries."""
    s: list[Scenario] = []
    add = s.append
    # arithmetic gas (EXP by exponent length)
    for e in (0, 1, 255, 256, 2**64, MAX):
        add(program(f"exp-gas-{e:x}", asm(e, 3, "EXP", ret_top())))
    # keccak
    add(program("keccak-empty", asm(0, 0, "KECCAK", ret_top())))
    add(program("keccak-word", asm(0x1234, 0, "MSTORE", 32, 0, "KECCAK", ret_top())))
    add(program("keccak-unaligned", asm(0xABCD, 7, "MSTORE", 45, 3, "KECCAK", ret_top())))
    add(program("keccak-empty-huge-offset", asm(0, MAX, "KECCAK", ret_top())))
    add(program("keccak-huge-size", asm(MAX, 0, "KECCAK", ret_top())))
    # environment
    for name in ("ADDRESS", "ORIGIN", "CALLER", "CALLVALUE", "CALLDATASIZE", "CODESIZE",
                 "GASPRICE", "RETURNDATASIZE", "SELFBALANCE", "BASEFEE", "BLOBBASEFEE",
                 "COINBASE", "TIMESTAMP", "NUMBER", "PREVRANDAO", "GASLIMIT", "CHAINID",
                 "PC", "GAS", "MSIZE"):  # fmt: skip
        add(program(f"env-{name}", asm(name, ret_top()), data=b"\x01\x02\x03", value=77))
    for excess in (0, 393216, 10_000_000, 400_000_000):
        sc = program(f"blobbasefee-{excess}", asm("BLOBBASEFEE", ret_top()))
        sc.excess_blob_gas = excess
        add(sc)
    for who in (CALLER, TARGET, OTHER, 0xDEAD, 1):
        add(
            program(
                f"balance-{who:x}",
                asm(who, "BALANCE", ret_top()),
                extra={OTHER: Acct(balance=5, code=b"\x00")},
            )
        )
        add(
            program(
                f"extcodesize-{who:x}",
                asm(who, "EXTCODESIZE", ret_top()),
                extra={OTHER: Acct(code=b"\x60\x00")},
            )
        )
        add(
            program(
                f"extcodehash-{who:x}",
                asm(who, "EXTCODEHASH", ret_top()),
                extra={OTHER: Acct(code=b"\x60\x00")},
            )
        )
    add(
        program(
            "extcodehash-empty-account", asm(0xE0, "EXTCODEHASH", ret_top()), extra={0xE0: Acct()}
        )
    )
    add(program("balance-warm", asm(OTHER, "BALANCE", "POP", OTHER, "BALANCE", ret_top())))
    add(
        program(
            "balance-masked",
            asm((1 << 200) | OTHER, "BALANCE", ret_top()),
            extra={OTHER: Acct(balance=9)},
        )
    )
    data = bytes(range(1, 70))
    for off in (0, 1, 31, 32, 68, 69, 1000, 2**64, MAX):
        add(program(f"calldataload-{off:x}", asm(off, "CALLDATALOAD", ret_top()), data=data))
    for mem, off, size in (
        (0, 0, 69),
        (5, 60, 40),
        (0, 1000, 64),
        (0, MAX, 32),
        (MAX, 0, 0),
        (0, 0, 0),
        (3, 2**70, 10),
    ):
        add(
            program(
                f"calldatacopy-{mem:x}-{off:x}-{size}",
                asm(size, off, mem, "CALLDATACOPY", "MSIZE", 0, "RETURN"),
                data=data,
            )
        )
        add(
            program(
                f"codecopy-{mem:x}-{off:x}-{size}",
                asm(size, off, mem, "CODECOPY", "MSIZE", 0, "RETURN"),
            )
        )
        add(
            program(
                f"extcodecopy-{mem:x}-{off:x}-{size}",
                asm(size, off, mem, OTHER, "EXTCODECOPY", "MSIZE", 0, "RETURN"),
                extra={OTHER: Acct(code=bytes(range(100)))},
            )
        )
    for index in (0, 1, 2, 2**64, MAX):
        sc = program(f"blobhash-{index:x}", asm(index, "BLOBHASH", ret_top()))
        sc.blobs = (0x01AA, 0x01BB)
        add(sc)
    # block
    for n in (999, 998, 744, 743, 1000, 1001, 0, 2**64 + 999, MAX):
        add(program(f"blockhash-{n:x}", asm(n, "BLOCKHASH", ret_top())))
    early = program("blockhash-early-chain", asm(3, "BLOCKHASH", 0, "BLOCKHASH", "ADD", ret_top()))
    early.number = 10
    add(early)
    # control flow
    add(program("jump-ok", asm(4, "JUMP", "INVALID", "JUMPDEST", 7, ret_top())))
    add(program("jump-into-push", asm(3, "JUMP", push(0x5B, 1), "JUMPDEST", 1, ret_top())))
    add(program("jump-not-jumpdest", asm(3, "JUMP", "STOP", "STOP")))
    add(program("jump-past-code", asm(100, "JUMP")))
    add(program("jump-huge", asm(2**64 + 4, "JUMP", "JUMPDEST")))
    add(program("jumpi-taken", asm(1, 6, "JUMPI", "INVALID", "JUMPDEST", 9, ret_top())))
    add(program("jumpi-not-taken", asm(0, 6, "JUMPI", 5, ret_top(), "JUMPDEST")))
    add(program("jumpi-bad-dest-zero-cond", asm(0, 99, "JUMPI", 5, ret_top())))
    add(program("jumpi-bad-dest", asm(1, 99, "JUMPI", 5, ret_top())))
    add(program("stop-returns-nothing", asm(1, 0, "MSTORE", "STOP")))
    add(program("invalid-fe", b"\xfe"))
    for undefined in (0x0C, 0x21, 0x4B, 0xA5, 0xEF, 0xF6, 0xFB, 0xFC):
        add(program(f"undefined-{undefined:02x}", asm(1, bytes([undefined]))))
    add(program("end-of-code", asm(1, 2)))
    # stack
    for n in range(33):
        val = int.from_bytes(bytes(range(1, n + 1)), "big") if n else 0
        add(program(f"push{n}", asm(push(val, n) if n else "PUSH0", ret_top())))
    add(program("push32-truncated", bytes([0x7F, 1, 2, 3])))
    add(program("push2-truncated-jumpdest", bytes([0x61, 0x5B])))
    for n in range(1, 17):
        add(program(f"dup{n}", asm(*range(1, 17), bytes([0x7F + n]), ret_top())))
        add(program(f"swap{n}", asm(*range(1, 18), bytes([0x8F + n]), ret_top())))
        add(program(f"dup{n}-underflow", asm(*range(1, n), bytes([0x7F + n]))))
        add(program(f"swap{n}-underflow", asm(*range(1, n + 1), bytes([0x8F + n]))))
    add(program("pop-underflow", asm("POP")))
    add(program("add-underflow", asm(1, "ADD")))
    add(program("stack-1024", asm(*([1] * 1024), "STOP")))
    add(program("stack-overflow", asm(*([1] * 1025))))
    add(program("dup-overflow", asm(*([1] * 1024), "DUP1")))
    # memory
    for off in (0, 1, 31, 32, 1000, 2**20, 2**32, 2**64, MAX):
        add(program(f"mstore-{off:x}", asm(0xAB, off, "MSTORE", "MSIZE", ret_top())))
        add(program(f"mstore8-{off:x}", asm(0x1AB, off, "MSTORE8", "MSIZE", ret_top())))
        add(program(f"mload-{off:x}", asm(off, "MLOAD", "MSIZE", "ADD", ret_top())))
    for dst, src, n in ((0, 32, 32), (32, 0, 32), (1, 0, 40), (0, 1, 40), (100, 0, 0), (MAX, 0, 0), (0, 0, 1),
                        (2**32, 0, 1), (0, 2**64, 1), (64, 0, 2**64)):  # fmt: skip
        add(
            program(
                f"mcopy-{dst:x}-{src:x}-{n:x}",
                asm(
                    int.from_bytes(bytes(range(1, 33)), "big"),
                    0,
                    "MSTORE",
                    0x77,
                    32,
                    "MSTORE",
                    n,
                    src,
                    dst,
                    "MCOPY",
                    "MSIZE",
                    0,
                    "RETURN",
                ),
            )
        )
    add(program("memory-expansion-quadratic", asm(1, 30_000, "MSTORE8", "MSIZE", ret_top())))
    # logs
    for n in range(5):
        topics = [0x100 + i for i in range(n)]
        add(program(f"log{n}", asm(0x1122, 0, "MSTORE", *topics, 40, 2, f"LOG{n}", "STOP")))
    add(program("log-huge-size", asm(MAX, 0, "LOG0")))
    add(program("log-empty-huge-offset", asm(0, MAX, "LOG0")))
    # storage
    add(program("sload-cold-warm", asm(1, "SLOAD", 1, "SLOAD", "ADD", ret_top())))
    add(program("sload-prewarmed", asm(5, "SLOAD", ret_top())))
    s[-1].warm_keys = ((TARGET, 5),)
    s[-1].accounts[TARGET].storage = {5: 42}
    add(program("sstore-low-gas", asm(1, 1, "SSTORE")))
    add(program("tstore-tload", asm(7, 1, "TSTORE", 1, "TLOAD", 2, "TLOAD", "ADD", ret_top())))
    return s


def sstore_scenarios() -> list[Scenario]:
    """EIP-2200/3529: every original value x write sequence over {0, 1, 2}, up to 3 writes."""
    import itertools

    out = []
    for original in (0, 1):
        for length in (1, 2, 3):
            for seq in itertools.product((0, 1, 2), repeat=length):
                code = b"".join(asm(v, 0, "SSTORE") for v in seq) + asm("STOP")
                sc = program(f"sstore-{original}-{''.join(map(str, seq))}", code)
                if original:
                    sc.accounts[TARGET].storage = {0: original}
                out.append(sc)
    return out


def test_arithmetic_bitwise_comparison_families() -> None:
    check(arithmetic_scenarios())


def test_small_programs_with_gas_boundaries() -> None:
    check(with_boundaries(small_scenarios()))


def test_sstore_gas_and_refunds() -> None:
    check(with_boundaries(sstore_scenarios()))
