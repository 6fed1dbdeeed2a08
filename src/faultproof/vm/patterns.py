"""Cannon's step patterns for ``run`` flags: ``never``, ``always``, ``=N``, ``%N``."""

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
                return cls("eq", int(text[1:]))
            if text.startswith("%"):
                n = int(text[1:])
                if n <= 0:
                    raise ValueError
                return cls("every", n)
        except ValueError:
            pass
        raise FaultproofError(f"bad step pattern {text!r}: use never, always, =N or %N")

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
