"""The training-loop benchmark's report: ratios to EnvPool and shares of a fair share, computed
from the rows it is given (no timing is asserted here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "training_loop.py"


@pytest.fixture(scope="module")
def training_loop():
    spec = importlib.util.spec_from_file_location("training_loop", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["training_loop"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules["training_loop"]


def cells(table: str) -> dict[tuple[str, str, str], list[str]]:
    """The body rows of a Markdown table, keyed by (workload, busy, library)."""
    rows = [
        [c.strip() for c in line.strip().strip("|").split("|")]
        for line in table.splitlines()
        if line.startswith("|")
    ]
    return {(r[0], r[1], r[2]): r for r in rows[2:]}


def test_load_table_gives_ratios_to_envpool_and_shares_of_a_fair_share(training_loop):
    row = training_loop.Row
    rows = [
        row("load", "Pong-v5 x8 sync", "envfleet", 0, [8000.0, 7000.0, 9000.0]),
        row("load", "Pong-v5 x8 sync", "envpool", 0, [4000.0]),
        row("load", "Pong-v5 x8 sync", "envfleet", 2, [3200.0]),
        row("load", "Pong-v5 x8 sync", "envpool", 2, [1600.0]),
    ]
    table = cells(training_loop.load_table(rows, cores=2))
    # Idle: the median of the runs, twice EnvPool's; no fair share without busy processes.
    assert table[("Pong-v5 x8 sync", "0", "envfleet")][3:] == ["8.0 k", "2.00x", ""]
    # Two busy processes on 2 cores leave half the machine: 3200 / (8000 * 0.5) = 80%.
    assert table[("Pong-v5 x8 sync", "2", "envfleet")][3:] == ["3.2 k", "2.00x", "80%"]
    # EnvPool's own rows carry its share, not a ratio to itself: 1600 / (4000 * 0.5).
    assert table[("Pong-v5 x8 sync", "2", "envpool")][4:] == ["", "80%"]


def test_rounds_rotate_so_no_library_always_runs_first(training_loop):
    names = ["envfleet", "envpool", "ale_py"]
    firsts = {training_loop.rotated(names, r)[0] for r in range(3)}
    assert firsts == set(names)
    assert sorted(training_loop.rotated(names, 4)) == sorted(names)
