"""Error types shared across the package.

Every error a user can trigger with bad input is one of these, with a message that says what was
wrong and what was expected. The CLI turns them into a one-line message and a non-zero exit code.
"""


class FaultproofError(Exception):
    """Base class for every error caused by input the user can fix."""


class InvalidElf(FaultproofError):
    """The program file is not an ELF the chosen ISA can load."""


class InvalidState(FaultproofError):
    """A state file or state witness is malformed or inconsistent."""


class InvalidWitness(FaultproofError):
    """A step witness (state bytes, memory proofs) is malformed or does not verify."""


class InvalidMemoryProof(InvalidWitness):
    """A memory proof does not lead to the claimed memory root."""


class VMException(FaultproofError):
    """The guest executed something the VM cannot prove (Cannon/Asterisc revert on chain)."""


class PreimageNotFound(FaultproofError):
    """The host has no preimage for a requested key."""


class UnknownISA(FaultproofError):
    """No ISA with that name is registered."""
