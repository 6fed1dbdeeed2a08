"""Trace providers: what one party claims at each position of a bisection tree.

`provider` holds the interfaces and array/output providers, `split` chooses a per-sub-game
execution provider below the split depth, `toyvm` is a tiny VM for games without an FPVM.
"""

from faultproof.trace.provider import (
    ArrayTraceProvider,
    OutputTraceProvider,
    PreimageOracleData,
    StepData,
    TraceProvider,
)
from faultproof.trace.split import (
    OutputClaimRef,
    ProviderAccessor,
    SplitTraceProvider,
    TraceAccessor,
)

__all__ = [
    "ArrayTraceProvider",
    "OutputClaimRef",
    "OutputTraceProvider",
    "PreimageOracleData",
    "ProviderAccessor",
    "SplitTraceProvider",
    "StepData",
    "TraceAccessor",
    "TraceProvider",
]
