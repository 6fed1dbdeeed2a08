"""MIPS32 fault proof VM, byte-compatible with single-threaded Cannon (``singlethreaded-2``).

Layout (spec: ``/work/shared/specs/cannon-mips32.md``):

* ``constants``    every number, with its spec section;
* ``instructions`` the instruction semantics as small value functions (§3.2-§3.4);
* ``syscalls``     the syscall table and preimage I/O (§4);
* ``step``         one step and the run loop (§3.1), numba-compiled, with or without the access log;
* ``vm``           :class:`MipsVM`: state, host I/O, witnesses (§1, §2.3);
* ``loader``       ELF loading, Go patches, stack (§6);
* ``statefile``    JSON and binary state files (§1.6);
* ``verify``       re-executes a step from its witness alone, as the contract does (§7);
* ``isa``          registration with the VM registry.
"""
