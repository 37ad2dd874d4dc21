"""A Control Suite task's env-steps per CPU-second: envfleet with 1 and 2 threads vs the raw limit.

dm_control_bench.py compares envfleet's wall-clock rate with the raw physics limit measured on one
core times the threads. On a machine shared with other sessions that limit is out of reach
whatever the pool does: with the kernel's CFS autogroups (/proc/sys/kernel/sched_autogroup_enabled
= 1) the CPU is shared per session, so a process's two threads together get about the CPU one
busy thread of the same session would get. This script measures what the wall clock hides: each
row's env-steps per second and the CPU-seconds its process used per second (`cores used`), hence
env-steps per CPU-second, envfleet's cost per step against the raw loop's. Rows: envfleet sync
with 1 and 2 threads, and the raw limit (dm_control_bench.py's: the suite's model, `mj_step` x
n_sub_steps + `mj_step1` per env in a Python loop, one core). Every timed run is a fresh process;
the rows take turns; figures are medians.

    python benchmarks/dm_control_cpu_share.py [--task WalkerWalk-v1] [--num-envs 8]
        [--seconds 1] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROWS = ("envfleet, 1 thread", "envfleet, 2 threads", "raw limit, 1 core")


def worker(row: str, task: str, num_envs: int, seconds: float) -> dict:
    """One timed run of one row, in this (fresh) process."""
    from envfleet.benchmark.measure import measure

    if row.startswith("envfleet"):
        import envfleet
        from envfleet import benchmark

        threads = 1 if "1 thread" in row else 2
        pool = envfleet.make_gymnasium(
            task, num_envs=num_envs, num_threads=threads, seed=benchmark.ENV_SEED
        )
        harness = benchmark.pool_harness(pool, num_envs)
    else:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import dm_control_bench

        harness = dm_control_bench._raw_limit(task, num_envs, 1)
    cpu, wall = time.process_time(), time.perf_counter()
    rate = measure(harness, num_envs, seconds, 1)[0]
    cores = (time.process_time() - cpu) / (time.perf_counter() - wall)
    harness.close()
    return {"rate": rate, "cores": cores}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="WalkerWalk-v1")
    parser.add_argument("--num-envs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.task, args.num_envs, args.seconds)))
        return

    runs: dict[str, list[dict]] = {row: [] for row in ROWS}
    loads = []
    for _ in range(args.repeats):
        for row in ROWS:
            command = [sys.executable, __file__, "--worker", row, "--task", args.task]
            command += ["--num-envs", str(args.num_envs), "--seconds", str(args.seconds)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            runs[row].append(json.loads(out.stdout.strip().splitlines()[-1]))
        loads.append(os.getloadavg()[0])

    raw = runs[ROWS[2]]
    raw_per_cpu = statistics.median(r["rate"] / r["cores"] for r in raw)
    print(f"{args.task} x{args.num_envs}, sync, median of {args.repeats} runs per row")
    print("| row | env-steps/s | cores used | env-steps per CPU-s | per CPU-s vs raw |")
    print("|---|--:|--:|--:|--:|")
    for row, results in runs.items():
        rate = statistics.median(r["rate"] for r in results)
        cores = statistics.median(r["cores"] for r in results)
        per_cpu = statistics.median(r["rate"] / r["cores"] for r in results)
        print(
            f"| {row} | {rate / 1000:.1f} k | {cores:.2f} | {per_cpu / 1000:.1f} k | "
            f"{per_cpu / raw_per_cpu:.0%} |"
        )
    autogroup = Path("/proc/sys/kernel/sched_autogroup_enabled")
    print(
        f"1-minute load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} CPUs; "
        f"sched_autogroup_enabled={autogroup.read_text().strip() if autogroup.exists() else '?'}"
    )


if __name__ == "__main__":
    main()
