"""The rollup fault proof program (guest/rollup/, native build) against the Python derivation
reference (faultproof.rollup.derivation) on a synthetic L1 (rollup_program_scenario).

Every run checks the differential: the program derives the same L2 blocks (hash by hash, and
the same kind: from a batch, deposits-only after the window, or a replaced invalid batch) and
the same output root as the reference. Then the verdicts: the honest output root gives 0, a
wrong one 1, an undecodable input 2.
"""

from __future__ import annotations

import pytest
from rollup_program_scenario import (
    BATCHER_KEY,
    INBOX,
    L2_CHAIN_ID,
    STRANGER_KEY,
    USER,
    USER_KEY,
    BatcherTx,
    Chain,
    Deposit,
    Run,
    boot,
    host,
    new_chain,
    parse_run,
    program,
    run,
)

from faultproof.evm.reference import (
    UnsignedTx,
    reference_router,
    secret_address,
    sign_tx,
    tx_bytes,
)
from faultproof.preimage.host import LocalHost
from faultproof.preimage.native import run_native
from faultproof.preimage.store import BootInfo
from faultproof.rollup.batch import encode_batches
from faultproof.rollup.genesis import MESSAGE_PASSER

WRONG = b"\x13" * 32
FRESH_KEY = 0xF00D
FRESH = secret_address(FRESH_KEY)


def kinds_of(chain: Chain) -> dict[int, str]:
    assert chain.deriver is not None
    log = chain.deriver.log
    kinds = {n: "batch" for n in log.accepted}
    kinds.update({n: "deposits-only" for n in log.deposits_only})
    kinds.update({n: "replaced-deposits-only" for n in log.replaced})
    return kinds


def check_same_chain(chain: Chain, result: Run, upto: int, start: int = 0) -> None:
    """The program derived exactly the reference's blocks start+1..upto."""
    assert chain.node is not None
    assert [b[0] for b in result.blocks] == list(range(start + 1, upto + 1)), result.stdout
    kinds = kinds_of(chain)
    for number, block_hash, _rest, kind in result.blocks:
        assert block_hash == chain.node.block(number).hash, f"block {number}\n{result.stdout}"
        assert kind == kinds[number]
    assert result.computed == chain.output(upto)


def honest_chain() -> Chain:
    c = new_chain()
    c.add_l1(deposits=[Deposit(USER, b"\x66" * 20, 10**18, 5, 100_000)])
    c.post(c.next_batch([c.user_tx()]))
    withdrawal = c.user_tx(to=MESSAGE_PASSER, value=10**15, gas_limit=300_000)
    c.post(c.next_batch([withdrawal, c.user_tx(value=7)]))
    c.post(c.next_batch(), excess_blob_gas=10_000_000)
    c.post(c.next_batch([c.user_tx(tx_type=0, gas_price=2 * 10**9)]))
    return c


def test_honest_output_valid_wrong_output_invalid() -> None:
    c = honest_chain()
    n = c.head.number
    assert n == 4
    good = run(c, c.output(n), n)
    assert good.exit_code == 0, good.stdout
    check_same_chain(c, good, n)
    assert "rollup: verdict valid" in good.stdout
    # the withdrawal reached the message passer: the output's storage root is not empty
    assert any("status=1" in line for line in good.tx_lines())
    bad = run(c, WRONG, n)
    assert bad.exit_code == 1
    check_same_chain(c, bad, n)
    # an earlier block's honest output is not this block's
    assert run(c, c.output(n - 1), n).exit_code == 1


def test_claim_at_the_agreed_block() -> None:
    c = honest_chain()
    assert run(c, c.output(0), 0).exit_code == 0
    assert run(c, c.output(1), 0).exit_code == 1


def test_agreed_block_after_genesis() -> None:
    """The safe head's L1 origin and sequence number come from its L1 info deposit; BLOCKHASH
    and the state reach back through the agreed block's headers and trie nodes."""
    c = honest_chain()
    for agreed in (1, 2):
        result = run(c, c.output(4), 4, agreed_block=agreed)
        assert result.exit_code == 0, result.stdout
        check_same_chain(c, result, 4, start=agreed)
    # a claim below the agreed block is judged by that block's own output (walked back)
    assert run(c, c.output(1), 1, agreed_block=3).exit_code == 0
    assert run(c, c.output(2), 1, agreed_block=3).exit_code == 1


def test_malformed_deposit_log_is_a_derivation_error() -> None:
    """The reference raises DerivationError on such a log; the program exits 2 once the L1
    block becomes an origin (here after the sequencing window of epoch 0 expires)."""
    c = new_chain()
    c.add_l1(deposits=[Deposit(USER, USER, 1, 0, 50_000, malformed=True)], derive=False)
    for _ in range(c.config.seq_window_size + 1):
        c.add_l1(derive=False)
    result = run(c, c.output(0), 5)
    assert result.exit_code == 2, result.stdout
    assert "rollup: derivation error opaque length" in result.stdout


def test_bad_batch_calldata_is_ignored() -> None:
    c = new_chain()
    c.post(c.next_batch([c.user_tx()]))
    good = encode_batches([c.next_batch([c.user_tx()])])
    c.add_l1([
        BatcherTx(b"\x00\xc3\x01\x02"),              # a list of non-batches
        BatcherTx(b"\x01" + good[1:]),               # unknown version byte
        BatcherTx(good[:-3]),                        # truncated
        BatcherTx(good, key=STRANGER_KEY),           # not the batcher
        BatcherTx(good, to=b"\x99" * 20),            # not the inbox
    ])
    assert c.head.number == 1
    c.add_l1([BatcherTx(good)])
    assert c.head.number == 2
    result = run(c, c.output(2), 2)
    assert result.exit_code == 0, result.stdout
    check_same_chain(c, result, 2)
    assert result.stdout.count("undecodable-ignored") == 3
    assert INBOX.hex() not in result.stdout  # nothing printed about the other senders


def test_invalid_batch_tx_gives_deposits_only_block() -> None:
    c = new_chain()
    c.post(c.next_batch([c.user_tx()]))
    stale = c.user_tx(nonce=0)  # nonce too low
    c.post(c.next_batch([c.user_tx(), stale]))
    c.post(c.next_batch([c.user_tx(nonce=1)]))  # the replaced block did not use nonce 1
    other_chain = tx_bytes(sign_tx(UnsignedTx(nonce=2, to=USER, gas_limit=21_000,
                                              max_fee_per_gas=10**10), USER_KEY, 1))
    c.post(c.next_batch([other_chain]))
    c.post(c.next_batch([b"\x02\xc0"]))  # does not decode
    assert kinds_of(c) == {1: "batch", 2: "replaced-deposits-only", 3: "batch",
                           4: "replaced-deposits-only", 5: "replaced-deposits-only"}
    result = run(c, c.output(5), 5)
    assert result.exit_code == 0, result.stdout
    check_same_chain(c, result, 5)
    assert "invalid tx=2 reason=nonce too low" in result.stdout
    assert "invalid tx=1 reason=wrong chain id" in result.stdout
    assert "invalid tx=1 reason=undecodable" in result.stdout


def test_missing_batches_give_deposits_only_blocks_after_the_window() -> None:
    c = new_chain()
    c.post(c.next_batch([c.user_tx()]))
    c.add_l1(deposits=[Deposit(USER, USER, 3, 0, 50_000)])
    for _ in range(c.config.seq_window_size + 2):
        c.add_l1()
    assert c.head.number > 3
    kinds = kinds_of(c)
    assert kinds[1] == "batch" and {kinds[n] for n in range(2, c.head.number + 1)} == {
        "deposits-only"
    }
    n = c.head.number
    result = run(c, c.output(n), n)
    assert result.exit_code == 0, result.stdout
    check_same_chain(c, result, n)
    # a claim past what L1 can derive is judged at the last safe block (spec §1.3)
    past = run(c, c.output(n), n + 5)
    assert past.exit_code == 0
    assert "l1 exhausted" in past.stdout
    # an L1 head before the window expired derives only the batch block
    early = run(c, c.output(1), n, l1_head=5)
    assert early.exit_code == 0, early.stdout
    check_same_chain(c, early, 1)


def test_deposit_with_too_little_gas_fails_and_keeps_its_mint() -> None:
    c = new_chain()
    # 21,000 gas cannot pay for the calldata: the deposit fails on L2, the mint stays and the
    # nonce still moves, so FRESH can spend the minted ETH with nonce 1 in the next block
    c.add_l1(deposits=[Deposit(FRESH, b"\x55" * 20, 10**18, 10**17, 21_000, b"\x01" * 10)])
    c.post(c.next_batch())
    c.post(c.next_batch())
    c.post(c.next_batch([c.user_tx(FRESH_KEY, nonce=1, value=10**17)]))
    assert kinds_of(c)[3] == "batch", kinds_of(c)
    result = run(c, c.output(3), 3)
    assert result.exit_code == 0, result.stdout
    check_same_chain(c, result, 3)
    assert "evm: tx 1 ok type=126 gas_used=21000 status=0 mint_kept=1" in result.stdout


def test_failing_deposits_value_above_balance_and_revert() -> None:
    """A deposit whose value exceeds balance + mint fails before execution (all its gas
    used); one that reverts in the EVM (the L1Block setter from the wrong sender) uses what it
    used. Both keep the mint and move the nonce."""
    c = new_chain()
    l1_block = bytes.fromhex("4200000000000000000000000000000000000015")
    c.add_l1(deposits=[
        Deposit(FRESH, b"\x55" * 20, 5, 10**18, 100_000),
        Deposit(USER, l1_block, 7, 0, 200_000, bytes.fromhex("440a5e20") + b"\x00" * 160),
    ])
    c.post(c.next_batch())
    c.post(c.next_batch())
    result = run(c, c.output(2), 2)
    assert result.exit_code == 0, result.stdout
    check_same_chain(c, result, 2)
    assert "evm: tx 1 ok type=126 gas_used=100000 status=0" in result.stdout
    reverted = [ln for ln in result.tx_lines() if ln.startswith("evm: tx 2 ok type=126")]
    assert reverted and "status=0" in reverted[-1] and "gas_used=200000" not in reverted[-1]


def test_failed_l1_deposit_receipt_is_not_a_deposit() -> None:
    c = new_chain()
    c.add_l1(deposits=[Deposit(USER, USER, 5, 0, 50_000, ok=False),
                       Deposit(USER, None, 0, 0, 100_000, b"\x60\x00")])
    c.post(c.next_batch())
    c.post(c.next_batch())
    result = run(c, c.output(2), 2)
    assert result.exit_code == 0, result.stdout
    check_same_chain(c, result, 2)


def test_l1_head_on_another_fork_than_the_agreed_origin_exits_2() -> None:
    """An L1 head whose chain does not hold the agreed block's L1 origin (a reorg below the
    head) leaves no valid derivation: exit 2, as the reference's DerivationError."""
    a = honest_chain()
    b = new_chain()
    b.add_l1(deposits=[Deposit(USER, USER, 1, 0, 60_000)])  # another L1 block 1
    b.post(b.next_batch())
    b.post(b.next_batch())
    assert a.l1[1].hash != b.l1[1].hash and a.node is not None
    assert a.node.block(3).l1_origin.number >= 1
    store = b.store(a.store())
    info = boot(a, a.output(4), 4, agreed_block=3)
    info.locals[1] = b.l1[-1].hash
    code, out = run_native([str(program(a))], LocalHost(store=store, boot_info=info,
                                                        router=reference_router(store)))
    assert code == 2, out
    assert b"not an ancestor of the L1 head" in out


def test_undecodable_boot_inputs_exit_2() -> None:
    c = honest_chain()
    elf = program(c)
    wrong_chain = boot(c, c.output(1), 1)
    wrong_chain.locals[5] = (L2_CHAIN_ID + 1).to_bytes(8, "big")
    code, out = run_native([str(elf)], host(c, wrong_chain), timeout=60)
    assert code == 2, out
    short = BootInfo({**boot(c, c.output(1), 1).locals, 4: b"\x00" * 7})
    code, out = run_native([str(elf)], host(c, short), timeout=60)
    assert code == 2, out
    assert parse_run(code, out).computed is None


@pytest.mark.parametrize("vm", ["mips32", "riscv64", "riscv64c"])
def test_same_verdicts_in_the_vms(vm: str) -> None:
    """About 2.1M mips32 / 1.1M riscv64 steps per run (one block, one transfer)."""
    from faultproof.evm.program import _run_in_vm

    c = new_chain()
    c.add_l1(deposits=[Deposit(USER, b"\x66" * 20, 10**18, 5, 100_000)])
    c.post(c.next_batch([c.user_tx()]))
    elf = program(c, vm)
    for claim, want in ((c.output(1), 0), (WRONG, 1)):
        code, out, _err, steps = _run_in_vm(str(elf), vm, host(c, boot(c, claim, 1)), False, None)
        result = parse_run(code, out)
        assert code == want, result.stdout
        check_same_chain(c, result, 1)
        assert steps > 0


def test_batcher_key_is_the_configured_batcher() -> None:
    c = new_chain()
    assert secret_address(BATCHER_KEY) == c.config.batcher_address
