"""Compile the project's Vyper contracts into cached, deterministic artifacts.

Every contract we deploy (the PreimageOracle, the step VMs, the dispute games) goes through
`compile_contract`, so tests, benchmarks and deploy scripts all see the same bytecode for the same
source. Artifacts are cached on disk under a key made of the contract source, the sources of every
module it imports (transitively), the compiler version and the compiler settings; editing any of
them yields a new key, so a stale artifact can never be served.

Vyper 0.4.3 has no custom errors. Our contracts emulate Solidity custom errors with
``raw_revert(method_id("PartOffsetOOB()"))``; the compiler finds those ``method_id("Name(...)")``
strings (names that start with an upper-case letter, the Solidity convention for errors) and adds
matching ``{"type": "error"}`` entries to the ABI so reverts decode into names everywhere.

Build step: ``python -m faultproof.contracts.compiler`` recompiles every contract under
``faultproof/contracts`` and prints a size report (``--check`` fails on EIP-170 violations).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import sys
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import vyper
from vyper.compiler.input_bundle import FilesystemInputBundle
from vyper.compiler.settings import OptimizationLevel, Settings

from faultproof.errors import FaultproofError

#: EIP-170 runtime code size limit (bytes).
MAX_CODE_SIZE = 24_576
#: EIP-3860 init code size limit (bytes).
MAX_INITCODE_SIZE = 2 * MAX_CODE_SIZE
#: EVM version we compile for; both backends (pyrevm CANCUN, anvil --hardfork cancun) run it.
DEFAULT_EVM_VERSION = "cancun"
#: Folder holding the project's contract sources (and the search root for imports).
CONTRACTS_ROOT = Path(__file__).resolve().parent

_CACHE_FORMAT = 2
_PRAGMA_VERSION = re.compile(r"^#\s*(?:pragma\s+version|@version)\s+(.+?)\s*$", re.MULTILINE)
_FROM_IMPORT = re.compile(r"^\s*from\s+([.\w]+)\s+import\s+([\w, ]+)", re.MULTILINE)
_PLAIN_IMPORT = re.compile(r"^\s*import\s+([.\w]+)", re.MULTILINE)
_ERROR_SIG = re.compile(r'method_id\(\s*"([A-Z]\w*)\(([^")]*)\)"')


class CompileError(FaultproofError):
    """A Vyper source did not compile; the message carries the compiler's diagnostic."""


class VyperVersionMismatch(CompileError):
    """The source's ``#pragma version`` does not accept the installed Vyper."""


class ContractTooLarge(CompileError):
    """The runtime code exceeds EIP-170 (24,576 bytes) or the init code exceeds EIP-3860."""

    def __init__(self, name: str, runtime_size: int, initcode_size: int) -> None:
        self.name = name
        self.runtime_size = runtime_size
        self.initcode_size = initcode_size
        super().__init__(
            f"{name}: runtime code is {runtime_size} bytes (EIP-170 limit {MAX_CODE_SIZE}), "
            f"init code {initcode_size} bytes (EIP-3860 limit {MAX_INITCODE_SIZE}); "
            "split the contract into modules deployed separately or move code to a library "
            "contract"
        )


@dataclass(frozen=True)
class Artifact:
    """What a deployer needs: ABI and the three flavours of bytecode.

    `bytecode` is the init code (append ABI-encoded constructor args), `deployed_bytecode` the
    runtime code, `blueprint_bytecode` the ERC-5202 blueprint init code (deploy it, then
    ``create_from_blueprint(address, ...)`` from another contract).
    """

    name: str
    abi: list[dict[str, Any]]
    bytecode: bytes
    deployed_bytecode: bytes
    blueprint_bytecode: bytes = b""
    source_path: str = ""
    source_hash: str = ""
    compiler_version: str = ""
    evm_version: str = DEFAULT_EVM_VERSION
    error_signatures: tuple[str, ...] = field(default_factory=tuple)

    @property
    def runtime_size(self) -> int:
        return len(self.deployed_bytecode)

    @property
    def initcode_size(self) -> int:
        return len(self.bytecode)

    @property
    def size_margin(self) -> int:
        """Bytes left under EIP-170 (negative when over the limit)."""
        return MAX_CODE_SIZE - self.runtime_size

    def constructor_abi(self) -> dict[str, Any] | None:
        return next((e for e in self.abi if e.get("type") == "constructor"), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": _CACHE_FORMAT,
            "name": self.name,
            "abi": self.abi,
            "bytecode": "0x" + self.bytecode.hex(),
            "deployed_bytecode": "0x" + self.deployed_bytecode.hex(),
            "blueprint_bytecode": "0x" + self.blueprint_bytecode.hex(),
            "source_path": self.source_path,
            "source_hash": self.source_hash,
            "compiler_version": self.compiler_version,
            "evm_version": self.evm_version,
            "error_signatures": list(self.error_signatures),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Artifact:
        return cls(
            name=data["name"],
            abi=data["abi"],
            bytecode=bytes.fromhex(data["bytecode"][2:]),
            deployed_bytecode=bytes.fromhex(data["deployed_bytecode"][2:]),
            blueprint_bytecode=bytes.fromhex(data.get("blueprint_bytecode", "0x")[2:]),
            source_path=data.get("source_path", ""),
            source_hash=data.get("source_hash", ""),
            compiler_version=data.get("compiler_version", ""),
            evm_version=data.get("evm_version", DEFAULT_EVM_VERSION),
            error_signatures=tuple(data.get("error_signatures", ())),
        )


def cache_dir() -> Path:
    """Where compiled artifacts live: ``$FAULTPROOF_CACHE_DIR/contracts`` or ``~/.cache``."""
    base = os.environ.get("FAULTPROOF_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "faultproof"
    return root / "contracts"


def installed_vyper_version() -> str:
    return str(vyper.__version__)


def check_version_pragma(source: str, path: str = "<source>") -> None:
    """Raise `VyperVersionMismatch` when the ``#pragma version`` rejects the installed Vyper.

    Done before compiling so the message says what to change instead of vyper's generic error.
    """
    match = _PRAGMA_VERSION.search(source)
    if match is None:
        return
    spec = match.group(1).strip()
    from vyper.ast.pre_parser import validate_version_pragma

    try:
        validate_version_pragma(spec, (source, 0, 0))
    except Exception as exc:  # vyper raises VersionException (and StructureException on junk)
        raise VyperVersionMismatch(
            f"{path}: '#pragma version {spec}' does not accept the installed vyper "
            f"{installed_vyper_version()}; write '#pragma version {installed_vyper_version()}' "
            f"(or a range that includes it): {getattr(exc, 'message', exc)}"
        ) from exc


def _resolve_import(module: str, importer: Path, search_paths: Sequence[Path]) -> list[Path]:
    """Return the files a dotted import can refer to (``.vy`` or ``.vyi``), if they exist."""
    level = len(module) - len(module.lstrip("."))
    rest = module[level:]
    parts = [p for p in rest.split(".") if p]
    if level:
        base = importer.parent
        for _ in range(level - 1):
            base = base.parent
        bases = [base]
    else:
        bases = [*search_paths, importer.parent]
    found: list[Path] = []
    for b in bases:
        stem = b.joinpath(*parts) if parts else b
        for ext in (".vy", ".vyi"):
            cand = stem.with_name(stem.name + ext) if parts else None
            if cand is not None and cand.is_file():
                found.append(cand.resolve())
    return found


def module_dependencies(path: Path, search_paths: Sequence[Path] = ()) -> list[Path]:
    """All local source files `path` imports, transitively (builtins like ``ethereum.ercs`` skipped).

    Found by scanning import statements, so the cache key changes when any imported module does.
    """
    seen: dict[Path, None] = {}
    todo = [path.resolve()]
    while todo:
        cur = todo.pop()
        if cur in seen:
            continue
        seen[cur] = None
        text = cur.read_text()
        modules: list[str] = []
        for m in _FROM_IMPORT.finditer(text):
            pkg = m.group(1)
            for name in m.group(2).split(","):
                name = name.strip().split(" ")[0]
                if name:
                    sep = "" if pkg.endswith(".") else "."
                    modules.append(pkg + sep + name)
        modules.extend(m.group(1) for m in _PLAIN_IMPORT.finditer(text))
        for mod in modules:
            todo.extend(_resolve_import(mod, cur, search_paths))
    return sorted(seen)


_DOCSTRING = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'')
_COMMENT = re.compile(r"#[^\n]*")


def error_signatures(sources: Iterable[str]) -> list[str]:
    """Solidity-style error signatures emulated with ``raw_revert(method_id("Name(types)"))``.

    Docstrings and comments are ignored, so documenting the pattern does not declare an error.
    """
    sigs: dict[str, None] = {}
    for src in sources:
        code = _COMMENT.sub("", _DOCSTRING.sub("", src))
        for m in _ERROR_SIG.finditer(code):
            sigs[f"{m.group(1)}({m.group(2).replace(' ', '')})"] = None
    return sorted(sigs)


def _error_abi(sig: str) -> dict[str, Any]:
    name, _, args = sig.partition("(")
    types = [t for t in args.rstrip(")").split(",") if t]
    return {
        "type": "error",
        "name": name,
        "inputs": [{"name": f"arg{i}", "type": t} for i, t in enumerate(types)],
    }


def _source_key(files: Sequence[Path], main: Path, evm_version: str, optimize: str) -> str:
    h = hashlib.sha256()
    h.update(f"faultproof-artifact-{_CACHE_FORMAT}|vyper-{installed_vyper_version()}|".encode())
    h.update(f"{evm_version}|{optimize}|".encode())
    base = main.resolve().parent
    for f in files:
        # Paths relative to the contract, so two checkouts of the same tree share cache keys.
        rel = os.path.relpath(f, base)
        h.update(rel.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def compile_contract(
    path: str | Path,
    *,
    name: str | None = None,
    search_paths: Sequence[str | Path] = (),
    evm_version: str = DEFAULT_EVM_VERSION,
    optimize: str = "gas",
    check_size: bool = True,
    use_cache: bool = True,
) -> Artifact:
    """Compile one ``.vy`` file (cached) and return its `Artifact`.

    `search_paths` are extra import roots; the file's own folder and `CONTRACTS_ROOT`'s parent
    (so ``from faultproof.contracts.x import y`` style absolute imports work) are always searched.
    With `check_size` a contract over EIP-170 raises `ContractTooLarge`.
    """
    src_path = Path(path).resolve()
    if not src_path.is_file():
        raise CompileError(f"no Vyper source at {src_path}")
    roots = [Path(p).resolve() for p in search_paths]
    roots += [src_path.parent, CONTRACTS_ROOT.parent.parent]
    files = module_dependencies(src_path, roots)
    key = _source_key(files, src_path, evm_version, optimize)
    contract_name = name or src_path.stem
    cached = cache_dir() / f"{contract_name}-{key[:24]}.json"
    artifact: Artifact | None = None
    if use_cache and cached.is_file():
        try:
            artifact = Artifact.from_json(json.loads(cached.read_text()))
        except (ValueError, KeyError):
            artifact = None
    if artifact is None:
        artifact = _compile_uncached(src_path, contract_name, roots, files, evm_version, optimize)
        artifact = Artifact(**{**artifact.__dict__, "source_hash": key})
        if use_cache:
            cached.parent.mkdir(parents=True, exist_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(artifact.to_json(), sort_keys=True))
            tmp.replace(cached)
    if check_size:
        check_code_size(artifact)
    return artifact


def compile_source(
    source: str,
    name: str = "Contract",
    *,
    evm_version: str = DEFAULT_EVM_VERSION,
    optimize: str = "gas",
    check_size: bool = True,
) -> Artifact:
    """Compile a standalone source string (no imports, no cache); handy in tests."""
    check_version_pragma(source, name)
    settings = Settings(evm_version=evm_version, optimize=OptimizationLevel.from_string(optimize))
    out = _run_vyper(source, name, settings, contract_path=f"{name}.vy")
    artifact = _artifact_from_output(name, out, [source], "", evm_version)
    if check_size:
        check_code_size(artifact)
    return artifact


def _compile_uncached(
    src_path: Path,
    name: str,
    roots: Sequence[Path],
    files: Sequence[Path],
    evm_version: str,
    optimize: str,
) -> Artifact:
    source = src_path.read_text()
    check_version_pragma(source, str(src_path))
    settings = Settings(evm_version=evm_version, optimize=OptimizationLevel.from_string(optimize))
    bundle = FilesystemInputBundle(list(dict.fromkeys(roots)))
    out = _run_vyper(source, str(src_path), settings, contract_path=src_path,
                     resolved_path=src_path, input_bundle=bundle)
    sources = [f.read_text() for f in files]
    return _artifact_from_output(name, out, sources, str(src_path), evm_version)


def _run_vyper(source: str, label: str, settings: Settings, **kwargs: Any) -> dict[str, Any]:
    """Call vyper, turning its exceptions into `CompileError`.

    Vyper's own EIP-170 warning is silenced: `check_code_size` reports it as a typed error.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*contract size limit.*")
        try:
            out = vyper.compile_code(
                source,
                output_formats=["abi", "bytecode", "bytecode_runtime", "blueprint_bytecode"],
                settings=settings,
                **kwargs,
            )
        except Exception as exc:
            raise CompileError(f"{label}: {type(exc).__name__}: {exc}") from exc
    return dict(out)


def _artifact_from_output(
    name: str, out: dict[str, Any], sources: Sequence[str], path: str, evm_version: str
) -> Artifact:
    sigs = error_signatures(sources)
    abi = list(out["abi"]) + [_error_abi(s) for s in sigs]
    return Artifact(
        name=name,
        abi=abi,
        bytecode=bytes.fromhex(out["bytecode"][2:]),
        deployed_bytecode=bytes.fromhex(out["bytecode_runtime"][2:]),
        blueprint_bytecode=bytes.fromhex(out["blueprint_bytecode"][2:]),
        source_path=path,
        compiler_version=installed_vyper_version(),
        evm_version=evm_version,
        error_signatures=tuple(sigs),
    )


def check_code_size(artifact: Artifact) -> None:
    """Raise `ContractTooLarge` if the artifact cannot be deployed on Ethereum mainnet."""
    if artifact.runtime_size > MAX_CODE_SIZE or artifact.initcode_size > MAX_INITCODE_SIZE:
        raise ContractTooLarge(artifact.name, artifact.runtime_size, artifact.initcode_size)


def size_report(artifacts: Iterable[Artifact]) -> str:
    """A table of runtime/init code sizes and the margin left under EIP-170."""
    rows = [f"{'contract':<32} {'runtime':>8} {'initcode':>9} {'margin':>8}  status"]
    for a in sorted(artifacts, key=lambda a: a.name):
        status = "ok" if a.size_margin >= 0 else "OVER EIP-170"
        rows.append(
            f"{a.name:<32} {a.runtime_size:>8} {a.initcode_size:>9} {a.size_margin:>8}  {status}"
        )
    return "\n".join(rows)


def is_deployable_source(path: Path) -> bool:
    """A file with external/deploy functions is a contract; other ``.vy`` files are modules."""
    text = path.read_text()
    return "@external" in text or "@deploy" in text


def contract_sources(root: Path = CONTRACTS_ROOT) -> list[Path]:
    """Every deployable ``.vy`` file under `root` (interfaces and pure modules are skipped)."""
    return sorted(p for p in root.rglob("*.vy") if is_deployable_source(p))


def load_contract(relative: str, **kwargs: Any) -> Artifact:
    """Compile a contract by its path relative to `CONTRACTS_ROOT`, e.g. ``"oracle/PreimageOracle.vy"``."""
    return compile_contract(CONTRACTS_ROOT / relative, **kwargs)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m faultproof.contracts.compiler",
        description="Rebuild every Vyper contract (bypassing the cache) and report code sizes.",
    )
    parser.add_argument("paths", nargs="*", help="contracts to build (default: all)")
    parser.add_argument("--check", action="store_true", help="exit 1 if any exceeds EIP-170")
    parser.add_argument("--cached", action="store_true", help="reuse cached artifacts")
    args = parser.parse_args(argv)
    paths = [Path(p) for p in args.paths] or contract_sources()
    artifacts: list[Artifact] = []
    failed = False
    for p in paths:
        try:
            artifacts.append(compile_contract(p, check_size=False, use_cache=True)
                             if args.cached else _rebuild(p))
        except CompileError as exc:
            failed = True
            print(f"error: {exc}", file=sys.stderr)
    print(size_report(artifacts))
    over = [a for a in artifacts if a.size_margin < 0]
    if over and args.check:
        failed = True
    return 1 if failed else 0


def _rebuild(path: Path) -> Artifact:
    """Compile without reading the cache, then store the fresh artifact in it."""
    art = compile_contract(path, check_size=False, use_cache=False)
    cached = cache_dir() / f"{art.name}-{art.source_hash[:24]}.json"
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(art.to_json(), sort_keys=True))
    return art


if __name__ == "__main__":
    raise SystemExit(main())
