"""The ISA conformance kit: proves an off-chain VM and its on-chain step contract agree.

For any registered ISA it (1) runs programs and sends the witness of many steps to the step contract,
comparing the returned post-state hash with the VM's, and (2) fuzzes single random instructions
(through the ISA's ``fuzz_state`` hook), requiring that both agree or both reject. Nothing here is
ISA-specific, so a new ISA gets the kit by registering itself.
"""

from faultproof.conformance.kit import ConformanceReport, check_program, fuzz_instructions
from faultproof.conformance.onchain import OnChainStepper, StepOutcome

__all__ = [
    "ConformanceReport",
    "OnChainStepper",
    "StepOutcome",
    "check_program",
    "fuzz_instructions",
]
