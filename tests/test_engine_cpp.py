"""Builds the engine's C++ tests with CMake and runs them, plainly and under ThreadSanitizer.

The engine is tested without Python here: tests/cpp links only cpp/envfleet/core and the test
envs. Build trees live under build/cpp-tests-* (reused between runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def build_and_run(name: str, *cmake_args: str) -> str:
    if shutil.which("cmake") is None:
        pytest.fail("cmake is required for the engine tests (pip install '.[test]')")
    build = ROOT / "build" / f"cpp-tests-{name}"
    generator = ["-G", "Ninja"] if shutil.which("ninja") else []
    subprocess.run(
        [
            "cmake",
            "-S",
            str(ROOT),
            "-B",
            str(build),
            *generator,
            "-DENVFLEET_BUILD_TESTS=ON",
            "-DENVFLEET_BUILD_PYTHON=OFF",
            *cmake_args,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    subprocess.run(
        [
            "cmake",
            "--build",
            str(build),
            "--target",
            "engine_tests",
            "-j",
            str(os.cpu_count() or 1),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result = subprocess.run(
        [str(build / "tests" / "cpp" / "engine_tests")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TSAN_OPTIONS": "halt_on_error=1 second_deadlock_stack=1"},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    return output


def test_engine_tests_pass():
    # Warnings fail the build here, as in the Python build (pyproject.toml's cmake.define).
    output = build_and_run("release", "-DENVFLEET_WARNINGS_AS_ERRORS=ON")
    assert " 0 failed" in output and "[ FAIL ]" not in output


@pytest.mark.tsan
def test_engine_tests_are_clean_under_thread_sanitizer():
    output = build_and_run("tsan", "-DENVFLEET_SANITIZER=thread")
    assert "ThreadSanitizer" not in output, output
    assert " 0 failed" in output
