"""Built-in ISAs. Each executor package registers itself when imported; this module imports them.

Adding an ISA: write ``faultproof/vm/<isa>/`` with a module-level ``ISA`` registered through
``register_isa`` and add its module path to ``BUILTIN_ISA_MODULES``.
"""

import importlib

BUILTIN_ISA_MODULES = (
    "faultproof.vm.mips.isa",
    "faultproof.vm.riscv.isa",
)

_loaded = False


def load_builtin_isas() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in BUILTIN_ISA_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:  # an executor package still being written
            if exc.name != name:
                raise
