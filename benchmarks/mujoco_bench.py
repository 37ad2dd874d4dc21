"""MuJoCo side by side: envfleet, EnvPool and gymnasium's AsyncVectorEnv against the physics limit.

Measures HalfCheetah-v5, Ant-v5 and Humanoid-v5 at 8 and 32 envs, in sync mode and in async mode
(batch_size = num_envs / 2), with envfleet, EnvPool and (sync only) ``gymnasium.make_vec(...,
vectorization_mode="async")``, and the raw physics limit of the same workload in the same run:
``mujoco.mj_step`` x frame_skip over as many datas as the workload has envs, each driven by the
actions the pool's env of that index gets, on one core (a Python loop that only sets the
controls, steps and resets when the task would end the episode) times the threads; for
HalfCheetah, whose episodes never end early, also ``mujoco.rollout`` of the same envs' episodes
on one core times the threads, and on all the threads (the physics' real scaling, which shows
whether the machine was busy). Each row of a workload is
measured in a fresh Python process of its own, so no other library's idle threads or worker
processes share the machine with the one being measured; the rows take turns, one timed run each.
Then writes the MuJoCo section of docs/benchmarks.md (replacing an earlier one) and prints it.

    python benchmarks/mujoco_bench.py [--seconds S] [--repeats R] [--threads N] [--out FILE]

(Not benchmarks/mujoco.py: run as a script, that name would shadow the `mujoco` package.)
"""

from __future__ import annotations

import argparse
import gc
import json
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from envfleet import benchmark
from envfleet.benchmark import raw_limits

TASKS = ("HalfCheetah-v5", "Ant-v5", "Humanoid-v5")
NUM_ENVS = (8, 32)
MODES = ("sync", "async")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
# Steps of one rollout: HalfCheetah's time limit, so a rollout is an episode.
ROLLOUT_STEPS = 1000

# Targets on 2 cores: envfleet over EnvPool, and envfleet's share of the raw limit.
ENVPOOL_TARGETS = {"HalfCheetah-v5": 1.3, "Ant-v5": 1.1}
RAW_LIMIT_SHARE = 0.9


@dataclass
class Row:
    """One measured line of a workload: a library, or a raw limit (`limit` True)."""

    label: str
    threads: int
    measure_once: Callable[[], float] | None = None
    close: Callable[[], object] = lambda: None
    limit: bool = False
    rates: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def rate(self) -> float | None:
        return statistics.median(self.rates) if self.rates else None


# ---- Libraries --------------------------------------------------------------------------------


def _envfleet(task: str, num_envs: int, batch: int, threads: int) -> benchmark.Harness:
    import envfleet

    pool = envfleet.make_gymnasium(
        task, num_envs=num_envs, batch_size=batch, num_threads=threads, seed=benchmark.ENV_SEED
    )
    return benchmark.pool_harness(pool, batch)


def _envpool(task: str, num_envs: int, batch: int, threads: int) -> benchmark.Harness:
    import envpool

    pool = envpool.make_gymnasium(
        task, num_envs=num_envs, batch_size=batch, num_threads=threads, seed=benchmark.ENV_SEED
    )
    return benchmark.pool_harness(pool, batch)


def _gymnasium_async(task: str, num_envs: int, batch: int, threads: int) -> benchmark.Harness:
    import gymnasium

    env = gymnasium.make_vec(task, num_envs=num_envs, vectorization_mode="async")
    env.reset(seed=benchmark.ENV_SEED)
    return benchmark.Harness(
        env.reset, env.step, env.close, env.single_action_space, True, type(env).__name__
    )


LIBRARIES: dict[str, Callable[[str, int, int, int], benchmark.Harness]] = {
    "envfleet": _envfleet,
    "envpool": _envpool,
    "gymnasium AsyncVectorEnv": _gymnasium_async,
}


# ---- The raw limit ------------------------------------------------------------------------------


def _rollout(task: str, num_envs: int, threads: int, seconds: float) -> Callable[[], float]:
    """A measurement of mujoco.rollout: env-steps/s of `num_envs` whole HalfCheetah episodes on
    `threads` threads, episode i driven by the actions the pool's env i gets (each held for
    frame_skip steps)."""
    mujoco = raw_limits.mujoco_without_timer_callback()
    from mujoco import rollout

    model, frame_skip, _ = raw_limits.gymnasium_model(task)
    datas = [mujoco.MjData(model) for _ in range(threads)]
    mujoco.mj_forward(model, datas[0])
    spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    initial = np.empty(mujoco.mj_stateSize(model, spec))
    mujoco.mj_getState(model, datas[0], initial, spec)
    space = raw_limits.control_space(model)
    # The benchmark's cycle of action batches, (steps, envs, nu), as (envs, steps, nu) controls.
    cycle = np.stack(
        benchmark.random_actions(space, num_envs, benchmark.ACTION_POOL, benchmark.ACTION_SEED)
    )
    steps = cycle[np.arange(ROLLOUT_STEPS) % len(cycle)].transpose(1, 0, 2)
    controls = np.repeat(steps.astype(np.float64), frame_skip, axis=1)
    initial_states = np.tile(initial, (num_envs, 1))

    def measure_once() -> float:
        rollout.rollout(model, datas, initial_states, controls)  # warm-up
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            rollout.rollout(model, datas, initial_states, controls)
            calls += 1
        return calls * num_envs * ROLLOUT_STEPS / (time.perf_counter() - start)

    return measure_once


def raw_rows(
    task: str, num_envs: int, batch: int, threads: int, seconds: float, opened: bool
) -> list[Row]:
    """The raw limits of the workload (one core's rate x threads), and rollout on all threads;
    their models are loaded only if `opened` (that imports `mujoco`, whose timer callback would
    slow any other MuJoCo simulation of the process, envfleet's included)."""

    step_harness = raw_limits.mj_step_harness(task, num_envs) if opened else None
    rows = [
        Row(
            f"raw limit: mj_step x frame_skip, {num_envs} datas, 1 core x {threads}",
            threads,
            (lambda: threads * benchmark.measure(step_harness, batch, seconds, 1)[0])
            if step_harness
            else None,
            limit=True,
        )
    ]
    if task.startswith("HalfCheetah"):
        one_core = _rollout(task, num_envs, 1, seconds) if opened else None
        rows.append(
            Row(
                f"raw limit: mujoco.rollout, {num_envs} episodes, 1 core x {threads}",
                threads,
                (lambda: threads * one_core()) if one_core else None,
                limit=True,
            )
        )
        rows.append(
            Row(
                f"mujoco.rollout on {threads} threads",
                threads,
                _rollout(task, num_envs, threads, seconds) if opened else None,
            )
        )
    return rows


# ---- The run -------------------------------------------------------------------------------------


def measure_workload(
    task: str,
    num_envs: int,
    mode: str,
    threads: int,
    seconds: float,
    repeats: int,
    only: int | None = None,
) -> list[Row]:
    """envfleet, its peers and the raw limits on one workload, in turns within each repeat.

    With `only`, just row `only` is opened and measured (-1: none, for the labels alone).
    """
    batch = num_envs if mode == "sync" else num_envs // 2
    threads = min(threads, num_envs)
    rows: list[Row] = []
    for index, (name, opener) in enumerate(LIBRARIES.items()):
        row = Row(name, num_envs if name.startswith("gymnasium") else threads)
        rows.append(row)
        if mode == "async" and name.startswith("gymnasium"):
            row.note = "no batch_size < num_envs mode"
            continue
        if only is not None and index != only:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                harness = opener(task, num_envs, batch, threads)
        except Exception as exc:  # a missing or failing peer is a note, not an error
            row.note = f"not measured: {type(exc).__name__}: {exc}"
            continue
        row.measure_once = lambda h=harness: benchmark.measure(h, batch, seconds, 1)[0]
        row.close = harness.close
    opened = only is None or only >= len(LIBRARIES)
    rows += raw_rows(task, num_envs, batch, threads, seconds, opened)

    measured = [
        row
        for index, row in enumerate(rows)
        if row.measure_once is not None and (only is None or index == only)
    ]
    print(f"{task} x{num_envs} {mode}: {len(measured)} rows", file=sys.stderr, flush=True)
    try:
        for _ in range(repeats):
            for row in measured:
                row.rates.append(row.measure_once())
    finally:
        for row in rows:
            row.close()
        gc.collect()
    return rows


def measure_isolated(
    task: str, num_envs: int, mode: str, threads: int, seconds: float, repeats: int
) -> list[Row]:
    """measure_workload, each row in a fresh Python process of its own, so that no library's
    idle threads or subprocesses share the machine with the one being measured. The rows take
    turns, one timed run per process, so that a slower spell of a shared machine (figures drift
    by 5-15% over minutes) falls on every row of a repeat rather than on one row's runs. Within a
    repeat envfleet runs first and the physics rows right after it, so that each share of the
    raw limit compares runs seconds apart; the peers follow."""
    rows = measure_workload(task, num_envs, mode, threads, seconds, repeats, only=-1)
    # measure_workload lists the libraries (envfleet first), then the physics rows (raw_rows).
    order = [0, *range(len(LIBRARIES), len(rows)), *range(1, len(LIBRARIES))]
    for _ in range(repeats):
        for index in order:
            row = rows[index]
            if row.note:
                continue
            worker_args = [task, str(num_envs), mode, str(index), "--threads", str(threads)]
            worker_args += ["--seconds", str(seconds), "--repeats", "1"]
            result = benchmark.run_in_fresh_process(__file__, worker_args)
            if "error" in result:
                result = {"rates": [], "note": f"not measured: {result['error']}"}
            row.rates += result["rates"]
            row.note = result["note"]
            if row.note:
                row.rates = []
    print(f"{task} x{num_envs} {mode}: done", file=sys.stderr, flush=True)
    return rows


def _share_of_limit(rows: list[Row]) -> float | None:
    """envfleet's rate over the raw limit (the fastest limit row), paired repeat by repeat."""
    ours = rows[0].rates
    limits = [row.rates for row in rows if row.limit and row.rates]
    if not ours or not limits:
        return None
    return statistics.median(
        rate / max(limit[i] for limit in limits) for i, rate in enumerate(ours)
    )


def render_section(
    results: dict[tuple[str, int, str], list[Row]],
    settings: dict[str, Any],
    machine: dict[str, Any],
) -> str:
    """The MuJoCo section of the benchmarks page, between its markers."""
    header = ["workload", "library", "threads", "env-steps/s", "envfleet/this", "note"]
    rows, targets = [], []
    for (task, num_envs, mode), entries in results.items():
        ours = entries[0].rate
        for row in entries:
            ratio = ours / row.rate if ours and row.rate and row is not entries[0] else None
            rows.append(
                [
                    f"{task} x{num_envs} {mode}",
                    row.label,
                    str(row.threads),
                    benchmark.format_rate(row.rate),
                    benchmark.format_ratio(ratio),
                    row.note,
                ]
            )
        share = _share_of_limit(entries)
        verdict = "met" if share is not None and share >= RAW_LIMIT_SHARE else "NOT met"
        label = f"{task} x{num_envs} {mode}"
        targets.append(
            [f"{label}: >= {RAW_LIMIT_SHARE:.0%} of the raw limit", f"{share or 0:.0%}", verdict]
        )
        if task in ENVPOOL_TARGETS and ours and entries[1].rate:
            want, got = ENVPOOL_TARGETS[task], ours / entries[1].rate
            verdict = "met" if got >= want else "NOT met"
            targets.append([f"{label}: >= {want}x EnvPool", benchmark.format_ratio(got), verdict])
    return f"""## MuJoCo throughput

Generated by `benchmarks/mujoco_bench.py`.

Env-steps per second of envfleet, EnvPool and gymnasium's `AsyncVectorEnv` (one subprocess per
env) on the same workloads in the same run, with random actions. Sync mode steps every env each
call; async mode (`batch_size = num_envs / 2`) receives the first half of the envs to finish and
sends them their next actions. Each row is measured alone in a fresh process, {settings["repeats"]}
timed runs of {settings["seconds"]:g} s each, the rows taking turns (one run per process); figures
are medians.

The raw limit is the physics alone, on the same workload: `mujoco.mj_step` x frame_skip over as
many datas of the task's model as the workload has envs, data i driven by the actions the pool's
env i gets, stepped in turn on one core (a Python loop that only sets the controls and resets a
data when the task would end its episode) and, for HalfCheetah (whose episodes never end early),
`mujoco.rollout` of the same envs' whole episodes on one core; each times the threads. A step's
cost depends on the states the actions lead to (a Humanoid step takes 130-290 µs with its
contacts), so the limit runs the workload's own envs and actions rather than one env (docs/mujoco.md
has the figures). Importing the `mujoco` bindings installs a timer callback (`mjcb_time`) that
MuJoCo then calls around every stage of `mj_step`; the limit's process clears it (it costs 6-10%
of a step), and no other row's process imports `mujoco`. The share of the raw limit is envfleet's
rate over the faster limit, repeat by repeat: in each repeat envfleet's run comes first and the
physics rows' runs right after it, then the peers'.
`mujoco.rollout on N threads` is the physics' own scaling on this machine: near N x its one-core
rate on a quiet machine, lower when something else was running.

Where the time goes: in sync mode each thread starts on its own contiguous shard of envs, so an
env's mjData usually stays in one core's cache. A step runs in parts, its frame_skip physics
steps (halves of them for HalfCheetah's Euler integrator): a thread advances its envs one part
each in turn, and a thread done early takes half the envs of the other between two parts (step
costs vary with contacts). The costs beyond the physics are the wait for the other thread's last
part, one hand-off per worker per step (workers spin through the short gap between steps, see
docs/concurrency.md) and the caller's Python work between steps, during which the workers wait.
In async mode any worker takes any env, so an env's mjData moves between cores, and the calling
thread shares the cores with the workers.

{benchmark.markdown_table(header, rows, right={2, 3, 4})}

### Targets (on 2 cores)

{benchmark.markdown_table(["target", "measured", "verdict"], targets, right={1})}

{benchmark.render_method(machine)}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="one timed run (default 1.0)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, median (default 3)")
    parser.add_argument("--threads", type=int, default=0, help="default 0: usable cores")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown page to update")
    parser.add_argument(
        "--worker", nargs=4, metavar=("TASK", "ENVS", "MODE", "ROW"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    threads = args.threads or benchmark.usable_cores()

    # A worker process: measure one row of one workload, print its rates as JSON.
    if args.worker:
        task, num_envs, mode, index = args.worker
        rows = measure_workload(
            task, int(num_envs), mode, threads, args.seconds, args.repeats, only=int(index)
        )
        row = rows[int(index)]
        print(json.dumps({"rates": row.rates, "note": row.note}))
        return 0

    command = shlex.join(
        ["python", "benchmarks/mujoco_bench.py", *(sys.argv[1:] if argv is None else argv)]
    )
    results = {
        (task, n, mode): measure_isolated(task, n, mode, threads, args.seconds, args.repeats)
        for task in TASKS
        for n in NUM_ENVS
        for mode in MODES
    }
    machine = benchmark.describe_machine(command)
    machine["versions"]["mujoco"] = benchmark.version_of("mujoco-core")
    settings = {"seconds": args.seconds, "repeats": args.repeats}
    section = render_section(results, settings, machine)
    benchmark.write_page_section(args.out, "mujoco", section)
    print(section)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
