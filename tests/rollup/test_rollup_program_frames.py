"""The rollup fault proof program with ``batch_format = "frames"`` (docs/ROLLUP.md §4.2: OP's
frames, Holocene's single staging channel, zlib channels, the batch stream) against the Python
reference (faultproof.rollup.frames and the Deriver) on the synthetic L1.

As in test_rollup_program.py, every run checks the differential (the same blocks, hash by hash
and kind by kind, and the same output root), then the verdict: 0 for the honest output, 1 for
a wrong one. Batches for blocks not derived yet come from a *twin*: the same L1 prefix built
again, where the batches are posted one by one so the reference gives each block's hash (a
block's hash does not depend on where its batch was included), so that a test can put several
blocks' batches in one channel opened before they exist.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import pytest
from rollup_program_scenario import (
    BatcherTx,
    Chain,
    Run,
    boot,
    host,
    new_chain,
    parse_run,
    program,
    run,
)
from test_rollup_program import check_same_chain, kinds_of

from faultproof.evm import rlp
from faultproof.rollup.batch import Batch
from faultproof.rollup.frames import (
    Frame,
    batch_stream,
    channel_data,
    encode_frames,
    split_channel,
)

WRONG = b"\x13" * 32
ZLIB_HEADER = b"\x78\xda"
"""The first two bytes of every level-9 zlib stream, whatever follows: a channel's frame 0
can carry them before its batches are known."""


def cid(n: int) -> bytes:
    """A channel id apart from the harness's counter ids (1, 2, …)."""
    return (0xC0DE0000 + n).to_bytes(16, "big")


def frames_tx(*frames: Frame) -> BatcherTx:
    return BatcherTx(encode_frames(frames))


def frames_chain(channel_timeout: int = 8) -> Chain:
    return new_chain(batch_format="frames", channel_timeout=channel_timeout)


def bounded_batch(c: Chain, top: int, txs: Sequence[bytes] = ()) -> Batch:
    """`Chain.next_batch` with the epoch kept at or below L1 block ``top``."""
    head = c.head
    epoch = head.l1_origin.number
    if epoch + 1 <= top and c.l1[epoch + 1].timestamp <= head.timestamp + c.config.block_time:
        epoch += 1
    return c.next_batch(txs, epoch_number=epoch, epoch_hash=c.l1[epoch].hash)


def predict(prefix: Callable[[], Chain], count: int) -> tuple[list[Batch], dict[int, int]]:
    """Batches for the ``count`` blocks after ``prefix()``'s safe head (one transfer each,
    epochs within the prefix's L1), and the user nonces after them."""
    twin = prefix()
    top = len(twin.l1) - 1
    start = twin.head.number
    batches: list[Batch] = []
    for _ in range(count):
        batch = bounded_batch(twin, top, [twin.user_tx()])
        twin.post(batch)
        batches.append(batch)
        assert twin.head.number == start + len(batches), "the twin did not take the batch"
    return batches, dict(twin.nonces)


def verdicts(c: Chain, upto: int, agreed: int = 0) -> Run:
    """The honest output of block ``upto`` is valid (the program derived the reference's
    blocks), a wrong one is invalid; the honest run, for its lines."""
    good = run(c, c.output(upto), upto, agreed_block=agreed)
    assert good.exit_code == 0, good.stdout
    check_same_chain(c, good, upto, start=agreed)
    bad = run(c, WRONG, upto, agreed_block=agreed)
    assert bad.exit_code == 1, bad.stdout
    check_same_chain(c, bad, upto, start=agreed)
    return good


def test_one_channel_per_transaction() -> None:
    from rollup_program_scenario import Deposit

    c = frames_chain()
    # not from USER: a deposit moves its sender's nonce
    c.add_l1(deposits=[Deposit(b"\x55" * 20, b"\x66" * 20, 10**18, 5, 100_000)])
    c.post(c.next_batch([c.user_tx()]))
    c.post(c.next_batch([c.user_tx(), c.user_tx(value=7)]))
    c.post(c.next_batch(), excess_blob_gas=10_000_000)
    c.post(c.next_batch([c.user_tx(tx_type=0, gas_price=2 * 10**9)]))
    assert c.head.number == 4 and set(kinds_of(c).values()) == {"batch"}
    good = verdicts(c, 4)
    assert good.stdout.count("batcher frames ok frames=1") == 4
    assert good.stdout.count("inflate=ok stream=end batches=1") == 4
    assert "batcher calldata" not in good.stdout  # not the rlp-list reader
    # from an agreed block after genesis, the frames are read from origin - channel_timeout
    later = verdicts(c, 4, agreed=2)
    assert "rollup: l1 view 0..5" in later.stdout


def test_channel_split_over_transactions_and_blocks() -> None:
    batches, nonces = predict(frames_chain, 3)
    c = frames_chain()
    c.nonces.update(nonces)
    frames = split_channel(cid(1), channel_data(batches), 40)
    assert len(frames) >= 6
    c.add_l1([frames_tx(*frames[0:2]), frames_tx(frames[2])])
    c.add_l1([frames_tx(frames[3])])
    assert c.head.number == 0
    c.add_l1([frames_tx(*frames[4:])])
    assert c.head.number == 3 and set(kinds_of(c).values()) == {"batch"}
    good = verdicts(c, 3)
    assert f"rollup: channel 0x{cid(1).hex()} opened l1=1" in good.stdout
    assert f"closed l1=3 frames={len(frames)}" in good.stdout
    assert "batches=3" in good.stdout
    # the next block's batch in a channel of its own
    c.post(c.next_batch([c.user_tx()]))
    verdicts(c, 4, agreed=2)


def spanning_prefix() -> Chain:
    """Channel A's frame 0 (only the zlib header) in L1 block 1, then blocks 2 and 3."""
    c = frames_chain()
    c.add_l1([frames_tx(Frame(cid(0xA), 0, ZLIB_HEADER, False))])
    c.add_l1()
    c.add_l1()
    return c


def test_channel_open_across_the_agreed_blocks_l1_origin() -> None:
    """Channel A opens in L1 block 1 and closes in block 4 with the batches of L2 blocks 1-6;
    blocks 4-5 have L1 origin 2. From agreed block 4 or 5 the program must read from block
    max(0, 2 - 8) = 0 to see A's frame 0 (from the origin, A's last frame would be dropped
    and blocks 5-6 never derived)."""
    batches, nonces = predict(spanning_prefix, 6)
    data = channel_data(batches)
    assert data[:2] == ZLIB_HEADER
    c = spanning_prefix()
    c.nonces.update(nonces)
    c.add_l1([frames_tx(Frame(cid(0xA), 1, data[2:], True))])
    assert c.head.number == 6 and set(kinds_of(c).values()) == {"batch"}
    assert c.head.l1_origin.number == 3
    assert c.node is not None and c.node.block(4).l1_origin.number == 2
    verdicts(c, 6)
    for agreed in (4, 5):
        result = verdicts(c, 6, agreed=agreed)
        assert "rollup: l1 view 0..4" in result.stdout
        assert f"rollup: channel 0x{cid(0xA).hex()} opened l1=1" in result.stdout
        assert "closed l1=4 frames=2" in result.stdout and "batches=6" in result.stdout
        # the batches for blocks up to the agreed one are past and dropped
        assert result.stdout.count("rollup: batch dropped") == agreed


def timeout_prefix() -> Chain:
    """channel_timeout 2: channel A's frame 0 (the zlib header) in L1 block 1, then block 2."""
    c = frames_chain(channel_timeout=2)
    c.add_l1([frames_tx(Frame(cid(0xA), 0, ZLIB_HEADER, False))])
    c.add_l1()
    return c


def test_channel_closed_at_the_timeout_is_read() -> None:
    batches, nonces = predict(timeout_prefix, 2)
    c = timeout_prefix()
    c.nonces.update(nonces)
    c.add_l1([frames_tx(Frame(cid(0xA), 1, channel_data(batches)[2:], True))])  # 3 = 1 + 2
    assert c.head.number == 2
    good = verdicts(c, 2)
    assert "closed l1=3 frames=2" in good.stdout and "dropped reason=timeout" not in good.stdout


def test_timed_out_channel_is_dropped() -> None:
    batches, _ = predict(timeout_prefix, 2)
    c = timeout_prefix()
    c.add_l1()
    c.add_l1([frames_tx(Frame(cid(0xA), 1, channel_data(batches)[2:], True))])  # 4 > 1 + 2
    assert c.head.number == 0
    for _ in range(c.config.seq_window_size + 2):
        c.add_l1()
    n = c.head.number
    assert n > 2 and set(kinds_of(c).values()) == {"deposits-only"}
    good = verdicts(c, n)
    assert f"rollup: channel 0x{cid(0xA).hex()} dropped reason=timeout frames=1" in good.stdout
    assert "number=1 reason=no-staging-channel" in good.stdout
    assert "closed" not in good.stdout
    # from a later agreed block the start is origin - 2, past the channel
    agreed = n - 2
    assert c.node is not None and c.node.block(agreed).l1_origin.number > 2
    later = verdicts(c, n, agreed=agreed)
    assert "opened" not in later.stdout


def test_first_frame_restarts_and_out_of_order_frames() -> None:
    """Holocene: a frame 0 drops the staging channel (another id, or the same), a frame that
    is not the next one of the staging channel is dropped, the rest goes on."""
    batches, nonces = predict(frames_chain, 3)
    c = frames_chain()
    c.nonces.update(nonces)
    a = split_channel(cid(1), channel_data(batches[:1]), 20)
    b = split_channel(cid(2), channel_data(batches[:1]), 20)
    assert len(a) >= 3
    c.add_l1([frames_tx(*a[:2])])
    # B's frame 0 drops A; A's frame 2 then has no staging channel
    c.add_l1([frames_tx(*b), frames_tx(a[2])])
    assert c.head.number == 1
    # C restarted with the same id: the first attempt is dropped, the second completes
    cc = split_channel(cid(3), channel_data(batches[1:2]), 20)
    c.add_l1([frames_tx(*cc[:2])])
    c.add_l1([frames_tx(*cc)])
    assert c.head.number == 2
    # D's frames out of order, and a frame of another channel in between
    d = split_channel(cid(4), channel_data(batches[2:]), 20)
    stray = Frame(cid(5), 1, b"\x00" * 3, False)
    c.add_l1([frames_tx(d[0], d[2], stray, *d[1:])])
    assert c.head.number == 3 and set(kinds_of(c).values()) == {"batch"}
    good = verdicts(c, 3)
    out = good.stdout
    assert f"rollup: channel 0x{cid(1).hex()} dropped reason=new-first-frame frames=2" in out
    assert f"channel=0x{cid(1).hex()} number=2 reason=no-staging-channel" in out
    assert f"rollup: channel 0x{cid(3).hex()} dropped reason=new-first-frame frames=2" in out
    assert f"channel=0x{cid(4).hex()} number=2 reason=not-the-next-frame" in out
    assert f"channel=0x{cid(5).hex()} number=1 reason=other-channel" in out
    assert out.count("batches=1") == 3


def test_bad_frames_drop_the_whole_transaction() -> None:
    c = frames_chain()
    batch = c.next_batch([c.user_tx()])
    good = encode_frames(split_channel(cid(1), channel_data([batch]), 50))
    big = Frame(cid(2), 0, b"\x00" * 1_000_001, True)
    big_raw = big.channel_id + b"\x00\x00" + (1_000_001).to_bytes(4, "big") + big.data + b"\x01"
    bad = [
        good + b"\x00" * 5,                 # bytes left that are not a whole frame
        b"\x01" + good[1:],                 # another version byte
        b"\x00",                            # no frame at all
        b"",                                # no version byte
        good[:-1] + b"\x02",                # is_last 2
        good[:-1],                          # the last frame cut off
        good + big_raw,                     # a frame over 1,000,000 bytes after good ones
    ]
    c.add_l1([BatcherTx(x) for x in bad])
    assert c.head.number == 0
    c.add_l1([BatcherTx(good)])
    assert c.head.number == 1
    result = verdicts(c, 1)
    assert result.stdout.count("batcher frames undecodable-ignored") == len(bad)
    assert "reason=bad-frame" in result.stdout and "reason=version" in result.stdout
    assert "reason=no-frames" in result.stdout
    assert result.stdout.count("opened") == 1


def test_channels_that_are_not_zlib_give_no_batches() -> None:
    c = frames_chain()
    batch = c.next_batch([c.user_tx()])
    brotli_like = b"\x01" + zlib.compress(batch_stream([batch]))
    not_a_header = b"\x0f" + zlib.compress(batch_stream([batch]))[1:]  # b & 0x0F == 15
    corrupt = ZLIB_HEADER + b"\xff" * 40                             # block type 3
    channels = [brotli_like, not_a_header, corrupt, b""]
    c.add_l1([frames_tx(*split_channel(cid(i), data, 1000)) for i, data in enumerate(channels)])
    assert c.head.number == 0
    c.post(batch)
    assert c.head.number == 1
    out = verdicts(c, 1).stdout
    assert out.count("inflate=not-zlib stream=none batches=0") == 2
    assert out.count("inflate=error stream=end batches=0") == 2
    assert "inflate=ok stream=end batches=1" in out


def flushed_stream(batches: Sequence[Batch]) -> tuple[bytes, list[int]]:
    """A zlib stream of the batch stream with a full flush after each batch, and the offsets
    where each batch's compressed bytes end."""
    comp = zlib.compressobj(9)
    out = b""
    ends = []
    for b in batches:
        out += comp.compress(batch_stream([b])) + comp.flush(zlib.Z_FULL_FLUSH)
        ends.append(len(out))
    out += comp.flush()
    return out, ends


def test_truncated_zlib_keeps_its_first_batches() -> None:
    batches, nonces = predict(frames_chain, 4)
    c = frames_chain()
    c.nonces.update(nonces)
    data, ends = flushed_stream(batches[:3])
    assert zlib.decompress(data) == batch_stream(batches[:3])
    cut = data[: ends[1] + 6]  # a few bytes into the third batch
    c.add_l1([frames_tx(*split_channel(cid(1), cut, 30))])
    assert c.head.number == 2
    # a batch stream that stops at a string of version 1, then a bad adler-32 trailer
    stream = batch_stream(batches[2:3]) + rlp.encode(b"\x01" + rlp.encode(batches[3].items()))
    stream += batch_stream(batches[3:])
    packed = zlib.compress(stream, 9)
    packed = packed[:-4] + bytes(b ^ 0xFF for b in packed[-4:])
    c.add_l1([frames_tx(*split_channel(cid(2), packed, 1000))])
    assert c.head.number == 3
    c.post(batches[3])
    assert c.head.number == 4 and set(kinds_of(c).values()) == {"batch"}
    out = verdicts(c, 4).stdout
    assert "inflate=error stream=stopped batches=2" in out
    assert "inflate=ok stream=stopped batches=1" in out


def test_invalid_batch_transaction_in_a_channel_gives_deposits_only_block() -> None:
    from rollup_program_scenario import USER, USER_KEY

    from faultproof.evm.reference import UnsignedTx, sign_tx, tx_bytes

    c = frames_chain()
    c.post(c.next_batch([c.user_tx()]))
    stale = c.user_tx(nonce=0)  # nonce too low
    c.post(c.next_batch([c.user_tx(), stale]))
    c.post(c.next_batch([c.user_tx(nonce=1)]))
    other_chain = tx_bytes(sign_tx(UnsignedTx(nonce=2, to=USER, gas_limit=21_000,
                                              max_fee_per_gas=10**10), USER_KEY, 1))
    c.post(c.next_batch([other_chain]))
    assert kinds_of(c) == {1: "batch", 2: "replaced-deposits-only", 3: "batch",
                           4: "replaced-deposits-only"}
    out = verdicts(c, 4).stdout
    assert "invalid tx=2 reason=nonce too low" in out
    assert "invalid tx=1 reason=wrong chain id" in out


def vm_chain() -> Chain:
    return small_chain("frames")


def small_chain(batch_format: str) -> Chain:
    """One deposit, one block with one transfer."""
    from rollup_program_scenario import USER, Deposit

    c = new_chain(batch_format=batch_format)
    c.add_l1(deposits=[Deposit(USER, b"\x66" * 20, 10**18, 5, 100_000)])
    c.post(c.next_batch([c.user_tx()]))
    return c


@pytest.mark.parametrize("vm", ["mips32", "riscv64", "riscv64c"])
def test_same_verdicts_in_the_vms(vm: str) -> None:
    """One block from one channel, as test_rollup_program's VM test for rlp-list (mips32:
    a few thousand steps more than the rlp-list run of the same chain)."""
    from faultproof.evm.program import _run_in_vm

    c = vm_chain()
    elf = program(c, vm)
    for claim, want in ((c.output(1), 0), (WRONG, 1)):
        code, out, _err, steps = _run_in_vm(str(elf), vm, host(c, boot(c, claim, 1)), False, None)
        result = parse_run(code, out)
        assert code == want, result.stdout
        check_same_chain(c, result, 1)
        assert "inflate=ok stream=end batches=1" in result.stdout
        assert steps > 0


def test_channel_data_limit_10_000_000_bytes() -> None:
    """A channel's frame data may total 10,000,000 bytes (then decoded: the bytes after the
    zlib stream are ignored); one byte more and it is dropped at the frame that passes it, and
    its last frame then has no staging channel."""
    batches, nonces = predict(frames_chain, 2)
    c = frames_chain()
    c.nonces.update(nonces)
    limit = 10_000_000
    for i, (batch, size) in enumerate(((batches[0], limit + 1), (batches[0], limit),
                                       (batches[1], limit))):
        data = channel_data([batch])
        data += b"\x00" * (size - len(data))
        c.add_l1([frames_tx(f) for f in split_channel(cid(i), data, 1_000_000)])
    assert c.head.number == 2
    out = verdicts(c, 2).stdout
    assert f"channel 0x{cid(0).hex()} dropped reason=too-large frames=11 bytes=10000001" in out
    assert out.count("frames=10 bytes=10000000 inflate=ok stream=end batches=1") == 2


def big_batch(size: int) -> bytes:
    """A batch-stream string of exactly ``size`` bytes holding a valid singular batch that the
    rules drop (its timestamp is long past): one transaction of filler bytes."""
    tx = b""
    for _ in range(2):  # the header lengths settle after one correction
        encoded = rlp.encode(b"\x00" + rlp.encode(Batch(b"\x00" * 32, 0, b"\x00" * 32, 0, (tx,))
                                                  .items()))
        tx = b"\x02" * (len(tx) + size - len(encoded))
    encoded = rlp.encode(b"\x00" + rlp.encode(Batch(b"\x00" * 32, 0, b"\x00" * 32, 0, (tx,))
                                              .items()))
    assert len(encoded) == size
    return encoded


def test_inflated_bytes_limit_10_000_000() -> None:
    """At most 10,000,000 inflated bytes are read: a batch ending exactly there is kept, one
    ending a byte later is lost (the channel keeps the batches before it)."""
    batches, nonces = predict(frames_chain, 1)
    c = frames_chain()
    c.nonces.update(nonces)
    tail = batch_stream(batches)
    limit = 10_000_000
    over = zlib.compress(big_batch(limit - len(tail) + 1) + tail, 9)
    exact = zlib.compress(big_batch(limit - len(tail)) + tail, 9)
    c.add_l1([frames_tx(*split_channel(cid(1), over, 100_000))])
    assert c.head.number == 0
    c.add_l1([frames_tx(*split_channel(cid(2), exact, 100_000))])
    assert c.head.number == 1
    out = verdicts(c, 1).stdout
    assert "inflate=limit stream=stopped batches=1" in out
    assert "inflate=ok stream=end batches=2" in out


def test_config_source_batch_format_and_channel_timeout() -> None:
    """The generated config: defaults when the JSON lacks the fields (an rlp-list program
    names no frames reader), the frames reader for "frames", a build error otherwise."""
    import json

    from faultproof.guests import GuestBuildError, rollup_config_source

    base = frames_chain().config.to_json()
    for key in ("batch_format", "channel_timeout"):
        del base[key]
    plain = rollup_config_source(json.dumps(base).encode())
    assert "BATCH_FORMAT_RLP_LIST,\n\t8ull,\n\tNULL,\n}" in plain
    frames = rollup_config_source(
        json.dumps({**base, "batch_format": "frames", "channel_timeout": 300}).encode()
    )
    assert "BATCH_FORMAT_FRAMES,\n\t300ull,\n\t&FRAMES_READER,\n}" in frames
    for bad in ("brotli", 1, None):
        with pytest.raises(GuestBuildError, match="batch_format"):
            rollup_config_source(json.dumps({**base, "batch_format": bad}).encode())
    with pytest.raises(GuestBuildError, match="channel_timeout"):
        rollup_config_source(json.dumps({**base, "channel_timeout": -1}).encode())


def test_harness_spanning_channel_from_a_mid_chain_block() -> None:
    """The harness's scenario (deposits-only blocks carry the origin past the opening block,
    channel_timeout 10): reading starts at origin - 10, after the genesis L1 block."""
    from rollup_program_scenario import spanning_channel_chain

    c, agreed, opened = spanning_channel_chain()
    assert c.node is not None
    origin = c.node.block(agreed).l1_origin.number
    assert 0 < origin - 10 <= opened < origin
    result = verdicts(c, agreed + 1, agreed=agreed)
    assert f"rollup: l1 view {origin - 10}..{len(c.l1) - 1}" in result.stdout
    assert f"opened l1={opened}" in result.stdout and "batches=1" in result.stdout
