"""Every named error the dispute contracts can revert with is provoked by some test.

The contracts emulate Solidity custom errors with `raw_revert(method_id("Name(...)"))`; this
scans them for the names and the test files of this folder (and `tests/contracts/test_deploy.py`)
for `reverts_with("Name"`, `error_name == "Name"` and parametrized `({...}, "Name")` rows. A new revert path without a test fails here.
The few that no call can reach are listed with the reason.
"""

from __future__ import annotations

import re
from pathlib import Path

from faultproof.contracts.dispute import HERE as CONTRACTS_DIR

TESTS_DIR = Path(__file__).resolve().parent
UNREACHABLE = {
    # bondDistributionMode only ever holds UNDECIDED, NORMAL or REFUND (defensive branch, kept
    # because upstream has it).
    "InvalidBondDistributionMode",
    # getRequiredBond's exponent is at most ln(750) (one full tree): far from both limits;
    # bit-exactness of the math is tested against the Python schedule for trees 4..125.
    "ExpOverflow",
    "LnWadUndefined",
    # Not errors: `method_id` of calls the contracts make.
    "setAnchorState",
    "withdraw",
    "claimCredit",
}


def raised_errors() -> set[str]:
    names: set[str] = set()
    for path in CONTRACTS_DIR.glob("*.vy"):
        names |= set(re.findall(r'method_id\("([A-Za-z_]+)\(', path.read_text()))
    return names


def errors_named_in_tests() -> set[str]:
    text = "".join(p.read_text() for p in TESTS_DIR.glob("test_*.py"))
    text += (TESTS_DIR.parent / "test_deploy.py").read_text()
    patterns = (
        r'reverts_with\(\s*"([A-Za-z_]+)"',  # reverts_with("Name", ...)
        r'error_name == "([A-Za-z_]+)"',  # receipt.error_name == "Name"
        r'\},\s*"([A-Za-z_]+)"\)',  # parametrize rows: ({...overrides}, "Name")
    )
    return {name for pattern in patterns for name in re.findall(pattern, text)}


def test_every_revert_path_has_a_test() -> None:
    raised = raised_errors()
    assert len(raised) > 30  # the scan itself works
    missing = raised - UNREACHABLE - errors_named_in_tests()
    assert not missing, f"named errors no test provokes: {sorted(missing)}"


def test_unreachable_list_is_current() -> None:
    """Entries for errors that no longer exist must go (they would hide nothing, but mislead)."""
    calls = {"setAnchorState", "withdraw", "claimCredit"}
    assert UNREACHABLE - calls <= raised_errors()
