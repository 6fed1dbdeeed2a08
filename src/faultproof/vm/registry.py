"""Built-in ISAs. Each executor package registers itself when imported; this module imports them.

Adding an ISA: write ``faultproof/vm/<isa>/`` with a module-level ``ISA`` registered through
``register_isa`` and add its module path to ``BUILTIN_ISA_MODULES``.
"""

import importlib

BUILTIN_ISA_MODULES = (
    "faultproof.vm.mips.isa",
    "faultproof.vm.riscv.isa",
)

ISA_MODULE_BY_NAME = {
    "mips32": "faultproof.vm.mips.isa",
    "riscv64": "faultproof.vm.riscv.isa",
    "riscv64c": "faultproof.vm.riscv.isa",
}
"""Which module registers a built-in ISA, so a command loads only the kernels of the VM it runs
(issue 13: start-up time). Names not listed fall back to loading every built-in module."""

_loaded = False


def load_isa(name: str) -> None:
    """Import the module that registers ``name``; every built-in one if the name is unknown."""
    module = ISA_MODULE_BY_NAME.get(name)
    if module is None:
        load_builtin_isas()
        return
    _import_optional(module)


def _import_optional(name: str) -> None:
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as exc:  # an executor package still being written
        if exc.name != name:
            raise


def load_builtin_isas() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in BUILTIN_ISA_MODULES:
        _import_optional(name)
