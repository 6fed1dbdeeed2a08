"""The host's side of the program contract without a node: boot keys, output parsing, header
and transaction encodings against the execution specs."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from ethereum.forks.cancun.blocks import Header
from ethereum.forks.cancun.transactions import LegacyTransaction, encode_transaction
from ethereum_rlp import rlp as spec_rlp
from ethereum_types.bytes import Bytes8, Bytes20, Bytes32, Bytes256
from ethereum_types.numeric import U64, U256, Uint

from faultproof.chain.errors import RpcError
from faultproof.crypto import keccak256
from faultproof.errors import FaultproofError
from faultproof.evm import header as hdr
from faultproof.evm import program, rlp
from faultproof.evm import reference as ref
from faultproof.evm.cli import _parse_tamper
from faultproof.evm.rpc_host import JsonRpc, RpcHost
from faultproof.preimage.hints import HintRouter, format_hint
from faultproof.preimage.keys import keccak256_key
from faultproof.preimage.store import MemoryStore

OUTPUT = b"""evm: block 5 0xaabb
evm: tx 0 ok type=2 gas_used=21000 status=1
evm: tx 1 invalid nonce too low
evm: computed stateRoot 0x11
evm: computed gasUsed 21000
evm: computed baseFeePerGas 875000000
evm: mismatch timestamp computed=>100 claimed=100
evm: mismatch stateRoot computed=0x11 claimed=0x22
evm: stats txs=1 hints=20 preimages=19 preimage_bytes=3113 trie_nodes=11
evm: verdict invalid
"""


def test_output_lines_parse_into_fields_mismatches_txs_and_stats() -> None:
    result = program.parse_output(1, OUTPUT)
    assert result.fields == {
        "block": "5 0xaabb",
        "stateRoot": "0x11",
        "gasUsed": "21000",
        "baseFeePerGas": "875000000",
    }
    assert result.mismatches == [("timestamp", ">100", "100"), ("stateRoot", "0x11", "0x22")]
    assert [(t.index, t.ok, t.attrs, t.reason) for t in result.txs] == [
        (0, True, {"type": "2", "gas_used": "21000", "status": "1"}, ""),
        (1, False, {}, "nonce too low"),
    ]
    assert result.stats == {
        "txs": 1, "hints": 20, "preimages": 19, "preimage_bytes": 3113, "trie_nodes": 11
    }  # fmt: skip
    assert result.verdict == "invalid" and not result.valid
    errors = program.parse_output(2, b"junk\nevm: error block header does not decode\n")
    assert errors.errors == ["block header does not decode"] and errors.verdict is None


def test_boot_info_uses_the_readme_idents() -> None:
    parent, claimed = b"\x01" * 32, b"\x02" * 32
    plain = program.boot_info(parent, claimed, 31337)
    assert plain.locals == {2: parent, 3: claimed, 5: (31337).to_bytes(8, "big")}
    test_mode = program.boot_info(parent, claimed, 1, mode=program.MODE_STATE_TEST)
    assert test_mode.locals[5] == b"\xff" * 8
    assert test_mode.locals[6] == (1).to_bytes(8, "big") + b"\x01"
    with pytest.raises(program.ProgramError):
        program.boot_info(parent[:31], claimed, 1)
    with pytest.raises(program.ProgramError, match="unknown --vm"):
        program.program_elf("x86")


def json_header(**override: str) -> dict[str, str]:
    block = {
        "parentHash": "0x" + "01" * 32, "sha3Uncles": "0x" + "02" * 32, "miner": "0x" + "03" * 20,
        "stateRoot": "0x" + "04" * 32, "transactionsRoot": "0x" + "05" * 32,
        "receiptsRoot": "0x" + "06" * 32, "logsBloom": "0x" + "07" * 256, "difficulty": "0x0",
        "number": "0x1b", "gasLimit": "0x1c9c380", "gasUsed": "0x5208", "timestamp": "0x65",
        "extraData": "0xabcd", "mixHash": "0x" + "08" * 32, "nonce": "0x0000000000000000",
        "baseFeePerGas": "0x7", "withdrawalsRoot": "0x" + "09" * 32, "blobGasUsed": "0x20000",
        "excessBlobGas": "0x0", "parentBeaconBlockRoot": "0x" + "0a" * 32,
    }  # fmt: skip
    block.update(override)
    return block


def test_header_rlp_matches_the_specs_header() -> None:
    block = json_header()
    spec = Header(
        parent_hash=Bytes32(b"\x01" * 32), ommers_hash=Bytes32(b"\x02" * 32),
        coinbase=Bytes20(b"\x03" * 20), state_root=Bytes32(b"\x04" * 32),
        transactions_root=Bytes32(b"\x05" * 32), receipt_root=Bytes32(b"\x06" * 32),
        bloom=Bytes256(b"\x07" * 256), difficulty=Uint(0), number=Uint(27),
        gas_limit=Uint(30_000_000), gas_used=Uint(21000), timestamp=U256(101),
        extra_data=b"\xab\xcd", prev_randao=Bytes32(b"\x08" * 32), nonce=Bytes8(b"\x00" * 8),
        base_fee_per_gas=Uint(7), withdrawals_root=Bytes32(b"\x09" * 32),
        blob_gas_used=U64(131072), excess_blob_gas=U64(0),
        parent_beacon_block_root=Bytes32(b"\x0a" * 32),
    )  # fmt: skip
    encoded = hdr.header_rlp(block)
    assert encoded == spec_rlp.encode(spec)
    block["hash"] = "0x" + keccak256(encoded).hex()
    assert hdr.checked_header_rlp(block) == encoded
    assert hdr.decode_header(encoded)["number"] == b"\x1b"
    tampered, digest = hdr.tamper_header(block, {"gasUsed": "0x0"})
    assert digest == keccak256(tampered) != keccak256(encoded)
    assert hdr.decode_header(tampered)["gasUsed"] == b""
    with pytest.raises(hdr.HeaderError, match="hashes to"):
        hdr.checked_header_rlp({**block, "stateRoot": "0x" + "00" * 32})
    with pytest.raises(hdr.HeaderError, match="is 31 bytes"):
        hdr.header_rlp(json_header(stateRoot="0x" + "00" * 31))
    with pytest.raises(hdr.HeaderError, match="unknown header field"):
        hdr.tamper_header(block, {"root": "0x00"})
    assert hdr.header_rlp(json_header(nonce="0x0")) == hdr.header_rlp(json_header())


def tx_json(tx: Any, tx_type: int) -> dict[str, object]:
    """A JSON-RPC object for a spec transaction, as nodes print them."""
    fields = {f.name: getattr(tx, f.name) for f in dataclasses.fields(tx)}

    def q(name: str) -> str:
        return hex(int(fields[name]))

    out: dict[str, object] = {
        "type": hex(tx_type), "nonce": q("nonce"), "gas": q("gas"), "value": q("value"),
        "to": "0x" + bytes(fields["to"]).hex() if fields["to"] else None,
        "input": "0x" + bytes(fields["data"]).hex(), "r": q("r"), "s": q("s"),
    }  # fmt: skip
    if tx_type == 0:
        out.update(gasPrice=q("gas_price"), v=q("v"))
        return out
    out.update(chainId=q("chain_id"), yParity=q("y_parity"))
    out["accessList"] = [
        {
            "address": "0x" + bytes(e.account).hex(),
            "storageKeys": ["0x" + bytes(k).hex() for k in e.slots],
        }
        for e in fields["access_list"]
    ]
    if tx_type == 1:
        out["gasPrice"] = q("gas_price")
    else:
        out.update(maxFeePerGas=q("max_fee_per_gas"),
                   maxPriorityFeePerGas=q("max_priority_fee_per_gas"))  # fmt: skip
    if tx_type == 3:
        out["maxFeePerBlobGas"] = q("max_fee_per_blob_gas")
        out["blobVersionedHashes"] = [
            "0x" + bytes(h).hex() for h in fields["blob_versioned_hashes"]
        ]
    return out


@pytest.mark.parametrize("tx_type", [0, 1, 2, 3])
def test_raw_transactions_from_json_match_the_specs_encoding(tx_type: int) -> None:
    unsigned = ref.UnsignedTx(
        tx_type=tx_type, nonce=3, to=b"\x44" * 20, value=5, data=b"\x01\x02",
        access_list=((b"\x55" * 20, (b"\x66" * 32,)),) if tx_type else (),
        blob_hashes=(b"\x01" + b"\x77" * 31,) if tx_type == 3 else (),
    )  # fmt: skip
    tx = ref.sign_tx(unsigned, 0x1234, chain_id=31337)
    encoded = encode_transaction(tx)
    want = spec_rlp.encode(encoded) if isinstance(encoded, LegacyTransaction) else bytes(encoded)
    as_json = tx_json(tx, tx_type)
    assert hdr.raw_transaction(as_json) == want
    as_json["hash"] = "0x" + keccak256(want).hex()
    assert hdr.checked_raw_transaction(as_json) == want


def test_tamper_flag_parsing() -> None:
    assert _parse_tamper(("stateRoot=0x11", "gasUsed=0x0")) == {
        "stateRoot": "0x11", "gasUsed": "0x0"
    }  # fmt: skip
    for bad in ("stateRoot", "=0x1", "stateRoot=11"):
        with pytest.raises(FaultproofError, match="FIELD=0xVALUE"):
            _parse_tamper((bad,))


class FakeRpc(JsonRpc):
    """Answers from a dict of method -> result; everything else is an RpcError."""

    def __init__(self, answers: dict[str, Any]) -> None:
        super().__init__("http://fake")
        self.answers = answers

    def call(self, method: str, params: list[Any]) -> Any:
        self.calls[method] = self.calls.get(method, 0) + 1
        if method not in self.answers:
            raise RpcError(f"{method}: method not found")
        return self.answers[method]


def test_a_header_the_host_cannot_rebuild_comes_from_debug_get_raw_header() -> None:
    """A node with a header field this host does not know: the rebuilt RLP hashes wrong, so
    the node's raw header is used, and still only if it hashes to the block hash."""
    block = json_header()
    real = rlp.encode([*hdr.header_fields(block), b"\x01"])  # one unknown trailing field
    block["hash"] = "0x" + keccak256(real).hex()
    digest = keccak256(real)
    for raw, served in (("0x" + real.hex(), True), ("0x" + (real + b"\x00").hex(), False)):
        store = MemoryStore()
        rpc = FakeRpc({"eth_getBlockByHash": block, "debug_getRawHeader": raw})
        router = HintRouter(store, strict=True)
        RpcHost(rpc, store).register(router)
        if served:
            router.route(format_hint("l2-block-header", digest))
            assert store.get(keccak256_key(digest=digest)) == real
        else:
            with pytest.raises(hdr.HeaderError, match="hashes to"):
                router.route(format_hint("l2-block-header", digest))
