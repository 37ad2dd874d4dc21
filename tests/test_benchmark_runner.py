"""envfleet.benchmark's runner: measurements in fresh processes (the worker, which nothing imports)
and libraries taking turns. They check what was measured and in which order, never how fast."""

from __future__ import annotations

import subprocess
import sys

import pytest

from envfleet import benchmark
from envfleet.benchmark.tasks import Workload, task_of

# One timed run of 20 ms per measurement.
SECONDS = 0.02


def test_the_worker_is_a_leaf_that_nothing_in_the_package_imports() -> None:
    modules = [
        "harness",
        "libraries",
        "load",
        "measure",
        "page",
        "process",
        "raw_limits",
        "report",
        "runner",
        "tasks",
    ]
    code = (
        "import sys, envfleet.benchmark\n"
        + "".join(f"import envfleet.benchmark.{m}\n" for m in modules)
        + "print('envfleet.benchmark.worker' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_measurement_in_a_fresh_process_comes_back_into_its_result() -> None:
    result = benchmark.Result("CartPole-v1", 2, 2, "envfleet", threads=1)
    assert benchmark.measure_in_fresh_process(result, SECONDS, 2) is None
    assert len(result.rates) == 2 and all(rate > 0 for rate in result.rates)
    assert result.impl and result.open_seconds is not None and not result.failed


def test_a_worker_that_dies_is_a_failed_result() -> None:
    result = benchmark.Result("CartPole-v1", 2, 2, "no-such-library", threads=1)
    error = benchmark.measure_in_fresh_process(result, SECONDS, 1)
    assert isinstance(error, RuntimeError)
    assert result.failed and result.skipped.startswith("failed: worker died: KeyError")


def test_libraries_take_turns_envfleet_then_the_limits_then_the_peers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # HalfCheetah has both raw limits (mj_step and rollout) and the rollout on the threads.
    workload = Workload(task_of("HalfCheetah-v5"), 2, 2)
    peers = benchmark.select_peers("rollout,raw limit,rollout limit")
    report = benchmark.run([workload], peers, seconds=SECONDS, repeats=2, turns=True)
    order = ["envfleet", "raw limit", "rollout limit", "rollout"]
    labels = [line.split(": ", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert labels == order + order
    # The results keep the order of the peers asked for; each has one rate per round.
    assert [r.library for r in report.results] == [
        "envfleet",
        "rollout",
        "raw limit",
        "rollout limit",
    ]
    assert all(len(r.rates) == 2 and not r.failed for r in report.results)
    assert report.ratio(report.find("HalfCheetah-v5", 2, None, "rollout limit")) is not None
