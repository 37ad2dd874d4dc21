"""Long runs: RSS stays flat over millions of steps; make/step/close cycles leak nothing.

Two kinds of phase, each in a fresh process (so one phase's memory never shows in another's):

- steps: `--steps` env steps of one task in sync or async mode, with the resident set size (RSS)
  sampled every `--sample-every` calls. Growth is the highest RSS after the warm-up (the first
  10% of the steps) minus the RSS at the end of the warm-up.
- cycles: `--cycles` rounds of make / reset / a few steps / close (sync and async alternately),
  with the thread count, open file descriptors and RSS after each; they must return to the
  baseline taken after the first 10 cycles.

    python scripts/long_run.py [--quick] [--json FILE]

prints one line per phase and a Markdown table (docs/reliability.md records one). `--quick`
divides every count by 100, for a smoke run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from typing import Any

import numpy as np

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")

# (task, mode, env steps, num_envs, batch_size in async mode).
STEP_PHASES = (
    ("CartPole-v1", "sync", 10_000_000, 64, 32),
    ("CartPole-v1", "async", 10_000_000, 64, 32),
    ("Pong-v5", "sync", 1_000_000, 8, 4),
    ("Pong-v5", "async", 1_000_000, 8, 4),
)
# (task, cycles).
CYCLE_PHASES = (("CartPole-v1", 1000), ("Pong-v5", 200), ("Hopper-v5", 200))


def rss_mib() -> float:
    """This process's resident set size now, in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE_BYTES / 2**20


def thread_count() -> int:
    return len(os.listdir("/proc/self/task"))


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def action_bank(pool: Any, rows: int, count: int = 16) -> list[np.ndarray]:
    """`count` random batches of `rows` actions, reused in turn (no allocation per step)."""
    rng = np.random.default_rng(0)
    space = pool.single_action_space
    if hasattr(space, "n"):
        return [rng.integers(0, space.n, size=rows, dtype=np.int64) for _ in range(count)]
    shape = (rows, *space.shape)
    return [
        rng.uniform(space.low, space.high, size=shape).astype(space.dtype) for _ in range(count)
    ]


def run_steps(task: str, mode: str, steps: int, num_envs: int, batch: int, every: int) -> dict:
    """One steps phase; returns its figures."""
    import envfleet

    batch_size = num_envs if mode == "sync" else batch
    pool = envfleet.make_gymnasium(task, num_envs=num_envs, batch_size=batch_size, num_threads=2)
    actions = action_bank(pool, batch_size)
    calls = steps // batch_size
    warm_up = calls // 10
    samples: list[tuple[int, float]] = []
    start = time.perf_counter()
    if mode == "sync":
        pool.reset()
        for call in range(calls):
            pool.step(actions[call % len(actions)])
            if call % every == 0:
                samples.append((call, rss_mib()))
    else:
        pool.async_reset()
        for call in range(calls):
            *_, info = pool.recv()
            pool.send(actions[call % len(actions)], env_id=info["env_id"])
            if call % every == 0:
                samples.append((call, rss_mib()))
    seconds = time.perf_counter() - start
    pool.close()
    at_warm_up = next(rss for call, rss in samples if call >= warm_up)
    after = [rss for call, rss in samples if call >= warm_up]
    return {
        "phase": "steps",
        "task": task,
        "mode": mode,
        "num_envs": num_envs,
        "batch_size": batch_size,
        "steps": calls * batch_size,
        "seconds": round(seconds, 1),
        "rss_at_warm_up_mib": round(at_warm_up, 1),
        "rss_peak_mib": round(max(rss for _, rss in samples), 1),
        "rss_final_mib": round(samples[-1][1], 1),
        "growth_mib": round(max(after) - at_warm_up, 1),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_cycles(task: str, cycles: int) -> dict:
    """One cycles phase; returns its figures."""
    import envfleet

    baseline: dict[str, float] = {}
    peak = {"threads": 0, "fds": 0, "rss_mib": 0.0}
    start = time.perf_counter()
    for cycle in range(cycles):
        asynchronous = cycle % 2 == 1
        pool = envfleet.make_gymnasium(
            task, num_envs=4, batch_size=2 if asynchronous else 4, num_threads=2, seed=cycle
        )
        actions = action_bank(pool, pool.batch_size, count=1)[0]
        if asynchronous:
            pool.async_reset()
            for _ in range(10):
                *_, info = pool.recv()
                pool.send(actions, env_id=info["env_id"])
        else:
            pool.reset()
            for _ in range(10):
                pool.step(actions)
        pool.close()
        del pool
        now = {"threads": thread_count(), "fds": open_fds(), "rss_mib": rss_mib()}
        if cycle == max(1, cycles // 10) - 1:
            baseline = dict(now)
        if baseline:
            peak = {key: max(peak[key], value) for key, value in now.items()}
    return {
        "phase": "cycles",
        "task": task,
        "cycles": cycles,
        "seconds": round(time.perf_counter() - start, 1),
        "baseline": {k: round(v, 1) for k, v in baseline.items()},
        "after_peak": {k: round(v, 1) for k, v in peak.items()},
        "final": {"threads": thread_count(), "fds": open_fds(), "rss_mib": round(rss_mib(), 1)},
    }


def worker(args: list[str]) -> dict:
    if args[0] == "steps":
        task, mode, steps, num_envs, batch, every = args[1:]
        return run_steps(task, mode, int(steps), int(num_envs), int(batch), int(every))
    task, cycles = args[1:]
    return run_cycles(task, int(cycles))


def markdown(results: list[dict]) -> str:
    """The two tables of docs/reliability.md."""
    lines = [
        "| task | mode | envs (batch) | steps | seconds | RSS after warm-up | peak RSS | growth |",
        "|---|---|---|--:|--:|--:|--:|--:|",
    ]
    for r in (r for r in results if r.get("phase") == "steps"):
        lines.append(
            f"| {r['task']} | {r['mode']} | {r['num_envs']} ({r['batch_size']}) | "
            f"{r['steps']:,} | {r['seconds']} | {r['rss_at_warm_up_mib']} MiB | "
            f"{r['rss_peak_mib']} MiB | {r['growth_mib']:+} MiB |"
        )
    lines += [
        "",
        "| task | cycles | seconds | threads (baseline / max / end) | open fds | RSS MiB |",
        "|---|--:|--:|---|---|---|",
    ]
    for r in (r for r in results if r.get("phase") == "cycles"):
        b, p, f = r["baseline"], r["after_peak"], r["final"]
        lines.append(
            f"| {r['task']} | {r['cycles']} | {r['seconds']} | "
            f"{b['threads']} / {p['threads']} / {f['threads']} | "
            f"{b['fds']} / {p['fds']} / {f['fds']} | "
            f"{b['rss_mib']} / {p['rss_mib']} / {f['rss_mib']} |"
        )
    return "\n".join(lines)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2:])))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every count / 100")
    parser.add_argument("--sample-every", type=int, default=1000, help="calls between samples")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    scale = 100 if args.quick else 1

    from envfleet.benchmark import run_in_fresh_process

    results = []
    for task, mode, steps, num_envs, batch in STEP_PHASES:
        worker_args = ["steps", task, mode, str(steps // scale), str(num_envs), str(batch)]
        every = str(max(1, args.sample_every // scale))
        results.append(run_in_fresh_process(__file__, [*worker_args, every]))
        print(json.dumps(results[-1]), flush=True)
    for task, cycles in CYCLE_PHASES:
        results.append(run_in_fresh_process(__file__, ["cycles", task, str(cycles // scale)]))
        print(json.dumps(results[-1]), flush=True)
    print(markdown(results))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=1)


if __name__ == "__main__":
    main()
