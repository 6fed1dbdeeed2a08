"""Every number the RISC-V VM depends on, once, with the spec section it comes from.

Spec = /work/shared/specs/asterisc-riscv64.md (a digest of Asterisc v1.3.0).
"""

from __future__ import annotations

# --- State witness layout (§2.1), all big-endian ---------------------------------------------------
STATE_WITNESS_SIZE = 362
OFF_MEM_ROOT = 0
OFF_PREIMAGE_KEY = 32
OFF_PREIMAGE_OFFSET = 64
OFF_PC = 72
OFF_EXIT_CODE = 80
OFF_EXITED = 81
OFF_STEP = 82
OFF_HEAP = 90
OFF_LOAD_RESERVATION = 98
OFF_REGISTERS = 106

# --- Memory proofs (§3.2) --------------------------------------------------------------------------
MEMORY_TREE_DEPTH = 59
MEMORY_PROOF_SIZE = (MEMORY_TREE_DEPTH + 1) * 32  # 1920

# --- Program setup (§6) ------------------------------------------------------------------------------
HEAP_START = 0x7F0000000000
STACK_POINTER = 1 << 60
BRK_VALUE = 1 << 30
PAGE_SIZE = 4096
RET_INSTRUCTION = 0x00008067  # jalr x0, 0(ra)
PT_RISCV_ATTRIBUTES = 0x70000003
GO_PATCHED_SYMBOLS = (
    "runtime.gcenable",
    "runtime.init.5",
    "runtime.main.func1",
    "runtime.deductSweepCredit",
    "runtime.(*gcControllerState).commit",
    "github.com/prometheus/client_golang/prometheus.init",
    "github.com/prometheus/client_golang/prometheus.init.0",
    "github.com/prometheus/procfs.init",
    "github.com/prometheus/common/model.init",
    "github.com/prometheus/client_model/go.init",
    "github.com/prometheus/client_model/go.init.0",
    "github.com/prometheus/client_model/go.init.1",
    "flag.init",
    "runtime.check",
)
GO_ZEROED_SYMBOL = "runtime.MemProfileRate"
# (offset above sp, little-endian u64) written by the loader (§6.2)
STACK_WORDS = (
    (8, 0x42),
    (16, 0x35),
    (24, 0),
    (32, 6),
    (40, 4096),
    (48, 25),
    (56, STACK_POINTER + 72),
    (64, 0),
    (72, 0x6F727020646E6172),
    (80, 0x6164626D616C6F74),
)

# --- Opcodes (§4.2) ----------------------------------------------------------------------------------
OP_LOAD = 0x03
OP_LOAD_FP = 0x07
OP_MISC_MEM = 0x0F
OP_IMM = 0x13
OP_AUIPC = 0x17
OP_IMM_32 = 0x1B
OP_STORE = 0x23
OP_STORE_FP = 0x27
OP_AMO = 0x2F
OP_OP = 0x33
OP_LUI = 0x37
OP_OP_32 = 0x3B
OP_FP = 0x53
OP_BRANCH = 0x63
OP_JALR = 0x67
OP_JAL = 0x6F
OP_SYSTEM = 0x73

# --- A extension op field (funct7 >> 2, §4.4) --------------------------------------------------------
AMO_ADD = 0x00
AMO_SWAP = 0x01
AMO_LR = 0x02
AMO_SC = 0x03
AMO_XOR = 0x04
AMO_OR = 0x08
AMO_AND = 0x0C
AMO_MIN = 0x10
AMO_MAX = 0x14
AMO_MINU = 0x18
AMO_MAXU = 0x1C

# --- Revert codes (§4.6) -----------------------------------------------------------------------------
ERR_GETRLIMIT_RESOURCE = 0xF0012
ERR_UNKNOWN_AMO = 0xF001A70
ERR_UNKNOWN_OPCODE = 0xF001C0DE
ERR_UNSUPPORTED_SYSCALL = 0xF001CA11
ERR_REGISTER = 0xBAD4E9
ERR_MISALIGNED = 0xBAD10AD0
ERR_LOAD_SIZE = 0xBAD512E0
ERR_STORE_SIZE = 0xBAD512E8
ERR_STORE_UNALIGNED_SIZE = 0xBAD512E1
ERR_FETCH_STRADDLE = 0xBAD22220
ERR_ILLEGAL = 0xBADC0DE
ERR_AMO_SIZE = 0xBADA70
ERR_PREIMAGE = 0xBADF00D0
ERR_BAD_PROOF = 0xBADF00D1

REVERT_NAMES = {
    ERR_GETRLIMIT_RESOURCE: "getrlimit: unknown resource",
    ERR_UNKNOWN_AMO: "unknown AMO operation",
    ERR_UNKNOWN_OPCODE: "unknown opcode",
    ERR_UNSUPPORTED_SYSCALL: "unsupported syscall",
    ERR_REGISTER: "register index above 31",
    ERR_MISALIGNED: "misaligned address or jump target",
    ERR_LOAD_SIZE: "load larger than 8 bytes",
    ERR_STORE_SIZE: "store larger than 8 bytes",
    ERR_STORE_UNALIGNED_SIZE: "unaligned store larger than 32 bytes",
    ERR_FETCH_STRADDLE: "instruction fetch straddles two memory leaves",
    ERR_ILLEGAL: "illegal or reserved instruction encoding",
    ERR_AMO_SIZE: "AMO size is not 4 or 8",
    ERR_PREIMAGE: "preimage read failed (offset past the end of the preimage)",
    ERR_BAD_PROOF: "memory proof does not match the memory root",
}

# --- Syscalls (§5.2, RISC-V Linux numbers) -----------------------------------------------------------
SYS_EXIT = 93
SYS_EXIT_GROUP = 94
SYS_BRK = 214
SYS_MMAP = 222
SYS_READ = 63
SYS_WRITE = 64
SYS_FCNTL = 25
SYS_OPENAT = 56
SYS_CLOCK_GETTIME = 113
SYS_CLONE = 220
SYS_GETRLIMIT = 163
SYS_PRLIMIT64 = 261
SYS_FUTEX_422 = 422
SYS_NANOSLEEP = 101

EBADF = 0x4D  # Asterisc's value, not Linux's 9 (§5.1)
EINVAL = 0x16
EACCES = 0xD
MAP_ANONYMOUS = 0x20
RLIMIT_NOFILE = 7
CLOCK_SEC = 1337
CLOCK_NSEC = 42
NOFILE_LIMIT = 1024

# --- File descriptors (§5.3) -------------------------------------------------------------------------
FD_STDIN = 0
FD_STDOUT = 1
FD_STDERR = 2
FD_HINT_READ = 3
FD_HINT_WRITE = 4
FD_PREIMAGE_READ = 5
FD_PREIMAGE_WRITE = 6

# --- Register numbers --------------------------------------------------------------------------------
REG_RA = 1
REG_SP = 2
REG_A0 = 10
REG_A1 = 11
REG_A2 = 12
REG_A3 = 13
REG_A4 = 14
REG_A7 = 17

# --- Scalar state slots of the executor (our layout, not a spec fact) --------------------------------
S_PC = 0
S_STEP = 1
S_HEAP = 2
S_RESERVATION = 3
S_EXITED = 4
S_EXIT_CODE = 5
S_PREIMAGE_OFFSET = 6
S_PREIMAGE_LOADED = 7  # 1 when the preimage buffer holds the stream of the current key
S_PREIMAGE_LEN = 8  # bytes in the buffer: 8-byte length prefix + data
S_REVERT = 9
S_IO_FD = 10
S_IO_ADDR = 11
S_IO_LEN = 12
S_COMPRESSED = 13  # 1 for riscv64c
S_PREIMAGE_READ = 14  # set when a step asked the oracle (for the witness)
S_SIZE = 16

# --- Run-loop results --------------------------------------------------------------------------------
RUN_BUDGET = 0
RUN_EXITED = 1
RUN_NEED_PREIMAGE = 2  # the current instruction was not executed
RUN_OUTPUT = 3  # the step wrote to fd 1, 2 or 4; S_IO_* describe it
RUN_GROW = 4  # memory needs more pages; the instruction was not executed
RUN_REVERT = 5  # S_REVERT holds the code; the state may be partly updated (§2.3)
