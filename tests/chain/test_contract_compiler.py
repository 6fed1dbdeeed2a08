"""The Vyper build step: caching, imports, pragma checks, EIP-170 and custom-error ABI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from faultproof.chain.abi import selector
from faultproof.contracts import compiler
from faultproof.contracts.compiler import (
    MAX_CODE_SIZE,
    Artifact,
    CompileError,
    ContractTooLarge,
    VyperVersionMismatch,
    compile_contract,
    compile_source,
    size_report,
)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULTPROOF_CACHE_DIR", str(tmp_path / "cache"))


def big_source(n_bytes: int) -> str:
    """A contract whose runtime code embeds an `n_bytes` literal (to cross EIP-170)."""
    lit = "ab" * n_bytes
    return (
        "#pragma version 0.4.3\n"
        "@external\n@pure\n"
        f"def blob() -> Bytes[{n_bytes}]:\n"
        f'    return x"{lit}"\n'
    )


def test_artifact_has_all_bytecode_flavours() -> None:
    art = compile_contract(FIXTURES / "Counter.vy")
    assert art.name == "Counter"
    assert art.bytecode and art.deployed_bytecode
    # ERC-5202 preamble: 0xFE71 + version 0 byte, then the init code.
    assert art.blueprint_bytecode[art.blueprint_bytecode.index(b"\xfe\x71") :][:3] == b"\xfe\x71\x00"
    assert art.compiler_version == "0.4.3"
    names = {e.get("name") for e in art.abi}
    assert {"bump", "count", "Bumped"} <= names


def test_custom_errors_are_added_to_the_abi() -> None:
    art = compile_contract(FIXTURES / "Counter.vy")
    errors = {e["name"]: e for e in art.abi if e["type"] == "error"}
    assert set(errors) == {"ZeroAmount", "NotYet"}
    assert [i["type"] for i in errors["ZeroAmount"]["inputs"]] == ["address", "uint256"]
    assert art.error_signatures == ("NotYet()", "ZeroAmount(address,uint256)")


def test_cache_is_keyed_by_source_and_reused(tmp_path: Path) -> None:
    src = tmp_path / "src" / "C.vy"
    src.parent.mkdir()
    src.write_text("#pragma version 0.4.3\n@external\n@pure\ndef f() -> uint256:\n    return 1\n")
    first = compile_contract(src)
    cached = list(compiler.cache_dir().glob("C-*.json"))
    assert len(cached) == 1
    assert Artifact.from_json(json.loads(cached[0].read_text())) == first
    again = compile_contract(src)
    assert again == first
    src.write_text(src.read_text().replace("return 1", "return 2"))
    changed = compile_contract(src)
    assert changed.source_hash != first.source_hash
    assert changed.deployed_bytecode != first.deployed_bytecode
    assert len(list(compiler.cache_dir().glob("C-*.json"))) == 2


def test_compilation_is_deterministic(tmp_path: Path) -> None:
    a = compile_contract(FIXTURES / "Counter.vy", use_cache=False)
    b = compile_contract(FIXTURES / "Counter.vy", use_cache=False)
    assert a.bytecode == b.bytecode and a.source_hash == b.source_hash


def test_imports_within_the_folder_tree_and_their_hash(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(FIXTURES / "pkg", pkg)
    main = pkg / "Main.vy"
    deps = compiler.module_dependencies(main)
    assert deps == sorted([main.resolve(), (pkg / "sub" / "mathlib.vy").resolve()])
    art = compile_contract(main)
    assert "FromMain" in {e["name"] for e in art.abi if e["type"] == "error"}
    lib = pkg / "sub" / "mathlib.vy"
    lib.write_text(lib.read_text().replace("a * 3", "a * 4"))
    assert compile_contract(main).source_hash != art.source_hash


def test_version_pragma_mismatch_is_a_named_error() -> None:
    with pytest.raises(VyperVersionMismatch, match=r"0\.3\.10"):
        compile_source("#pragma version 0.3.10\nx: uint256\n")
    compile_source("#pragma version ^0.4.0\nx: uint256\n")  # a range including 0.4.3 is fine


def test_syntax_errors_are_compile_errors(tmp_path: Path) -> None:
    with pytest.raises(CompileError, match="Broken"):
        compile_source("@external\ndef f(:\n", "Broken")
    with pytest.raises(CompileError, match="no Vyper source"):
        compile_contract(tmp_path / "missing.vy")


def test_eip170_limit_is_enforced_and_reported() -> None:
    small = compile_source(big_source(1000), "Small")
    assert small.runtime_size <= MAX_CODE_SIZE
    # optimize="none" only to keep this test fast; the size is over the limit either way.
    with pytest.raises(ContractTooLarge, match="EIP-170") as info:
        compile_source(big_source(MAX_CODE_SIZE + 100), "Huge", optimize="none")
    assert info.value.runtime_size > MAX_CODE_SIZE
    huge = compile_source(big_source(MAX_CODE_SIZE + 100), "Huge", check_size=False,
                          optimize="none")
    with pytest.raises(ContractTooLarge):
        compiler.check_code_size(huge)
    report = size_report([small, huge])
    assert "Huge" in report and "OVER EIP-170" in report
    assert f"{small.size_margin}" in report


def test_build_step_compiles_given_paths(capsys: pytest.CaptureFixture[str]) -> None:
    rc = compiler.main([str(FIXTURES / "Counter.vy"), str(FIXTURES / "Factory.vy")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "Counter" in out and "Factory" in out


def test_selector_helper_matches_known_values() -> None:
    # Values from the dispute-game spec digest §4.4.
    assert selector("PartOffsetOOB()").hex() == "fe254987"
    assert selector("readPreimage(bytes32,uint256)").hex() == "e03110e1"
