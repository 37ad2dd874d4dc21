"""The shipped .pyi stubs match the extension modules (mypy's stubtest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ALLOWLIST = Path(__file__).with_name("stubtest_allowlist.txt")


def test_stubs_match_the_extension_modules():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy.stubtest",
            "envfleet._classic_control",
            "envfleet._toy_text",
            "envfleet._box2d",
            "envfleet._testing",
            "envfleet._atari",
            "envfleet._mujoco",
            "envfleet._dm_control",
            "--allowlist",
            str(ALLOWLIST),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
