"""The benchmark suite: every family against every peer that runs it, written as JSON.

For one task per family (CartPole-v1, Pong-v5, HalfCheetah-v5) it measures, each in a fresh
process (`envfleet.benchmark.run(..., isolate=True)`):

- throughput over `num_envs`, sync (every env each step) and async (batch = num_envs / 2), for
  envfleet and every installed peer (EnvPool, ale-py AtariVectorEnv, gymnasium's numpy-vectorized,
  Sync and Async vector envs, SB3 SubprocVecEnv) and the raw limit (emulator / physics alone);
  from the same runs: latency at num_envs=1, resident memory per env and the time to make (and
  reset) 64 envs;
- scaling over `num_threads` (1 .. usable cores) for the threaded libraries;
- `import` time of each package;
- the training-loop benchmark, `benchmarks/training_loop.py` (not with `--quick`): throughput
  with busy processes, a policy in the loop, overlap and the training scripts, which writes its
  own section of docs/benchmarks.md.

Then `benchmarks/suite_page.py` renders the JSON into docs/benchmarks.md with plots.

    python benchmarks/suite.py [--seconds S] [--repeats R] [--quick] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

from envfleet import benchmark

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "results" / "suite.json"

# num_envs swept per task (sync), and the sizes also run async with batch = num_envs / 2.
SWEEP = {
    "CartPole-v1": ((1, 4, 16, 64, 256, 1024), (64, 1024)),
    "Pong-v5": ((1, 2, 4, 8, 16, 32, 64), (8, 16, 32, 64)),
    "HalfCheetah-v5": ((1, 2, 4, 8, 16, 32, 64), (8, 16, 32, 64)),
}
# The thread sweep runs each task at this many envs.
THREAD_SWEEP_ENVS = {"CartPole-v1": 1024, "Pong-v5": 16, "HalfCheetah-v5": 16}
# A run that only checks the plumbing: two sizes of CartPole-v1, tiny timings.
QUICK_SWEEP = {"CartPole-v1": ((1, 4), (4,))}
QUICK_THREAD_SWEEP_ENVS = {"CartPole-v1": 4}
IMPORTS = ("envfleet", "envpool", "gymnasium", "ale_py", "stable_baselines3")


def throughput(
    sweep: dict[str, tuple[tuple[int, ...], tuple[int, ...]]], args: argparse.Namespace
) -> benchmark.Report:
    """Sync and async throughput of envfleet and every peer over the sweep."""
    workloads: list[benchmark.Workload] = []
    notes: list[str] = []
    for task_id, (sync_sizes, async_sizes) in sweep.items():
        planned, skipped = benchmark.plan_workloads([task_id], sync_sizes)
        workloads += planned
        notes += skipped
        for n in async_sizes:
            workloads += benchmark.plan_workloads([task_id], [n], n // 2)[0]
    report = benchmark.run(
        workloads,
        benchmark.select_peers(args.peers),
        seconds=args.seconds,
        repeats=args.repeats,
        progress=not args.no_progress,
        isolate=True,
    )
    report.notes[:0] = notes
    return report


def thread_scaling(sizes: dict[str, int], args: argparse.Namespace) -> list[dict[str, object]]:
    """Sync throughput of the threaded libraries at 1 .. usable cores threads."""
    threaded = [lib for lib in benchmark.select_peers(args.peers) if lib.threaded]
    names = ",".join(lib.name for lib in threaded) or "none"
    results: list[dict[str, object]] = []
    for threads in range(1, benchmark.usable_cores() + 1):
        for task_id, n in sizes.items():
            workloads, _ = benchmark.plan_workloads([task_id], [n])
            report = benchmark.run(
                workloads,
                benchmark.select_peers(names),
                seconds=args.seconds,
                repeats=args.repeats,
                threads=threads,
                progress=not args.no_progress,
                isolate=True,
            )
            results += report.to_dict()["results"]
    return results


def import_seconds(module: str, repeats: int = 5) -> float | None:
    """Median wall time of `python -c "import module"` minus that of an empty interpreter."""

    def timed(code: str) -> float | None:
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
            if done.returncode != 0:
                return None
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    bare, loaded = timed("pass"), timed(f"import {module}")
    return None if bare is None or loaded is None else max(loaded - bare, 0.0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="one timed run (default 1.0)")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs, median (default 3)")
    parser.add_argument("--peers", default="all", help="peers to compare (default all)")
    parser.add_argument("--quick", action="store_true", help="CartPole-v1 only, for a smoke test")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    args = parser.parse_args(argv)
    command = shlex.join(
        ["python", "benchmarks/suite.py", *(sys.argv[1:] if argv is None else argv)]
    )

    report = throughput(QUICK_SWEEP if args.quick else SWEEP, args)
    scaling = thread_scaling(QUICK_THREAD_SWEEP_ENVS if args.quick else THREAD_SWEEP_ENVS, args)
    import_repeats = 1 if args.quick else 5
    imports = {m: import_seconds(m, import_repeats) for m in IMPORTS}

    data = {
        "machine": benchmark.describe_machine(command),
        **report.to_dict(),
        "thread_scaling": scaling,
        "import_seconds": imports,
        "import_repeats": import_repeats,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    if not args.quick:
        training_loop = [sys.executable, str(ROOT / "benchmarks" / "training_loop.py")]
        subprocess.run([*training_loop, "--seconds", str(2 * args.seconds)], check=True)
    return 1 if report.envfleet_failed else 0


if __name__ == "__main__":
    sys.exit(main())
