"""MuJoCo side by side: envfleet, EnvPool and gymnasium's AsyncVectorEnv against the physics limit.

Measures HalfCheetah-v5, Ant-v5 and Humanoid-v5 at 8 and 32 envs, in sync mode and in async mode
(batch_size = num_envs / 2), with envfleet, EnvPool and (sync only) ``gymnasium.make_vec(...,
vectorization_mode="async")``, and the raw physics limit of the same model on the same machine:
``mujoco.mj_step`` x frame_skip on one core (a Python loop that only sets the controls, steps and
resets when the task would end the episode), times the threads; for HalfCheetah, whose episodes
never end early, also ``mujoco.rollout`` on one core and on all threads. Libraries are measured in
turns within each repeat, so a slow spell of the machine hits all of them alike. Then writes the
MuJoCo section of the benchmarks page (replacing an earlier one) and prints it.

    python benchmarks/mujoco_bench.py [--seconds S] [--repeats R] [--threads N] [--out FILE]

(Not benchmarks/mujoco.py: run as a script, that name would shadow the `mujoco` package.)
"""

from __future__ import annotations

import argparse
import gc
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

TASKS = ("HalfCheetah-v5", "Ant-v5", "Humanoid-v5")
NUM_ENVS = (8, 32)
MODES = ("sync", "async")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BEGIN = "<!-- benchmarks/mujoco_bench.py: begin -->"
END = "<!-- benchmarks/mujoco_bench.py: end -->"
# Episodes of rollout's HalfCheetah run: its time limit.
ROLLOUT_STEPS = 1000

# Target ratios of envfleet over EnvPool (on 2 cores), and the share of the raw limit.
ENVPOOL_TARGETS = {"HalfCheetah-v5": 1.3, "Ant-v5": 1.1}
RAW_LIMIT_SHARE = 0.9


@dataclass
class Row:
    """One library on one workload: its timed runs."""

    label: str
    threads: int
    rates: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def rate(self) -> float | None:
        return statistics.median(self.rates) if self.rates else None


# ---- Harnesses: (num_envs, batch, threads) -> (harness, env-steps per harness step) ----------


def _pool_harness(pool: Any, batch: int) -> benchmark.Harness:
    """Sync: one step of every env. Async: receive the first `batch` envs, send them actions."""
    if batch == pool.num_envs:
        return benchmark.Harness(
            pool.reset, pool.step, pool.close, pool.single_action_space, True, type(pool).__name__
        )

    def step(actions: np.ndarray) -> None:
        info = pool.recv()[4]
        pool.send(actions, info["env_id"])

    # The first reset fills the pipeline; later timed runs continue with every env in flight.
    started = []

    def reset() -> None:
        if not started:
            pool.async_reset()
            started.append(True)

    return benchmark.Harness(
        reset, step, pool.close, pool.single_action_space, True, type(pool).__name__
    )


def _envfleet(task: str, num_envs: int, batch: int, threads: int) -> benchmark.Harness:
    import envfleet

    pool = envfleet.make_gymnasium(
        task, num_envs=num_envs, batch_size=batch, num_threads=threads, seed=benchmark.ENV_SEED
    )
    return _pool_harness(pool, batch)


def _envpool(task: str, num_envs: int, batch: int, threads: int) -> benchmark.Harness:
    import envpool

    pool = envpool.make_gymnasium(
        task, num_envs=num_envs, batch_size=batch, num_threads=threads, seed=benchmark.ENV_SEED
    )
    return _pool_harness(pool, batch)


def _gymnasium_async(task: str, num_envs: int, batch: int, threads: int) -> benchmark.Harness:
    import gymnasium

    env = gymnasium.make_vec(task, num_envs=num_envs, vectorization_mode="async")
    env.reset(seed=benchmark.ENV_SEED)
    return benchmark.Harness(
        env.reset, env.step, env.close, env.single_action_space, True, type(env).__name__
    )


# ---- The raw limit ------------------------------------------------------------------------------


def _gymnasium_model(task: str) -> tuple[Any, int, Callable[[Any], bool]]:
    """(MjModel, frame_skip, ends(data)) of the task: Gymnasium's model, and when the task would
    end the episode (unhealthy torso height; never for HalfCheetah)."""
    import gymnasium

    env = gymnasium.make(task).unwrapped
    if task.startswith("Ant"):
        low, high = env._healthy_z_range
        return env.model, env.frame_skip, lambda d: not (low <= d.qpos[2] <= high)
    if task.startswith("Humanoid"):
        low, high = env._healthy_z_range
        return env.model, env.frame_skip, lambda d: not (low < d.qpos[2] < high)
    return env.model, env.frame_skip, lambda d: False


def _raw_step_harness(task: str) -> benchmark.Harness:
    """One env's physics only: ctrl = action, mj_step x frame_skip, reset when the episode ends."""
    import gymnasium
    import mujoco

    model, frame_skip, ends = _gymnasium_model(task)
    data = mujoco.MjData(model)

    def reset() -> None:
        mujoco.mj_resetData(model, data)
        mujoco.mj_forward(model, data)

    def step(action: np.ndarray) -> None:
        data.ctrl[:] = action
        mujoco.mj_step(model, data, frame_skip)
        if ends(data):
            reset()

    low, high = model.actuator_ctrlrange.T.astype(np.float32)
    space = gymnasium.spaces.Box(low, high, dtype=np.float32)
    return benchmark.Harness(reset, step, lambda: None, space, False, "mj_step")


def _rollout_rate(task: str, threads: int, seconds: float) -> float:
    """Env-steps/s of mujoco.rollout running whole HalfCheetah episodes (random controls held for
    frame_skip steps), `threads` episodes at a time on `threads` threads."""
    import mujoco
    from mujoco import rollout

    model, frame_skip, _ = _gymnasium_model(task)
    datas = [mujoco.MjData(model) for _ in range(threads)]
    mujoco.mj_forward(model, datas[0])
    state_spec = mujoco.mjtState.mjSTATE_FULLPHYSICS
    initial = np.empty(mujoco.mj_stateSize(model, state_spec))
    mujoco.mj_getState(model, datas[0], initial, state_spec)
    rng = np.random.default_rng(benchmark.ACTION_SEED)
    low, high = model.actuator_ctrlrange.T
    controls = rng.uniform(low, high, size=(threads, ROLLOUT_STEPS, model.nu))
    controls = np.repeat(controls, frame_skip, axis=1)
    initial_states = np.tile(initial, (threads, 1))

    def run() -> None:
        rollout.rollout(model, datas, initial_states, controls, persistent_pool=True)

    run()  # warm-up
    episodes, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        run()
        episodes += threads
    return episodes * ROLLOUT_STEPS / (time.perf_counter() - start)


# ---- The run -------------------------------------------------------------------------------------

OPENERS: dict[str, Callable[[str, int, int, int], benchmark.Harness]] = {
    "envfleet": _envfleet,
    "envpool": _envpool,
    "gymnasium AsyncVectorEnv": _gymnasium_async,
}


def measure_workload(
    task: str, num_envs: int, mode: str, threads: int, seconds: float, repeats: int
) -> list[Row]:
    """envfleet and its peers on one workload, in turns within each repeat."""
    batch = num_envs if mode == "sync" else num_envs // 2
    threads = min(threads, num_envs)
    rows: list[Row] = []
    harnesses: list[tuple[Row, benchmark.Harness]] = []
    for name, opener in OPENERS.items():
        row = Row(name, threads if name != "gymnasium AsyncVectorEnv" else num_envs)
        rows.append(row)
        if mode == "async" and name == "gymnasium AsyncVectorEnv":
            row.note = "no batch_size < num_envs mode"
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                harnesses.append((row, opener(task, num_envs, batch, threads)))
        except Exception as exc:  # a missing or failing peer is a note, not an error
            row.note = f"not measured: {type(exc).__name__}: {exc}"
    print(f"{task} x{num_envs} {mode}: {', '.join(r.label for r, _ in harnesses)}", file=sys.stderr)
    try:
        for _ in range(repeats):
            for row, harness in harnesses:
                row.rates += benchmark.measure(harness, batch, seconds, 1)
    finally:
        for _, harness in harnesses:
            harness.close()
        gc.collect()
    return rows


def raw_limits(task: str, threads: int, seconds: float, repeats: int) -> dict[str, float]:
    """One core's mj_step rate (and rollout's, for HalfCheetah), and the limit for `threads`."""
    step_rate = statistics.median(benchmark.measure(_raw_step_harness(task), 1, seconds, repeats))
    limits = {"mj_step x frame_skip, 1 core": step_rate}
    if task.startswith("HalfCheetah"):
        limits["mujoco.rollout, 1 core"] = _rollout_rate(task, 1, seconds)
        limits[f"mujoco.rollout, {threads} threads"] = _rollout_rate(task, threads, seconds)
    limits["limit"] = max(step_rate, limits.get("mujoco.rollout, 1 core", 0.0)) * threads
    return limits


def render_section(
    results: dict[tuple[str, int, str], list[Row]],
    limits: dict[str, dict[str, float]],
    settings: dict[str, Any],
    machine: dict[str, Any],
) -> str:
    """The MuJoCo section of the benchmarks page, between its markers."""
    header = ["workload", "library", "threads", "env-steps/s", "envfleet/peer", "note"]
    rows, targets = [], []
    for (task, num_envs, mode), entries in results.items():
        ours = entries[0].rate
        limit = limits[task]["limit"] * min(settings["threads"], num_envs) / settings["threads"]
        for row in entries:
            ratio = ours / row.rate if ours and row.rate and row is not entries[0] else None
            note = row.note or (f"{ours / limit:.0%} of the raw limit" if row is entries[0] else "")
            rows.append(
                [
                    f"{task} x{num_envs} {mode}",
                    row.label,
                    str(row.threads),
                    benchmark.format_rate(row.rate),
                    benchmark.format_ratio(ratio),
                    note,
                ]
            )
        targets.append(
            [
                f"{task} x{num_envs} {mode}: >= {RAW_LIMIT_SHARE:.0%} of the raw limit",
                f"{ours / limit:.0%}" if ours else "-",
                "met" if ours and ours >= RAW_LIMIT_SHARE * limit else "NOT met",
            ]
        )
        if task in ENVPOOL_TARGETS and entries[1].rate:
            want = ENVPOOL_TARGETS[task]
            got = ours / entries[1].rate if ours else 0.0
            targets.append(
                [
                    f"{task} x{num_envs} {mode}: >= {want}x EnvPool",
                    benchmark.format_ratio(got),
                    "met" if got >= want else "NOT met",
                ]
            )
    raw_rows = [
        [task, what, benchmark.format_rate(rate)]
        for task, entries in limits.items()
        for what, rate in entries.items()
        if what != "limit"
    ]
    return f"""{BEGIN}
## MuJoCo throughput

Generated by `benchmarks/mujoco_bench.py`; do not edit by hand, run it again.

Env-steps per second of envfleet, EnvPool and gymnasium's `AsyncVectorEnv` (one subprocess per
env) on the same workloads in the same run, with random actions. Sync mode steps every env each
call; async mode (`batch_size = num_envs / 2`) receives the first half of the envs to finish and
sends them their next actions. The libraries are measured in turns, {settings["repeats"]} timed
runs of {settings["seconds"]:g} s each; figures are medians.

The raw limit is the physics alone: `mujoco.mj_step` x frame_skip on one core for the same model
(a Python loop that only sets the controls and resets the model when the task would end the
episode) or, where it applies, `mujoco.rollout` (HalfCheetah: whole episodes, which never end
early), whichever is faster, times the threads.

{benchmark.markdown_table(header, rows, right={2, 3, 4})}

Raw physics rates (env-steps/s):

{benchmark.markdown_table(["task", "measure", "env-steps/s"], raw_rows, right={2})}

### Targets (on 2 cores)

{benchmark.markdown_table(["target", "measured", "verdict"], targets, right={1})}

### How this was measured

```
{machine["command"]}
```

{benchmark.render_machine(machine)}
{END}
"""


def write_section(path: Path, section: str) -> None:
    """Replaces the page's MuJoCo section, or appends it."""
    page = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in page and END in page:
        head, rest = page.split(BEGIN, 1)
        page = head + section.rstrip("\n") + rest.split(END, 1)[1]
    else:
        page = page.rstrip("\n") + ("\n\n" if page else "") + section
    path.write_text(page, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="one timed run (default 1.0)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs, median (default 5)")
    parser.add_argument("--threads", type=int, default=0, help="default 0: usable cores")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown page to update")
    args = parser.parse_args(argv)

    command = shlex.join(
        ["python", "benchmarks/mujoco_bench.py", *(sys.argv[1:] if argv is None else argv)]
    )
    threads = args.threads or benchmark.usable_cores()
    settings = {"seconds": args.seconds, "repeats": args.repeats, "threads": threads}
    limits = {task: raw_limits(task, threads, args.seconds, args.repeats) for task in TASKS}
    results = {
        (task, n, mode): measure_workload(task, n, mode, threads, args.seconds, args.repeats)
        for task in TASKS
        for n in NUM_ENVS
        for mode in MODES
    }
    machine = benchmark.describe_machine(command)
    machine["versions"]["mujoco"] = benchmark.version_of("mujoco-core")
    section = render_section(results, limits, settings, machine)
    write_section(args.out, section)
    print(section)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
