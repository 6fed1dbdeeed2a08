"""Symbol metadata (``--meta``): Cannon's ``meta.json`` lists the ELF symbols for pc lookups."""

from __future__ import annotations

import bisect
import json
from pathlib import Path

from faultproof.vm.elf import ElfFile


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
        path.write_text(json.dumps(doc))

    @classmethod
    def load(cls, path: Path) -> Metadata:
        doc = json.loads(path.read_text())
        return cls([(s["name"], int(s["start"]), int(s["size"])) for s in doc.get("symbols") or []])
