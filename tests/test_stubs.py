"""The shipped .pyi stubs match the extension modules (mypy's stubtest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envfleet import registry

pytestmark = pytest.mark.slow  # runs stubtest over every extension module

ALLOWLIST = Path(__file__).with_name("stubtest_allowlist.txt")

# stubtest imports the modules itself: each family's libraries are loaded first, as envfleet's
# own imports do (registry.import_family), then stubtest runs with the rest of the command line.
STUBTEST = """
import sys
from envfleet import registry
for family in sys.argv[1].split(","):
    registry.import_family(family)
from mypy import stubtest
sys.exit(stubtest.test_stubs(stubtest.parse_options(sys.argv[2:])))
"""


def test_stubs_match_the_extension_modules():
    families = [*registry.families(), *registry.internal_families()]
    modules = [f"envfleet._{family}" for family in families]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            STUBTEST,
            ",".join(families),
            *modules,
            "--allowlist",
            str(ALLOWLIST),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
