"""Every number the MIPS32 VM uses, once, with the section of ``cannon-mips32.md`` it comes from.

Target: single-threaded Cannon, state version ``singlethreaded-2`` (MIPS.sol 1.2.1-beta.6).
"""

from __future__ import annotations

# §1.2 witness layout: 226 bytes, big-endian, packed.
WITNESS_SIZE = 226
WIT_MEM_ROOT = 0
WIT_PREIMAGE_KEY = 32
WIT_PREIMAGE_OFFSET = 64
WIT_PC = 68
WIT_NEXT_PC = 72
WIT_LO = 76
WIT_HI = 80
WIT_HEAP = 84
WIT_EXIT_CODE = 88
WIT_EXITED = 89
WIT_STEP = 90
WIT_REGISTERS = 98

# §1.6 state file version byte for single-threaded Cannon in [mono].
STATE_VERSION_SINGLETHREADED_2 = 2

# §2.1 / §2.2 memory: 2^27 leaves of 32 bytes, 27 levels, one proof = 28 * 32 bytes.
ADDRESS_BITS = 32
TREE_DEPTH = 27
PROOF_SIZE = 896
STEP_PROOF_SIZE = 2 * PROOF_SIZE  # §2.3: instruction proof || data proof

# §1.4 / §6.1 memory map.
HEAP_START = 0x05000000
HEAP_END = 0x60000000
PROGRAM_BREAK = 0x40000000
STACK_POINTER = 0x7FFFD000  # §6.3
PAGE_SIZE = 4096

# Indices into the VM's ``cpu`` int64 array (the non-register, non-memory parts of §1.1).
CPU_PC = 0
CPU_NEXT_PC = 1
CPU_LO = 2
CPU_HI = 3
CPU_HEAP = 4
CPU_EXIT_CODE = 5
CPU_EXITED = 6
CPU_STEP = 7
CPU_PREIMAGE_OFFSET = 8
CPU_FIELDS = 9

# §3.1 / §3.2 opcodes that the step dispatches on before the core logic.
OP_SPECIAL = 0x00
OP_REGIMM = 0x01
OP_J = 0x02
OP_JAL = 0x03
OP_SPECIAL2 = 0x1C
OP_LL = 0x30
OP_SC = 0x38
FUNCT_SYSCALL = 0x0C

# §4.2 syscall numbers (o32 = 4000 + n).
SYS_READ = 4003
SYS_WRITE = 4004
SYS_BRK = 4045
SYS_FCNTL = 4055
SYS_MMAP = 4090
SYS_CLONE = 4120
SYS_EXIT_GROUP = 4246

# §4.3 file descriptors.
FD_STDIN = 0
FD_STDOUT = 1
FD_STDERR = 2
FD_HINT_READ = 3
FD_HINT_WRITE = 4
FD_PREIMAGE_READ = 5
FD_PREIMAGE_WRITE = 6

# §4.1 errno values and the error return value.
EBADF = 0x9
EINVAL = 0x16
SYS_ERROR = 0xFFFFFFFF

# §4.2 fcntl commands.
F_GETFD = 1
F_GETFL = 3

# §4.3 the 8-byte big-endian length prefix of a preimage stream, and the 32-byte read window.
PREIMAGE_LENGTH_PREFIX = 8
PREIMAGE_PART = 32

# §6.2 ``jr $ra; nop``, written over the entry of each patched Go runtime function.
GO_PATCH_BYTES = bytes([0x03, 0xE0, 0x00, 0x08, 0, 0, 0, 0])
GO_PATCHED_SYMBOLS = (
    "runtime.gcenable",
    "runtime.init.5",
    "runtime.main.func1",
    "runtime.deductSweepCredit",
    "runtime.(*gcControllerState).commit",
    "runtime.check",
    "flag.init",
    "github.com/prometheus/client_golang/prometheus.init",
    "github.com/prometheus/client_golang/prometheus.init.0",
    "github.com/prometheus/procfs.init",
    "github.com/prometheus/common/model.init",
    "github.com/prometheus/client_model/go.init",
    "github.com/prometheus/client_model/go.init.0",
    "github.com/prometheus/client_model/go.init.1",
)

# §6.1 program header type skipped by the loader.
PT_LOAD = 1
PT_GNU_STACK = 0x6474E551
PT_MIPS_ABIFLAGS = 0x70000003

# Status codes of the numba run loop (why it handed control back to Python).
RUN_BUDGET_DONE = 0
RUN_EXITED = 1
RUN_NEED_GROW = 2
RUN_NEED_PREIMAGE = 3
RUN_HOST_WRITE = 4  # a write to stdout/stderr/hint fd was executed; Python delivers the bytes
RUN_EXCEPTION = 5

# §3.5 exception codes (the step has no post-state and cannot be proven).
EXC_INVALID_INSTRUCTION = 1
EXC_BRANCH_IN_DELAY_SLOT = 2
EXC_JUMP_IN_DELAY_SLOT = 3
EXC_DIVISION_BY_ZERO = 4
EXC_UNALIGNED_PC = 5
EXC_PREIMAGE_OUT_OF_BOUNDS = 6

# Indices into the ``io`` int64 array the loop uses to report details back to Python.
IO_CODE = 0  # exception code
IO_FD = 1
IO_ADDR = 2
IO_LEN = 3
IO_INSN = 4
IO_PC = 5
IO_READ_KEY_OFFSET = 6  # preimage offset of the last fd-5 read in this step (-1: none)
IO_FIELDS = 8
