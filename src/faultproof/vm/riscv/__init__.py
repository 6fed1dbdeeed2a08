"""RISC-V 64 fault proof VM, byte-compatible with Asterisc (``riscv64``), plus RV64IMAC (``riscv64c``).

Semantics live once in numba code (``machine``, ``alu``, ``lsu``, ``atomics``, ``control``,
``syscalls``, ``compressed``); ``vm.RiscvVM`` wraps them for the rest of faultproof.
"""
