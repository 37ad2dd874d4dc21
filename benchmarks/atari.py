"""Atari side by side: envfleet, EnvPool and ale-py's AtariVectorEnv, and the emulator's own limit.

Pong-v5 and Breakout-v5 at 8 and 32 envs, sync (batch = all envs) and async (batch_size =
num_envs / 2, stepping whichever envs come back first), every library with the same
preprocessing (frame_skip 4 with max-pool, 84x84 grayscale, stack 4, noop_max 30, FIRE reset,
no sticky actions, no episodic life, no reward clipping) and the same thread count. The raw limit
is ale-py's emulator alone: 4 `act` calls per step on one core, no preprocessing, over as many
emulators as the workload has envs, times the threads. Each measurement runs in a fresh process,
which also gives resident memory per env.
Writes the Atari section of docs/benchmarks.md.

    python benchmarks/atari.py [--seconds S] [--repeats R] [--threads N] [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from envfleet import benchmark
from envfleet.benchmark import raw_limits

GAMES = ("Pong-v5", "Breakout-v5")
NUM_ENVS = (8, 32)
LIBRARIES = ("envfleet", "envpool", "ale_py")
FRAME_SKIP = raw_limits.ATARI_FRAME_SKIP
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _measure(
    library: str, task_id: str, num_envs: int, mode: str, args: argparse.Namespace
) -> dict[str, Any]:
    """One measurement in a fresh Python process (envfleet.benchmark's worker): env-steps/s,
    resident bytes per env, and the error if it failed."""
    lib = benchmark.ENVFLEET if library == benchmark.ENVFLEET.name else benchmark.PEERS[library]
    batch_size = num_envs if mode == "sync" else num_envs // 2
    result = benchmark.Result(
        task_id, num_envs, batch_size, lib.name, threads=args.threads, limit=lib.limit
    )
    benchmark.measure_in_fresh_process(result, args.seconds, args.repeats)
    measured = {"rate": result.steps_per_s, "bytes_per_env": result.bytes_per_env}
    if result.failed:
        measured["error"] = result.skipped
    return measured


def _mib(value: float | None) -> str:
    return "-" if value is None else f"{value / 2**20:.1f}"


TARGETS_HEADING = "Targets (on 2 cores): at least 1.2x EnvPool, at least 80% of the raw limit"


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
preprocessing and no Python vector env, as many emulators as the workload has envs, stepped in
turn with the pool's actions, times {args.threads} threads: {limits}.

{table}

{benchmark.render_targets_and_method(targets, machine, TARGETS_HEADING)}"""


def main(argv: list[str] | None = None) -> int:
    """Measure every game, size, mode and library, then write the section; returns 0."""
    parser = benchmark.script_parser(__doc__ or "", seconds=2.0, repeats=3, out=DEFAULT_OUT)
    args, command = benchmark.parse_script_args(parser, "benchmarks/atari.py", argv)
    args.threads = args.threads or benchmark.usable_cores()
    raw = {task_id: _measure("raw limit", task_id, 1, "sync", args) for task_id in GAMES}
    results = {}
    for task_id in GAMES:
        for num_envs in NUM_ENVS:
            for mode in ("sync", "async"):
                for library in LIBRARIES:
                    result = _measure(library, task_id, num_envs, mode, args)
                    results[(task_id, num_envs, mode, library)] = result
                    print(f"{task_id} x{num_envs} {mode} {library}: {result}", file=sys.stderr)
    section = render_section(results, raw, args, benchmark.describe_machine(command))
    benchmark.publish_section(args.out, "atari", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
