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
from ethereum.trace import OpStart, TraceEvent, TransactionEnd, set_evm_trace
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
        """The lines, with accounts_to_delete sorted (a set: its order means nothing)."""
        deletes = sorted(line for line in self.lines if line.startswith("delete "))
        rest = [line for line in self.lines if not line.startswith("delete ")]
        head = [line for line in rest if line.startswith(("result ", "log "))]
        return "\n".join(head + deletes + rest[len(head) :])


@cache
def block_hash(number: int) -> bytes:
    return keccak256(b"block" + number.to_bytes(8, "big"))


def addr(n: int) -> Address:
    return Address(n.to_bytes(20, "big"))


def key32(n: int) -> Bytes32:
    return Bytes32(n.to_bytes(32, "big"))


# ---- the spec side -------------------------------------------------------------------------


def _precompile_addresses() -> set[int]:
    return {int.from_bytes(a, "big") for a in PRE_COMPILED_CONTRACTS}


_SPEC_RUNS: dict[str, tuple[Outcome, list[str]]] = {}
EXECUTED_OPS: set[int] = set()  # opcodes the spec has executed in this process (coverage)


def spec_run(s: Scenario) -> tuple[Outcome, list[str]]:
    """Run the scenario through the spec (memoised: boundaries rerun the same scenario);
    returns the outcome and the guest's query lines."""
    key = repr({**s.__dict__, "name": ""})
    if key not in _SPEC_RUNS:
        _SPEC_RUNS[key] = _spec_run(s)
    return _SPEC_RUNS[key]


def _spec_run(s: Scenario) -> tuple[Outcome, list[str]]:
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
        elif isinstance(event, OpStart):
            EXECUTED_OPS.add(event.op.value)

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
    if target != "host":
        argv.insert(0, {"mips32": "qemu-mips", "riscv64": "qemu-riscv64"}[target])
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
    more = [(k * 0x9E3779B97F4A7C15) % 590_000_000 for k in range(1, 12)]  # spread over the range
    for excess in (0, 1, 393216, 3338477, 10_000_000, 400_000_000, 589_000_000, *more):
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


# ---- calls, creates, self-destructs ---------------------------------------------------------

ECHO = OTHER  # records caller/value/address in its storage, returns calldata word + 1
REVERTER = 0xBAD0  # writes storage, warms 0xAAAA, TSTOREs, logs, then reverts with 0xdead
BURNER = 0x100F  # runs out of gas
DEEP = 0xD0  # a second level: calls REVERTER, then stores and returns
ECHO_CODE = asm(
    "CALLER", 0, "SSTORE", "CALLVALUE", 1, "SSTORE", "ADDRESS", 2, "SSTORE",
    0, "CALLDATALOAD", 1, "ADD", 0, "MSTORE", 0, 0, "LOG0", 32, 0, "RETURN",
)  # fmt: skip
REVERTER_CODE = asm(
    5, 5, "SSTORE", 0xAAAA, "BALANCE", "POP", 9, 1, "TSTORE", 0, 0, "LOG0",
    0xDEAD, 0, "MSTORE", 32, 0, "REVERT",
)  # fmt: skip
BURNER_CODE = asm(1, 0x10, "SSTORE", 0xFFFFFF, "MLOAD")  # 16 MiB of memory: ~540 M gas
DEEP_CODE = asm(
    call_code("CALL", 100_000, REVERTER), 7, "SSTORE", 6, 6, "SSTORE", 0, 0, "LOG0", "STOP"
)


def callees() -> dict[int, Acct]:
    return {
        ECHO: Acct(balance=3, code=ECHO_CODE),
        REVERTER: Acct(code=REVERTER_CODE),
        BURNER: Acct(code=BURNER_CODE),
        DEEP: Acct(code=DEEP_CODE),
    }


def after_call() -> bytes:
    """Store what the caller can see after a call: success, return data, output, warmth, TLOAD."""
    return asm(
        10, "SSTORE", "RETURNDATASIZE", 11, "SSTORE", 0, "MLOAD", 12, "SSTORE",
        0xAAAA, "BALANCE", "POP", "GAS", 13, "SSTORE", 1, "TLOAD", 14, "SSTORE",
        "RETURNDATASIZE", 0, 0, "RETURNDATACOPY", 64, 0, "RETURN",
    )  # fmt: skip


def call_scenarios() -> list[Scenario]:
    out = []
    targets = (ECHO, REVERTER, BURNER, DEEP, 0xDEAD, 1, 2, 3, 4, 5, 9)
    for opname in ("CALL", "CALLCODE", "DELEGATECALL", "STATICCALL"):
        values = (0, 5, 10**7) if opname in ("CALL", "CALLCODE") else (0,)
        for to in targets:
            for value in values:
                for gas in (0, 2300, 30_000, MAX):
                    code = asm(
                        0x1234,
                        0,
                        "MSTORE",
                        call_code(opname, gas, to, value, (0, 64), (0, 32)),
                        after_call(),
                    )
                    out.append(
                        program(f"{opname}-{to:x}-v{value}-g{gas:x}", code, b"", 9, callees())
                    )
    # a value call creating the recipient (GAS_NEW_ACCOUNT), and to an existing empty account
    out.append(
        program("call-value-new-account", asm(call_code("CALL", 0, 0xFEED, 1), after_call()))
    )
    out.append(
        program(
            "call-value-empty-account",
            asm(call_code("CALL", 0, 0xE0, 1), after_call()),
            extra={0xE0: Acct()},
        )
    )
    out.append(
        program("call-zero-value-nonexistent", asm(call_code("CALL", 0, 0xFEED, 0), after_call()))
    )
    # return data bounds after a call
    for start, size in ((0, 32), (1, 32), (32, 0), (33, 0), (0, 33), (MAX, 1)):
        code = asm(
            call_code("CALL", 50_000, ECHO),
            "POP",
            size,
            start,
            0,
            "RETURNDATACOPY",
            32,
            0,
            "RETURN",
        )
        out.append(program(f"returndatacopy-{start:x}-{size}", code, extra=callees()))
    out.append(
        program("returndatacopy-no-call", asm(0, 0, 0, "RETURNDATACOPY", 1, 0, 0, "RETURNDATACOPY"))
    )
    # static context: every write is refused
    for name, body in (
        ("sstore", asm(1, 1, "SSTORE")), ("tstore", asm(1, 1, "TSTORE")), ("log", asm(0, 0, "LOG0")),
        ("create", asm(0, 0, 0, "CREATE")), ("create2", asm(0, 0, 0, 0, "CREATE2")),
        ("selfdestruct", asm(0xFEED, "SELFDESTRUCT")), ("call-value", call_code("CALL", 0, ECHO, 1)),
        ("call-no-value", asm(call_code("CALL", 50_000, ECHO, 0), "STOP")), ("tload", asm(1, "TLOAD", "STOP")),
    ):  # fmt: skip
        extra = {**callees(), 0x57A7: Acct(balance=10, code=body)}
        out.append(
            program(
                f"static-{name}",
                asm(call_code("STATICCALL", 200_000, 0x57A7), after_call()),
                extra=extra,
            )
        )
    return out


RUNTIME = asm(0x42, 0, "MSTORE", 32, 0, "RETURN")  # the runtime code the init codes deploy


def init_returning(code: bytes, prefix: bytes = b"") -> bytes:
    """Init code: `prefix`, then copy `code` (appended after the init code) and return it."""
    head_len = len(prefix) + 13
    head = prefix + asm(
        push(len(code), 2), push(head_len, 2), 0, "CODECOPY", push(len(code), 2), 0, "RETURN"
    )
    assert len(head) == head_len
    return head + code


def create_call(opname: str, init: bytes, value: int = 0, salt: int = 0) -> bytes:
    """Put `init` in memory at 0 and CREATE/CREATE2 it; leaves the address (or 0) on the stack."""
    code = b""
    for i in range(0, len(init), 32):
        chunk = init[i : i + 32].ljust(32, b"\0")
        code += asm(int.from_bytes(chunk, "big"), i, "MSTORE")
    if opname == "CREATE2":
        return code + asm(salt, len(init), 0, value, "CREATE2")
    return code + asm(len(init), 0, value, "CREATE")


def store_create_result() -> bytes:
    """With the new address (or 0) on the stack: store it, its code size, the return data size,
    then call it and store the call's success and first output word."""
    return asm(
        "DUP1", 20, "SSTORE", "DUP1", "EXTCODESIZE", 21, "SSTORE", "RETURNDATASIZE", 22, "SSTORE",
        32, 0, 0, 0, 0, "DUP6", "GAS", "CALL", 23, "SSTORE", 0, "MLOAD", 24, "SSTORE", "STOP",
    )  # fmt: skip


def create_scenarios() -> list[Scenario]:
    out = []
    big_ok = asm(push(0x6000, 2), 0, "RETURN")  # returns 24576 zero bytes
    big_bad = asm(push(0x6001, 2), 0, "RETURN")
    inits = {
        "runtime": init_returning(RUNTIME, asm(7, 3, "SSTORE")),
        "empty": b"",
        "stop": asm("STOP"),
        "revert": asm(0xBEEF, 0, "MSTORE", 32, 0, "REVERT"),
        "oog": BURNER_CODE,
        "invalid": b"\xfe",
        "ef-prefix": asm(0xEF, 0, "MSTORE8", 1, 0, "RETURN"),
        "max-code": big_ok,
        "code-too-big": big_bad,
        "selfdestruct-self": asm("ADDRESS", "SELFDESTRUCT"),
        "selfdestruct-other": asm(0xFEED, "SELFDESTRUCT"),
        "nested-create": init_returning(RUNTIME, asm(0, 0, 0, "CREATE", 9, "SSTORE")),
        "logs": init_returning(RUNTIME, asm(0, 0, "LOG0")),
    }
    for opname in ("CREATE", "CREATE2"):
        for name, init in inits.items():
            for value in (0, 5):
                out.append(
                    program(
                        f"{opname}-{name}-v{value}",
                        asm(create_call(opname, init, value), store_create_result()),
                        extra=callees(),
                    )
                )
    # CREATE2 twice with the same salt: the second collides
    init = init_returning(RUNTIME)
    out.append(
        program(
            "create2-collision",
            asm(
                create_call("CREATE2", init),
                20,
                "SSTORE",
                create_call("CREATE2", init),
                21,
                "SSTORE",
                "GAS",
                22,
                "SSTORE",
            ),
        )
    )
    out[-1].gas = 3_000_000  # a collision keeps the 63/64 it passed on: leave 1/64 for SSTOREs
    # collisions with pre-existing accounts at the CREATE address (nonce 0 of TARGET)
    created = int.from_bytes(compute_contract_address(addr(TARGET), Uint(0)), "big")
    for name, acct in (("nonce", Acct(nonce=1)), ("code", Acct(code=b"\x00")), ("storage", Acct(storage={1: 1})),
                       ("balance-only", Acct(balance=77))):  # fmt: skip
        out.append(
            program(
                f"create-collision-{name}",
                asm(create_call("CREATE", init), store_create_result()),
                extra={created: acct},
            )
        )
    # endowment above the balance, nonce at its maximum
    out.append(
        program(
            "create-value-too-high", asm(create_call("CREATE", init, 10**7), store_create_result())
        )
    )
    for nonce in (1, 0x7F, 0x80, 0xFF, 0x100, 2**32, 2**64 - 2):  # the RLP of the nonce
        sc = program(
            f"create-nonce-{nonce:x}", asm(create_call("CREATE", init), store_create_result())
        )
        sc.accounts[TARGET].nonce = nonce
        out.append(sc)
    sc = program("create-nonce-max", asm(create_call("CREATE", init), store_create_result()))
    sc.accounts[TARGET].nonce = 2**64 - 1
    out.append(sc)
    # init code size limit (EIP-3860): 49152 bytes pass, 49153 are out of gas
    for size in (49152, 49153):
        for opname in ("CREATE", "CREATE2"):
            code = asm(0, size, 0, 0, opname) if opname == "CREATE2" else asm(size, 0, 0, "CREATE")
            out.append(program(f"{opname}-initcode-{size}", asm(code, 20, "SSTORE", "STOP")))
    # create, then call the new contract in the same transaction
    out.append(
        program(
            "create-then-call", asm(create_call("CREATE", inits["runtime"]), store_create_result())
        )
    )
    # top-level creation transactions
    for name, init in inits.items():
        out.append(
            Scenario(f"tx-create-{name}", base_accounts(b""), target=None, data=init, value=3)
        )
    collide = int.from_bytes(compute_contract_address(addr(CALLER), Uint(0)), "big")
    sc = Scenario("tx-create-collision", base_accounts(b""), target=None, data=init, value=3)
    sc.accounts[collide] = Acct(nonce=1)
    out.append(sc)
    return out


def selfdestruct_scenarios() -> list[Scenario]:
    out = []
    for to in (OTHER, 0xFEED, TARGET, CALLER, 1):
        for balance in (0, 10**6):
            sc = program(
                f"selfdestruct-existing-to-{to:x}-b{balance}",
                asm(to, "SELFDESTRUCT"),
                extra=callees(),
            )
            sc.accounts[TARGET].balance = balance
            sc.accounts[TARGET].storage = {1: 2}
            out.append(sc)
    # a contract created in this transaction and destroyed by a later call
    init = init_returning(asm(0xFEED, "SELFDESTRUCT"))
    out.append(
        program(
            "selfdestruct-created-then-called",
            asm(create_call("CREATE", init, 5), store_create_result()),
        )
    )
    # a self-destruct inside a call that reverts afterwards is undone
    extra = {**callees(), 0x5D: Acct(balance=50, code=asm(0xFEED, "SELFDESTRUCT"))}
    wrapper = asm(call_code("CALL", 100_000, 0x5D), 0, 0, "REVERT")
    extra[0x5E] = Acct(code=wrapper)
    out.append(
        program(
            "selfdestruct-undone-by-revert",
            asm(call_code("CALL", 200_000, 0x5E), after_call()),
            extra=extra,
        )
    )
    return out


def depth_scenarios() -> list[Scenario]:
    """Recursion to the 1024 call-depth limit: each level counts itself in slot 0."""
    code = asm(
        0, "SLOAD", 1, "ADD", 0, "SSTORE", 0, 0, 0, 0, 0, "ADDRESS", "GAS", "CALL", 1, "SSTORE"
    )
    sc = program("depth-1024", code)
    sc.gas = 2**40
    out = [sc]
    # a creation chain: init code that CREATEs a copy of itself, to the depth limit
    init = asm("CODESIZE", 0, 0, "CODECOPY", "CODESIZE", 0, 0, "CREATE", 0, "SSTORE", "STOP")
    chain = Scenario("create-depth-1024", base_accounts(b""), target=None, data=init, gas=2**46)
    out.append(chain)
    return out


def misc_scenarios() -> list[Scenario]:
    """Top-level calls to precompiles and accounts without code, access lists, refunds that a
    DELEGATECALL child takes back, and refunds of a child that reverts."""
    out = [
        Scenario("tx-to-identity", base_accounts(b""), target=4, data=b"hello", value=1),
        Scenario("tx-to-sha256", base_accounts(b""), target=2, data=b"abc"),
        Scenario("tx-to-sha256-oog", base_accounts(b""), target=2, data=b"abc", gas=71),
        Scenario("tx-to-modexp", base_accounts(b""), target=5, data=bytes(96)),
        Scenario("tx-value-to-new-account", base_accounts(b""), target=0xFEED, value=10),
        Scenario("tx-to-ecrecover", base_accounts(b""), target=1, data=bytes(128)),
    ]
    sc = program("access-list-warm", asm(OTHER, "BALANCE", 0xFEED, "BALANCE", "ADD", ret_top()))
    sc.warm = (OTHER,)
    out.append(sc)
    restore = asm(1, 0, "SSTORE", "STOP")
    for tail, name in ((b"", "commit"), (asm(0, 0, "REVERT"), "revert")):
        code = asm(0, 0, "SSTORE", call_code("DELEGATECALL", 100_000, 0xDE1E), tail)
        sc = program(
            f"refund-taken-back-by-delegatecall-{name}", code, extra={0xDE1E: Acct(code=restore)}
        )
        sc.accounts[TARGET].storage = {0: 1}
        out.append(sc)
        child = asm(0, 0, "SSTORE", tail or asm("STOP"))
        code = asm(call_code("CALL", 100_000, 0xC1D), 5, "SSTORE", "STOP")
        sc = program(f"child-refund-{name}", code, extra={0xC1D: Acct(code=child, storage={0: 3})})
        out.append(sc)
    return out


def nested_revert_scenarios() -> list[Scenario]:
    """A -> B -> C: C succeeds (storage, log, value), then B reverts or halts, or succeeds; A
    continues and sees what survived."""
    out = []
    for name, tail in (("revert", asm(0x77, 0, "MSTORE", 32, 0, "REVERT")), ("invalid", b"\xfe"),
                       ("return", asm(32, 0, "RETURN"))):  # fmt: skip
        b_code = asm(
            call_code("CALL", 100_000, ECHO, 1), 3, "SSTORE", 4, 4, "SSTORE", 8, 1, "TSTORE", tail
        )
        extra = {**callees(), 0xB1: Acct(balance=10, code=b_code)}
        code = asm(call_code("CALL", 300_000, 0xB1, 2), after_call())
        out.append(program(f"nested-{name}", code, extra=extra))
    return out


def test_nested_reverts() -> None:
    check(with_boundaries(nested_revert_scenarios()))


def test_misc() -> None:
    check(with_boundaries(misc_scenarios()))


def test_calls() -> None:
    check(with_boundaries(call_scenarios()))


def test_creates() -> None:
    check(with_boundaries(create_scenarios()))


def test_selfdestruct() -> None:
    check(with_boundaries(selfdestruct_scenarios()))


def test_call_depth_limit() -> None:
    check(depth_scenarios())


def test_tables_execute_every_opcode() -> None:
    """The tables above really run every Cancun opcode (per the spec's own trace)."""
    for scenarios in (arithmetic_scenarios(), small_scenarios(), call_scenarios(),
                      create_scenarios(), selfdestruct_scenarios(), misc_scenarios()):  # fmt: skip
        for s in scenarios:
            spec_run(s)
    missing = {o.name for o in Ops if o.value not in EXECUTED_OPS}
    assert not missing, f"opcodes no table scenario executes: {sorted(missing)}"
