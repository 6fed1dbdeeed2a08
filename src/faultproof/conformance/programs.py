"""The bundled guest programs the kit runs for an ISA, each with the host it needs.

Programs are looked up by ISA name in :mod:`faultproof.guests` (its build targets are named after
the ISAs), so a new ISA with a guest target gets every program here without code in the kit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from faultproof.conformance.hosts import preimage_guest_host, rollup_guest_host

HOSTS: dict[str, Callable[[], Any]] = {
    "preimage": preimage_guest_host,
    "rollup": rollup_guest_host,
}
"""Guests that read preimages, and the host each one needs (a fresh one per run)."""

C_GUESTS = ("hello", "exitcode", "compute", "heap", "preimage", "rollup")


@dataclass(frozen=True)
class GuestProgram:
    name: str
    elf: Path
    host_factory: Callable[[], Any] | None = None


@dataclass
class BundledPrograms:
    programs: list[GuestProgram]
    skipped: list[str]
    """``name: reason`` for every bundled guest that could not be built for this ISA."""


def host_for(elf: Path) -> Callable[[], Any] | None:
    """The host factory for a bundled guest's ELF (by file name), or None if it needs none."""
    return HOSTS.get(elf.name.removesuffix(".elf"))


def bundled_programs(isa_name: str, *, go: bool = True) -> BundledPrograms:
    """Build (or reuse) every bundled guest for ``isa_name``; Go guests where a toolchain allows."""
    from faultproof import guests

    found = BundledPrograms([], [])
    names = list(C_GUESTS) + (list(guests.GO_GUEST_NAMES) if go else [])
    for name in names:
        try:
            elf = guests.guest_elf(name, isa_name)
        except guests.GuestBuildError as exc:
            found.skipped.append(f"{name}: {str(exc).splitlines()[0]}")
            continue
        found.programs.append(GuestProgram(name, elf, HOSTS.get(name)))
    return found
