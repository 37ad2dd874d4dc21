"""DeepMind Control Suite side by side: envfleet, EnvPool and dm_control against the physics limit.

Measures CheetahRun-v1, WalkerWalk-v1 and HumanoidRun-v1 at 8 and 32 envs, in sync mode and in
async mode (batch_size = num_envs / 2), with envfleet, EnvPool (which ships these ids) and, in
sync mode, dm_control's own environments (``suite.load``) stepped one after another in a Python
loop on one core; and the raw physics limit of the same workload in the same run: the suite's
model, ``ctrl = action`` then ``mj_step`` x n_sub_steps plus the ``mj_step1`` dm_control's legacy
step ends with, over as many datas as the workload has envs, driven by the actions the pool's env
of that index gets, on one core (a Python loop, without the timer callback the ``mujoco``
bindings install) times the threads; a data is reset every 1000 steps, as the episodes end.
Every timed run is one fresh Python process (so no library's threads or timer callback share the
process with another's); the rows take turns, one run each, and each figure is the median.
Then writes the Control Suite section of docs/benchmarks.md (replacing an earlier one) and prints
it.

    python benchmarks/dm_control_bench.py [--seconds S] [--repeats R] [--threads N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
from pathlib import Path
from typing import Any

import numpy as np

from envfleet import benchmark
from envfleet.benchmark import page, process, raw_limits
from envfleet.benchmark.harness import Harness
from envfleet.benchmark.measure import measure

TASKS = ("CheetahRun-v1", "WalkerWalk-v1", "HumanoidRun-v1")
NUM_ENVS = (8, 32)
MODES = ("sync", "async")
ROWS = ("envfleet", "envpool", "dm_control loop", "raw limit")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
# The targets on 2 cores.
ENVPOOL_TARGET = 1.5
RAW_LIMIT_SHARE = 0.9


def _pool(module: Any, task: str, num_envs: int, batch: int, threads: int) -> Harness:
    pool = module.make_gymnasium(
        task, num_envs=num_envs, batch_size=batch, num_threads=threads, seed=benchmark.ENV_SEED
    )
    return benchmark.pool_harness(pool, batch)


def _dm_control_loop(task: str, num_envs: int) -> Harness:
    import gymnasium

    from envfleet.dm_control_tasks import DOMAIN_TASK

    os.environ.setdefault("MUJOCO_GL", "disable")
    from dm_control import suite

    domain, name = DOMAIN_TASK[task]
    envs = [
        suite.load(domain, name, task_kwargs={"random": benchmark.ENV_SEED + i})
        for i in range(num_envs)
    ]
    spec = envs[0].action_spec()
    space = gymnasium.spaces.Box(spec.minimum, spec.maximum, dtype=np.float64)

    def reset() -> None:
        for env in envs:
            env.reset()

    def step(actions: Any) -> None:
        for env, action in zip(envs, actions, strict=True):
            if env.step(action).last():
                env.reset()

    return Harness(reset, step, lambda: None, space, True, "dm_control.rl.control.Environment")


def _raw_limit(task: str, num_envs: int, threads: int) -> Harness:
    import gymnasium

    from envfleet.dm_control_tasks import DOMAIN_TASK

    mujoco = raw_limits.mujoco_without_timer_callback()
    os.environ.setdefault("MUJOCO_GL", "disable")
    from dm_control import suite

    domain, name = DOMAIN_TASK[task]
    env = suite.load(domain, name)
    model = env.physics.model._model
    n_sub_steps = env._n_sub_steps
    datas = [mujoco.MjData(model) for _ in range(num_envs)]
    steps = [0] * num_envs
    position = [0]

    def reset() -> None:
        for data in datas:
            mujoco.mj_resetData(model, data)
            mujoco.mj_forward(model, data)

    def step(actions: Any) -> None:
        # The next len(actions) datas in turn, as an async pool steps `batch` envs per call.
        for action in actions:
            i = position[0]
            data = datas[i]
            data.ctrl[:] = action
            mujoco.mj_step(model, data, n_sub_steps)
            mujoco.mj_step1(model, data)
            steps[i] += 1
            if steps[i] == 1000:
                steps[i] = 0
                mujoco.mj_resetData(model, data)
                mujoco.mj_forward(model, data)
            position[0] = (i + 1) % num_envs

    low = np.where(model.actuator_ctrllimited, model.actuator_ctrlrange[:, 0], -1.0)
    high = np.where(model.actuator_ctrllimited, model.actuator_ctrlrange[:, 1], 1.0)
    space = gymnasium.spaces.Box(low, high, dtype=np.float64)
    return Harness(reset, step, lambda: None, space, True, "mj_step", cores=threads)


def worker(task: str, num_envs: int, mode: str, row: str, seconds: float, threads: int) -> dict:
    """One timed run of one row, in this (fresh) process."""
    batch = num_envs if mode == "sync" else num_envs // 2
    if row == "envfleet":
        import envfleet

        harness = _pool(envfleet, task, num_envs, batch, threads)
    elif row == "envpool":
        import envpool

        harness = _pool(envpool, task, num_envs, batch, threads)
    elif row == "dm_control loop":
        harness = _dm_control_loop(task, num_envs)
    else:
        harness = _raw_limit(task, num_envs, threads)
    rate = measure(harness, batch, seconds, 1)[0]
    harness.close()
    return {"rate": rate}


def _applies(row: str, mode: str) -> bool:
    return not (mode == "async" and row == "dm_control loop")


def _threads(row: str, requested: int, num_envs: int) -> int:
    if row == "dm_control loop":
        return 1
    return min(requested or benchmark.usable_cores(), num_envs)


def _format(rate: float | None) -> str:
    return "-" if rate is None else f"{rate / 1000:.1f} k"


def render_section(results: dict, args: argparse.Namespace, command: str) -> str:
    lines = [
        "## DeepMind Control Suite",
        "",
        "Generated by `benchmarks/dm_control_bench.py`: env-steps/s (steps of all envs together "
        "per second), the median of the timed runs, each a fresh process, the rows taking turns. "
        "`envfleet/peer`: envfleet's rate over the row's; `% of limit`: envfleet's share of the "
        "raw physics limit (the suite's model, `mj_step` x n_sub_steps + `mj_step1`, one core "
        "times the threads). Async: batch_size = num_envs / 2. Targets on 2 cores: "
        f"{ENVPOOL_TARGET}x EnvPool and {RAW_LIMIT_SHARE:.0%} of the raw limit.",
        "",
        "| workload | mode | row | threads | env-steps/s | envfleet/peer | % of limit |",
        "|---|---|---|--:|--:|--:|--:|",
    ]
    for (task, num_envs, mode), rows in results.items():
        ours = rows.get("envfleet", {}).get("rate")
        limit = rows.get("raw limit", {}).get("rate")
        for row, entry in rows.items():
            rate = entry.get("rate")
            ratio = (
                f"{ours / rate:.2f}x"
                if ours and rate and row not in ("envfleet", "raw limit")
                else ""
            )
            share = f"{ours / limit:.0%}" if row == "envfleet" and ours and limit else ""
            note = entry.get("error", "")
            lines.append(
                f"| {task} x{num_envs} | {mode} | {row} | {entry['threads']} | "
                f"{_format(rate) if rate else '- ' + note} | {ratio} | {share} |"
            )
    load = os.getloadavg()[0]
    lines += [
        "",
        f"Machine: {benchmark.usable_cores()} usable cores; 1-minute load average "
        f"{load:.1f} when the run ended (other processes on the machine lower the figures).",
        "",
        "```",
        command,
        "```",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="one timed run (default 1.0)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, median (default 3)")
    parser.add_argument("--threads", type=int, default=0, help="default 0: usable cores")
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated ids")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown page to update")
    parser.add_argument("--worker", nargs=4, metavar=("TASK", "ENVS", "MODE", "ROW"))
    args = parser.parse_args(argv)

    if args.worker:
        task, num_envs, mode, row = args.worker
        print(json.dumps(worker(task, int(num_envs), mode, row, args.seconds, args.threads)))
        return 0

    results: dict = {}
    for task in args.tasks.split(","):
        for num_envs in NUM_ENVS:
            for mode in MODES:
                rows = [row for row in ROWS if _applies(row, mode)]
                rates: dict[str, list[float]] = {row: [] for row in rows}
                errors: dict[str, str] = {}
                for _ in range(args.repeats):
                    for row in rows:
                        threads = _threads(row, args.threads, num_envs)
                        out = process.run_json_command(
                            [
                                sys.executable,
                                __file__,
                                "--seconds",
                                str(args.seconds),
                                "--threads",
                                str(threads),
                                "--worker",
                                task,
                                str(num_envs),
                                mode,
                                row,
                            ]
                        )
                        if "rate" in out:
                            rates[row].append(out["rate"])
                        else:
                            errors[row] = out.get("error", "failed")
                results[(task, num_envs, mode)] = {
                    row: {
                        "rate": statistics.median(rates[row]) if rates[row] else None,
                        "threads": _threads(row, args.threads, num_envs),
                        **({"error": errors[row]} if row in errors else {}),
                    }
                    for row in rows
                }
                print(
                    task,
                    num_envs,
                    mode,
                    {r: _format(v["rate"]) for r, v in results[(task, num_envs, mode)].items()},
                    flush=True,
                )
    command = "python benchmarks/dm_control_bench.py " + shlex.join(
        sys.argv[1:] if argv is None else argv
    )
    section = render_section(results, args, command.strip())
    page.write_page_section(args.out, "dm_control", section)
    print(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
