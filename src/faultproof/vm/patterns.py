"""Cannon's step patterns for ``run`` flags: ``never``, ``always``, ``=N``, ``%N``.

``N`` is read as Go's ``strconv.ParseUint(s, 0, 64)``, as Cannon reads it: decimal, ``0x`` hex,
``0o``/leading-``0`` octal, ``0b`` binary, ``_`` between digits; no sign, so ``=-5`` (which
would never match) is refused rather than accepted.
"""

from __future__ import annotations

from dataclasses import dataclass

from faultproof.errors import FaultproofError


@dataclass(frozen=True)
class StepPattern:
    kind: str  # "never" | "always" | "eq" | "every"
    n: int = 0

    @classmethod
    def parse(cls, text: str | None) -> StepPattern:
        if text is None or text in ("", "never"):
            return cls("never")
        if text == "always":
            return cls("always")
        try:
            if text.startswith("="):
                return cls("eq", parse_step(text[1:]))
            if text.startswith("%"):
                n = parse_step(text[1:])
                if n <= 0:
                    raise ValueError
                return cls("every", n)
        except ValueError:
            pass
        raise FaultproofError(
            f"bad step pattern {text!r}: use never, always, =N or %N with N a step number "
            "(decimal or 0x hex, not negative; %N needs N > 0)"
        )

    def matches(self, step: int) -> bool:
        if self.kind == "always":
            return True
        if self.kind == "eq":
            return step == self.n
        if self.kind == "every":
            return step % self.n == 0
        return False

    def next_match(self, step: int) -> int | None:
        """The first step >= ``step`` that matches, or None if none will."""
        if self.kind == "always":
            return step
        if self.kind == "eq":
            return self.n if self.n >= step else None
        if self.kind == "every":
            return -(-step // self.n) * self.n
        return None


_BASES = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}


def parse_step(text: str) -> int:
    """A step number as Go's ``ParseUint(text, 0, 64)`` reads it; ValueError otherwise."""
    base, digits = 10, text
    if text[:2] in _BASES:
        base, digits = _BASES[text[:2]], text[2:]
        if digits.startswith("_"):
            digits = digits[1:]  # Go allows one underscore right after the base prefix
    elif len(text) > 1 and text[0] == "0":
        base, digits = 8, text[1:].removeprefix("_")
    if not digits or not all(c.isascii() and (c.isalnum() or c == "_") for c in digits):
        raise ValueError(text)  # also refuses signs and spaces, which int() would accept
    if digits.startswith("_") or digits.endswith("_") or "__" in digits:
        raise ValueError(text)
    n = int(digits.replace("_", ""), base)
    if n >= 1 << 64:
        raise ValueError(text)
    return n
