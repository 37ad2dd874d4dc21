"""Snapshots side by side: envfleet's snapshot() + restore() against the Python loops they replace.

Two workloads, 8 envs each, in one process, rows taking turns (one timed run each, `--repeats`
rounds, the median per row):

- Pong-v5: envfleet's `pool.snapshot()` then `pool.restore(snapshots)` of all 8 envs (bytes that
  hold ALE's system state with its random stream, the frame stack, the env's stream and counters),
  against ale-py's loop over 8 `ALEInterface`s: `state = ale.cloneState(include_rng=True)`,
  `ale.restoreState(state)` (in-memory objects, no bytes, no preprocessing state).
- HalfCheetah-v5: envfleet's snapshot + restore of all 8 envs (MuJoCo's integration state plus the
  kinematics the next reward reads, the env's stream and counters), against MuJoCo's Python loop
  over 8 `MjData`s: `mujoco.mj_getState(m, d, buf, mjSTATE_INTEGRATION)`,
  `mujoco.mj_setState(m, d, buf, mjSTATE_INTEGRATION)` (into a preallocated numpy buffer).

Figures are env snapshot+restore pairs per second. The Python loops are the lower bound of what a
user writes by hand, and do less (no bytes, no random stream of the env, no frame stack, no
kinematics: the MuJoCo loop is not bit-identical for tasks whose reward reads body positions).

    python benchmarks/snapshots.py [--seconds S] [--repeats R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import envfleet

NUM_ENVS = 8


def _rate(work: Callable[[], None], pairs_per_call: int, seconds: float) -> float:
    """Pairs per second of calling `work` for about `seconds`."""
    work()  # warm up
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        work()
        calls += 1
    return calls * pairs_per_call / elapsed


def envfleet_row(task_id: str) -> Callable[[], None]:
    pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=0)
    pool.reset()
    rng = np.random.default_rng(0)
    for _ in range(50):
        pool.step(pool.action_space.sample() if task_id != "Pong-v5" else rng.integers(6, size=8))

    def work() -> None:
        pool.restore(pool.snapshot())

    return work


def ale_row() -> Callable[[], None]:
    import ale_py
    from ale_py import roms

    ales = []
    for seed in range(NUM_ENVS):
        ale = ale_py.ALEInterface()
        ale.setInt("random_seed", seed)
        ale.setFloat("repeat_action_probability", 0.25)
        ale.loadROM(roms.get_rom_path("pong"))
        for _ in range(200):
            ale.act(ale.getMinimalActionSet()[seed % 3])
        ales.append(ale)

    def work() -> None:
        for ale in ales:
            state = ale.cloneState(include_rng=True)
            ale.restoreState(state)

    return work


def mujoco_row() -> Callable[[], None]:
    import gymnasium
    import mujoco

    xml = Path(gymnasium.__file__).parent / "envs" / "mujoco" / "assets" / "half_cheetah.xml"
    model = mujoco.MjModel.from_xml_path(str(xml))
    spec = mujoco.mjtState.mjSTATE_INTEGRATION
    datas = []
    for _ in range(NUM_ENVS):
        data = mujoco.MjData(model)
        mujoco.mj_step(model, data, 50)
        datas.append(data)
    buffer = np.empty(mujoco.mj_stateSize(model, spec))

    def work() -> None:
        for data in datas:
            mujoco.mj_getState(model, data, buffer, spec)
            mujoco.mj_setState(model, data, buffer, spec)

    return work


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="per timed run")
    parser.add_argument("--repeats", type=int, default=5, help="rounds of every row")
    args = parser.parse_args()

    rows = {
        ("Pong-v5", "envfleet snapshot()+restore()"): envfleet_row("Pong-v5"),
        ("Pong-v5", "ale-py cloneState/restoreState loop"): ale_row(),
        ("HalfCheetah-v5", "envfleet snapshot()+restore()"): envfleet_row("HalfCheetah-v5"),
        ("HalfCheetah-v5", "mujoco mj_getState/mj_setState loop"): mujoco_row(),
    }
    rates: dict[tuple[str, str], list[float]] = {key: [] for key in rows}
    for _ in range(args.repeats):
        for key, work in rows.items():
            rates[key].append(_rate(work, NUM_ENVS, args.seconds))

    print(f"load average {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs")
    print(f"| task ({NUM_ENVS} envs) | method | snapshot+restore pairs/s (median) | ratio |")
    print("|---|---|---|---|")
    baseline: dict[str, float] = {}
    for (task, method), values in rates.items():
        median = statistics.median(values)
        if method.startswith("envfleet"):
            baseline[task] = median
            ratio = "1.00"
        else:
            ratio = f"envfleet {baseline[task] / median:.2f}x"
        print(f"| {task} | {method} | {median:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
