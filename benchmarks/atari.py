"""Atari side by side: envfleet, EnvPool and ale-py's AtariVectorEnv, and the emulator's own limit.

Pong-v5 and Breakout-v5 at 8 and 32 envs, sync (batch = all envs) and async (batch_size =
num_envs / 2, stepping whichever envs come back first), every library with the same
preprocessing (frame_skip 4 with max-pool, 84x84 grayscale, stack 4, noop_max 30, FIRE reset,
no sticky actions, no episodic life, no reward clipping) and the same thread count. The raw limit
is ale-py's emulator alone: 4 `act` calls per step on one core, no preprocessing, times the
threads. Each measurement runs in a fresh process, which also gives resident memory per env.
Writes the Atari section of docs/benchmarks.md.

    python benchmarks/atari.py [--seconds S] [--repeats R] [--threads N] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from envfleet import benchmark
from envfleet.benchmark import raw_limits

GAMES = {"Pong-v5": "pong", "Breakout-v5": "breakout"}
NUM_ENVS = (8, 32)
LIBRARIES = ("envfleet", "envpool", "ale_py")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
FRAME_SKIP = 4


def _resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _open(library: str, task_id: str, num_envs: int, batch_size: int, threads: int) -> Any:
    """A vector env with the shared preprocessing, reset; its send/recv run async mode."""
    if library == "envfleet":
        import envfleet

        env = envfleet.make_gymnasium(
            task_id, num_envs=num_envs, batch_size=batch_size, num_threads=threads, seed=0
        )
    elif library == "envpool":
        import envpool

        env = envpool.make_gymnasium(
            task_id,
            num_envs=num_envs,
            batch_size=batch_size,
            num_threads=threads,
            seed=0,
            episodic_life=False,
            reward_clip=False,
        )
    else:
        from ale_py.vector_env import AtariVectorEnv

        env = AtariVectorEnv(
            GAMES[task_id],
            num_envs,
            batch_size=batch_size,
            num_threads=threads,
            reward_clipping=False,
            episodic_life=False,
            noop_max=30,
            use_fire_reset=True,
        )
    return env


def _worker(
    library: str, task_id: str, num_envs: int, mode: str, threads: int, seconds: float, repeats: int
) -> dict[str, Any]:
    """Env-steps/s (median of `repeats` runs) and resident bytes per env, in this process."""
    baseline = _resident_bytes()
    batch_size = num_envs if mode == "sync" else num_envs // 2
    rng = np.random.default_rng(0)

    if library == "raw":
        harness = raw_limits.ale_harness(GAMES[task_id])
        rates = benchmark.measure(harness, 1, seconds, repeats)
        return {"rate": statistics.median(rates) * threads, "bytes_per_env": None}

    env = _open(library, task_id, num_envs, batch_size, threads)
    n = env.single_action_space.n
    actions = rng.integers(0, n, size=(256, batch_size))

    if mode == "sync":
        env.reset(seed=0)

        def run_for(duration: float) -> float:
            steps, start = 0, time.perf_counter()
            while time.perf_counter() - start < duration:
                for k in range(16):
                    env.step(actions[(steps + k) % 256])
                steps += 16
            return steps * num_envs / (time.perf_counter() - start)
    else:
        # Start the stream: every env reset, then actions for the first batch (ale-py's reset
        # returns that batch itself and its send() answers the envs of the last batch).
        if library == "ale_py":
            env.reset(seed=0)
            env.send(actions[0])
        else:
            env.async_reset()

        def run_for(duration: float) -> float:
            steps, start = 0, time.perf_counter()
            while time.perf_counter() - start < duration:
                for k in range(16):
                    info = env.recv()[4]
                    if library == "ale_py":
                        env.send(actions[(steps + k) % 256])
                    else:
                        env.send(actions[(steps + k) % 256], info["env_id"])
                steps += 16
            return steps * batch_size / (time.perf_counter() - start)

    run_for(seconds / 2)
    rates = [run_for(seconds) for _ in range(repeats)]
    per_env = (_resident_bytes() - baseline) / num_envs
    env.close()
    return {"rate": statistics.median(rates), "bytes_per_env": per_env}


def _measure(
    library: str, task_id: str, num_envs: int, mode: str, args: argparse.Namespace
) -> dict[str, Any]:
    """One measurement in a fresh Python process; an error is returned, not raised."""
    worker_args = [library, task_id, str(num_envs), mode, "--threads", str(args.threads)]
    worker_args += ["--seconds", str(args.seconds), "--repeats", str(args.repeats)]
    result = benchmark.run_in_fresh_process(__file__, worker_args)
    if "error" in result:
        return {"rate": None, "bytes_per_env": None, "error": result["error"]}
    return result


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value / 2**20:.1f}"


def render_section(
    results: dict[tuple[str, int, str, str], dict[str, Any]],
    raw: dict[str, dict[str, Any]],
    args: argparse.Namespace,
    machine: dict[str, Any],
) -> str:
    """The Markdown section: the table, the targets, the command and the machine."""
    rows = []
    verdicts = []
    for task_id in GAMES:
        limit = raw[task_id]["rate"]
        for num_envs in NUM_ENVS:
            for mode in ("sync", "async"):
                ours = results[(task_id, num_envs, mode, "envfleet")]
                for library in LIBRARIES:
                    result = results[(task_id, num_envs, mode, library)]
                    rate = result["rate"]
                    ratio = (
                        "-"
                        if library == "envfleet" or rate is None or ours["rate"] is None
                        else benchmark.format_ratio(ours["rate"] / rate)
                    )
                    of_limit = "-" if rate is None else f"{100 * rate / limit:.0f}%"
                    rows.append(
                        [
                            f"{task_id} x{num_envs} {mode}",
                            library,
                            benchmark.format_rate(rate)
                            if rate is not None
                            else result.get("error", "-"),
                            "-" if rate is None else benchmark.format_rate(rate * FRAME_SKIP),
                            of_limit,
                            ratio,
                            _mib(result["bytes_per_env"]),
                        ]
                    )
                envpool = results[(task_id, num_envs, mode, "envpool")]["rate"]
                if ours["rate"] is not None and envpool is not None:
                    verdicts.append(
                        [
                            f"{task_id} x{num_envs} {mode}",
                            f"{ours['rate'] / envpool:.3f}x",
                            "met" if ours["rate"] >= 1.2 * envpool else "NOT met",
                            f"{100 * ours['rate'] / limit:.0f}%",
                            "met" if ours["rate"] >= 0.8 * limit else "NOT met",
                        ]
                    )
    table = benchmark.markdown_table(
        [
            "workload",
            "library",
            "env-steps/s",
            "frames/s",
            "of raw limit",
            "envfleet/peer",
            "RSS MiB/env",
        ],
        rows,
        right={2, 3, 4, 5, 6},
    )
    targets = benchmark.markdown_table(
        ["workload", "envfleet/EnvPool", ">= 1.2x", "of raw limit", ">= 80%"],
        verdicts,
        right={1, 3},
    )
    limits = ", ".join(
        f"{task_id} {benchmark.format_rate(raw[task_id]['rate'])} env-steps/s" for task_id in GAMES
    )
    return f"""## Atari

Generated by `benchmarks/atari.py`.

Env-steps/s of each library on the same workload, in the same run: EnvPool-style preprocessing
(frame_skip 4 with a max-pool of the last two frames, 84x84 grayscale with area resize, 4 stacked
frames, up to 30 no-ops and FIRE at reset, no sticky actions, no episodic life, no reward
clipping), {args.threads} threads for every library. Sync steps all envs; async has
batch_size = num_envs / 2 and steps whichever envs come back first. Frames/s = env-steps/s x 4.
Each figure is the median of {args.repeats} runs of {args.seconds:g} s, each in a fresh process;
RSS MiB/env is the resident memory the pool added, per env.

The raw limit is ale-py's emulator alone, four `act` calls per step on one core with no
preprocessing and no Python vector env, times {args.threads} threads: {limits}.

{table}

### Targets (on 2 cores): at least 1.2x EnvPool, at least 80% of the raw limit

{targets}

{benchmark.render_method(machine)}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="one timed run (default 2)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, median (default 3)")
    parser.add_argument("--threads", type=int, default=0, help="default 0: usable cores")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown page to update")
    parser.add_argument(
        "--worker", nargs=4, metavar=("LIB", "TASK", "ENVS", "MODE"), help=argparse.SUPPRESS
    )
    args = parser.parse_args(argv)
    args.threads = args.threads or benchmark.usable_cores()

    if args.worker:
        library, task_id, num_envs, mode = args.worker
        print(
            json.dumps(
                _worker(
                    library, task_id, int(num_envs), mode, args.threads, args.seconds, args.repeats
                )
            )
        )
        return 0

    command = shlex.join(
        ["python", "benchmarks/atari.py", *(sys.argv[1:] if argv is None else argv)]
    )
    raw = {task_id: _measure("raw", task_id, 1, "sync", args) for task_id in GAMES}
    results = {}
    for task_id in GAMES:
        for num_envs in NUM_ENVS:
            for mode in ("sync", "async"):
                for library in LIBRARIES:
                    result = _measure(library, task_id, num_envs, mode, args)
                    results[(task_id, num_envs, mode, library)] = result
                    print(f"{task_id} x{num_envs} {mode} {library}: {result}", file=sys.stderr)
    section = render_section(results, raw, args, benchmark.describe_machine(command))
    benchmark.write_page_section(args.out, "atari", section)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
