"""The tree is formatted and lint-clean: the checks of .pre-commit-config.yaml, run in CI."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tracked(*patterns: str) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


@pytest.mark.parametrize("tool", ["ruff", "clang-format"])
def test_tool_is_installed(tool):
    assert shutil.which(tool), f"{tool} is part of the test extra: pip install '.[test]'"


def test_cpp_is_clang_formatted():
    files = tracked("*.h", "*.cc")
    result = subprocess.run(
        ["clang-format", "--dry-run", "--Werror", *files], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_python_is_ruff_clean_and_formatted():
    files = tracked("*.py", "*.pyi")
    lint = subprocess.run(["ruff", "check", *files], cwd=ROOT, capture_output=True, text=True)
    assert lint.returncode == 0, lint.stdout[-3000:]
    fmt = subprocess.run(
        ["ruff", "format", "--check", *files], cwd=ROOT, capture_output=True, text=True
    )
    assert fmt.returncode == 0, fmt.stdout[-3000:]
