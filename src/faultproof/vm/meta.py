"""Symbol metadata (``--meta``): Cannon's ``meta.json`` lists the ELF symbols for pc lookups."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

from faultproof.errors import FaultproofError
from faultproof.fileio import write_atomic
from faultproof.vm.elf import ElfFile


class InvalidMetadata(FaultproofError):
    """A ``--meta`` file is missing or is not Cannon's meta.json."""


class Metadata:
    """Sorted symbols of a program; ``lookup(pc)`` names the function a pc is in."""

    def __init__(self, symbols: list[tuple[str, int, int]]) -> None:
        self.symbols = sorted(symbols, key=lambda s: s[1])
        self._starts = [s[1] for s in self.symbols]

    @classmethod
    def from_elf(cls, elf: ElfFile) -> Metadata:
        return cls([(s.name, s.value, s.size) for s in elf.symbols])

    def lookup(self, pc: int) -> str:
        i = bisect.bisect_right(self._starts, pc) - 1
        if i < 0:
            return "!unknown"
        name, start, size = self.symbols[i]
        if size and pc >= start + size:
            return "!unknown"
        return name

    def save(self, path: Path) -> None:
        doc = {"symbols": [{"name": n, "start": s, "size": z} for n, s, z in self.symbols]}
        write_atomic(path, json.dumps(doc))

    @classmethod
    def load(cls, path: Path) -> Metadata:
        """Read a meta.json; a missing or malformed file is refused, as Cannon refuses it."""
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise InvalidMetadata(
                f"metadata file {path} does not exist (pass --meta '' to run without symbols)"
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidMetadata(f"cannot read metadata file {path}: {exc}") from None
        try:
            doc = json.loads(text)
            symbols = doc.get("symbols") or []
            return cls([(s["name"], int(s["start"]), int(s["size"])) for s in symbols])
        except json.JSONDecodeError as exc:
            raise InvalidMetadata(f"metadata file {path} is not valid JSON: {exc}") from None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise InvalidMetadata(
                f"metadata file {path} is not a meta.json (symbols with name, start, size): "
                f"{type(exc).__name__}: {exc}"
            ) from None
