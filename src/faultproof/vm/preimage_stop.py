"""``run --stop-at-preimage*``: stop right after the step that reads a chosen preimage (Cannon's
debugging flags, used to find out which preimage a program needs and when, spec §6.4).

A step "reads a preimage" when it copies bytes of the current key's stream out of fd 5: the key
is unchanged and the preimage offset moved forward. The run loop executes long chunks in numba,
where such reads are invisible, so :class:`PreimageWatch` makes the steps that matter run alone:

* every VM fetches a key's preimage from its host on the first read of that key, and with
  ``pause_on_fetch`` its ``run`` returns right there, before the reading step, which the watch
  then executes alone. That catches the first read of every key, enough for ``--stop-at-preimage
  KEY``, ``--stop-at-preimage-type`` and ``--stop-at-preimage-larger-than``;
* ``KEY@OFFSET`` can match a later read of a key already loaded, so while a matching key is
  loaded every step runs alone (slow, but only for that stretch of the run).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import Any

from faultproof.errors import FaultproofError
from faultproof.preimage.keys import KeyType

ANY_TYPE = -1
_TYPES = {
    "local": KeyType.LOCAL,
    "keccak": KeyType.KECCAK256,
    "sha256": KeyType.SHA256,
    "blob": KeyType.BLOB,
    "precompile": KeyType.PRECOMPILE,
    "any": ANY_TYPE,
}


@dataclass(frozen=True)
class PreimageStop:
    """Which preimage reads end the run; any one criterion that matches does (as in Cannon)."""

    key_prefix: bytes | None = None
    offset: int | None = None
    key_type: int | None = None
    larger_than: int = 0

    @classmethod
    def parse(cls, at: str, key_type: str, larger_than: int) -> PreimageStop | None:
        """From the three flags; None when none is given."""
        prefix: bytes | None = None
        offset: int | None = None
        if at:
            key_text, _, offset_text = at.partition("@")
            try:
                prefix = bytes.fromhex(key_text.removeprefix("0x"))
                offset = int(offset_text) if offset_text else None
            except ValueError:
                raise FaultproofError(
                    f"bad --stop-at-preimage {at!r}: use <hex key prefix>[@<offset>]"
                ) from None
            if not prefix or len(prefix) > 32 or (offset is not None and offset < 0):
                raise FaultproofError(
                    f"bad --stop-at-preimage {at!r}: a 1-32 byte key prefix, offset >= 0"
                )
        kind: int | None = None
        if key_type:
            if key_type not in _TYPES:
                raise FaultproofError(
                    f"bad --stop-at-preimage-type {key_type!r}: one of {', '.join(_TYPES)}"
                )
            kind = int(_TYPES[key_type])
        if larger_than < 0:
            raise FaultproofError("--stop-at-preimage-larger-than must be >= 0")
        if prefix is None and kind is None and not larger_than:
            return None
        return cls(prefix, offset, kind, larger_than)

    def matches(self, key: bytes, offset: int, size: int) -> bool:
        """Does a read of ``key``'s stream at ``offset``, preimage ``size`` bytes, end the run?"""
        wanted_key = self.key_prefix is not None and key.startswith(self.key_prefix)
        if wanted_key and (self.offset is None or self.offset == offset):
            return True
        if self.key_type is not None and (self.key_type == ANY_TYPE or key[0] == self.key_type):
            return True
        return bool(self.larger_than) and size > self.larger_than

    def watches_every_read_of(self, key: bytes) -> bool:
        """Must every read of ``key`` be observed (not only the first)?"""
        return (
            self.offset is not None
            and self.key_prefix is not None
            and key.startswith(self.key_prefix)
        )


class PreimageWatch:
    """Tells the run loop when to execute single steps, and when a read matched."""

    def __init__(self, vm: Any, stop: PreimageStop) -> None:
        self.vm = vm
        self.stop = stop
        vm.pause_on_fetch = True
        self.single_step = stop.watches_every_read_of(vm.preimage_key)
        self._key = b""
        self._offset = 0
        self._fetches = 0
        self._steps = 0

    def before_step(self) -> None:
        vm = self.vm
        self._key = vm.preimage_key
        self._offset = vm.preimage_offset
        self._fetches = vm.num_preimage_requests
        self._steps = vm.step_count

    def after_step(self) -> bool:
        """Called after every execution; True when the step just run is a matching read."""
        vm = self.vm
        executed = vm.step_count - self._steps
        read = executed == 1 and vm.preimage_key == self._key and vm.preimage_offset > self._offset
        if read:
            size = vm.loaded_preimage_size
            if self.stop.matches(self._key, self._offset, size):
                doc = {
                    "msg": "stopping at preimage read",
                    "step": vm.step_count - 1,
                    "key": "0x" + self._key.hex(),
                    "offset": self._offset,
                    "size": size,
                }
                print(json.dumps(doc), file=sys.stderr)
                return True
        if vm.num_preimage_requests != self._fetches and not read:
            self.single_step = True  # paused after the fetch: the next step is the first read
        elif executed:
            self.single_step = self.stop.watches_every_read_of(vm.preimage_key)
        return False
