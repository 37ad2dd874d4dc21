"""The tree is formatted, lint-clean and type-checked: the checks of .pre-commit-config.yaml, and
mypy over the package (configured in pyproject.toml), run in CI. clang-tidy: test_clang_tidy.py."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def tracked(*patterns: str) -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.split()


@pytest.mark.parametrize("tool", ["ruff", "clang-format", "clang-tidy"])
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


@pytest.mark.slow
def test_package_is_mypy_clean():
    # The interpreter running the tests, so that mypy sees the packages envfleet imports.
    result = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
