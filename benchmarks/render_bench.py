"""Rendering side by side: envfleet, EnvPool and Gymnasium's vector envs.

Two workloads, 8 envs each, in sync mode:

- ``render()`` of every env, once per call, for one task of each family (CartPole-v1, Pendulum-v1,
  Pong-v5, HalfCheetah-v5 at Gymnasium's 480x480), in pictures per second. Peers: EnvPool's
  ``render(env_ids=...)`` and ``gymnasium.make_vec(..., vectorization_mode="sync",
  render_mode="rgb_array").render()`` (Atari: ale-py's ``ALE/Pong-v5``).
- HalfCheetah-v5 with 84x84 pixel observations, in env steps per second: envfleet's
  ``from_pixels=True, width=84, height=84``; Gymnasium's sync vector env with
  ``AddRenderObservation(render_only=True)`` around each env (``width=84, height=84``). EnvPool has
  no pixel observations and renders MuJoCo only at 480x480: its row is a step, then ``render()`` of
  every env, then ``cv2.resize`` to 84x84 (INTER_AREA), what a user of it would do.

Every measurement runs in a fresh Python process (so no library's threads or imports share the
machine with another's), the rows of a workload take turns, one timed run each, and each row's
figure is the median of its runs. Rendering is headless: MUJOCO_GL=egl for Gymnasium; EnvPool
renders MuJoCo on the calling thread in a GL context the worker makes with MuJoCo's Python
bindings. Then writes the rendering section of docs/benchmarks.md (replacing an earlier one).

    python benchmarks/render_bench.py [--seconds S] [--repeats R] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

NUM_ENVS = 8
RENDER_TASKS = ("CartPole-v1", "Pendulum-v1", "Pong-v5", "HalfCheetah-v5")
LIBRARIES = ("envfleet", "envpool", "gymnasium")
PIXEL_SIZE = 84
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
# Targets on 2 cores for pixel HalfCheetah: envfleet over EnvPool and over Gymnasium.
TARGETS = {"envpool": 1.5, "gymnasium": 3.0}


# ---- Workers: one measurement in this process ----------------------------------------------------


def _gymnasium_id(task_id: str) -> str:
    if task_id == "Pong-v5":
        import ale_py
        import gymnasium

        gymnasium.register_envs(ale_py)
        return "ALE/Pong-v5"
    return task_id


def _make_renderer(library: str, task_id: str) -> tuple[Any, Any]:
    """(render(), close()) of 8 envs of `task_id` with `library`, reset."""
    if library == "envfleet":
        import envfleet

        pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=0)
        pool.reset()
        return pool.render, pool.close
    if library == "envpool":
        import envpool

        if task_id == "HalfCheetah-v5":
            from mujoco.egl import GLContext

            context = GLContext(480, 480)
            context.make_current()
        pool = envpool.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=0, render_mode="rgb_array")
        pool.reset()
        ids = np.arange(NUM_ENVS)
        return lambda: pool.render(env_ids=ids), pool.close
    import gymnasium

    vec = gymnasium.make_vec(
        _gymnasium_id(task_id), NUM_ENVS, vectorization_mode="sync", render_mode="rgb_array"
    )
    vec.reset(seed=0)
    return vec.render, vec.close


def _make_pixel_stepper(library: str) -> tuple[Any, Any]:
    """(one step of 8 pixel HalfCheetahs, close()) with `library`, reset."""
    actions = np.random.default_rng(0).uniform(-1, 1, (NUM_ENVS, 6)).astype(np.float32)
    size = {"width": PIXEL_SIZE, "height": PIXEL_SIZE}
    if library == "envfleet":
        import envfleet

        pool = envfleet.make_gymnasium(
            "HalfCheetah-v5", num_envs=NUM_ENVS, seed=0, from_pixels=True, **size
        )
        pool.reset()
        return lambda: pool.step(actions), pool.close
    if library == "envpool":
        import cv2
        import envpool
        from mujoco.egl import GLContext

        context = GLContext(480, 480)
        context.make_current()
        pool = envpool.make_gymnasium(
            "HalfCheetah-v5", num_envs=NUM_ENVS, seed=0, render_mode="rgb_array"
        )
        pool.reset()
        ids = np.arange(NUM_ENVS)

        def step() -> np.ndarray:
            pool.step(actions)
            pictures = pool.render(env_ids=ids)
            return np.stack(
                [
                    cv2.resize(p, (PIXEL_SIZE, PIXEL_SIZE), interpolation=cv2.INTER_AREA)
                    for p in pictures
                ]
            )

        return step, pool.close
    import gymnasium
    from gymnasium.wrappers import AddRenderObservation

    vec = gymnasium.make_vec(
        "HalfCheetah-v5",
        NUM_ENVS,
        vectorization_mode="sync",
        wrappers=[lambda env: AddRenderObservation(env, render_only=True)],
        render_mode="rgb_array",
        **size,
    )
    vec.reset(seed=0)
    return lambda: vec.step(actions), vec.close


def _worker(workload: str, library: str, task_id: str, seconds: float) -> dict[str, Any]:
    """Times `workload` for `seconds` after a warm-up; returns {"rate": per second, "cpu_ms":
    the process's CPU time (all its threads) per env or picture, in ms}."""
    if workload == "render":
        call, close = _make_renderer(library, task_id)
    else:
        call, close = _make_pixel_stepper(library)
    for _ in range(3):
        call()
    calls, start, cpu_start = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < seconds:
        call()
        calls += 1
    cpu = time.process_time() - cpu_start
    close()
    return {"rate": NUM_ENVS * calls / elapsed, "cpu_ms": 1000 * cpu / (NUM_ENVS * calls)}


# ---- Driver ------------------------------------------------------------------------------------


def _measure(workload: str, library: str, task_id: str, seconds: float) -> dict[str, float]:
    command = [
        sys.executable, __file__, "--worker", workload, library, task_id, "--seconds", str(seconds)
    ]  # fmt: skip
    env = dict(os.environ, MUJOCO_GL="egl")
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    try:
        return {k: float(v) for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}
    except (IndexError, KeyError, ValueError):
        print(f"{workload} {library} {task_id}: failed: {done.stderr.strip()[-300:]}", flush=True)
        return {}


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _median(runs: list[float | None]) -> float | None:
    values = [run for run in runs if run is not None]
    return statistics.median(values) if values else None


def _cell(value: float | None, reference: float | None) -> str:
    if value is None:
        return "failed"
    ratio = "" if reference is None or value == reference else f" ({reference / value:.2f}x)"
    return f"{value:,.1f}{ratio}" if value < 100 else f"{value:,.0f}{ratio}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--worker", nargs=3, metavar=("WORKLOAD", "LIBRARY", "TASK"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_worker(*args.worker, args.seconds)))
        return

    command = "python benchmarks/render_bench.py " + shlex.join(sys.argv[1:])
    before = _uptime()
    workloads = [("render", task) for task in RENDER_TASKS] + [("pixels", "HalfCheetah-v5")]
    runs: dict[tuple[str, str, str], list[float | None]] = {}
    cpu_runs: dict[str, list[float | None]] = {}
    for repeat in range(args.repeats):
        for workload, task_id in workloads:
            for library in LIBRARIES:
                result = _measure(workload, library, task_id, args.seconds)
                runs.setdefault((workload, task_id, library), []).append(result.get("rate"))
                if workload == "pixels":
                    cpu_runs.setdefault(library, []).append(result.get("cpu_ms"))
                print(f"run {repeat}: {workload} {task_id} {library}: {result}", flush=True)
    after = _uptime()
    medians = {key: _median(values) for key, values in runs.items()}
    cpu_ms = {library: _median(values) for library, values in cpu_runs.items()}

    lines = [
        "## Rendering",
        "",
        f"`{command}` (medians of {args.repeats} runs of {args.seconds:g} s, each in a fresh "
        "process; the libraries take turns). Load: before, `"
        + before
        + "`; after, `"
        + after
        + "`. The machine is shared and noisy: compare the ratios within a row, measured in the "
        "same run. In parentheses: envfleet's speed over that peer's.",
        "",
        f"### render() of {NUM_ENVS} envs, pictures per second",
        "",
        "| task | picture | envfleet | EnvPool | Gymnasium sync vector env |",
        "|---|---|---|---|---|",
    ]
    shapes = {
        "CartPole-v1": "600x400",
        "Pendulum-v1": "500x500",
        "Pong-v5": "160x210",
        "HalfCheetah-v5": "480x480",
    }
    for task_id in RENDER_TASKS:
        ours = medians[("render", task_id, "envfleet")]
        cells = [_cell(medians[("render", task_id, lib)], ours) for lib in LIBRARIES]
        cells[0] = _cell(ours, None)
        lines.append(f"| {task_id} | {shapes[task_id]} | " + " | ".join(cells) + " |")
    ours = medians[("pixels", "HalfCheetah-v5", "envfleet")]
    cells = [_cell(medians[("pixels", "HalfCheetah-v5", lib)], ours) for lib in LIBRARIES]
    cells[0] = _cell(ours, None)
    lines += [
        "",
        f"### HalfCheetah-v5, {PIXEL_SIZE}x{PIXEL_SIZE} pixel observations, {NUM_ENVS} envs, sync: "
        "env steps per second",
        "",
        "| envfleet `from_pixels=True` | EnvPool step + render() at 480x480 + cv2.resize | "
        "Gymnasium `AddRenderObservation` |",
        "|---|---|---|",
        "| " + " | ".join(cells) + " |",
        "| "
        + " | ".join(
            "failed" if cpu_ms.get(lib) is None else f"{cpu_ms[lib]:.1f} CPU ms / step"
            for lib in LIBRARIES
        )
        + " |",
        "",
        "The second row is the process's CPU time (all its threads: Mesa's included) per env "
        "step, less sensitive to the machine's other load than the rate.",
        "",
        "Targets on 2 cores: "
        + ", ".join(f"{ratio}x {lib}" for lib, ratio in TARGETS.items())
        + " on pixel HalfCheetah; "
        + ", ".join(
            f"{lib}: {'met' if ours and peer and ours / peer >= ratio else 'not met'}"
            for lib, ratio in TARGETS.items()
            for peer in [medians[("pixels", "HalfCheetah-v5", lib)]]
        )
        + ".",
        "",
        "EnvPool 1.2.5 has no pixel observations and renders MuJoCo only at 480x480, on the "
        "calling thread, in a GL context the caller makes (here MuJoCo's Python EGL context): "
        "without one its render() aborts the process. envfleet draws each env's picture on the "
        "pool's threads, each with its own headless EGL context (Mesa's llvmpipe here: no GPU).",
    ]
    section = "\n".join(lines)
    from envfleet import benchmark

    benchmark.write_page_section(args.out, "render", section)
    print(section)


if __name__ == "__main__":
    main()
