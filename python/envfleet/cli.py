"""The ``envfleet`` command line: ``list`` the envs, show ``info`` on one, ``bench`` throughput.

``main(argv)`` is the console-script entry point; it returns the process exit status
(0 success, 1 envfleet failed during a benchmark, 2 bad usage or unknown task).
"""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence

from envfleet import benchmark
from envfleet.benchmark.load import busy_processes


def _num_envs_list(text: str) -> tuple[int, ...]:
    """Parse "1,64,1024" into positive ints."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of ints: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError(f"env counts must be positive: {text!r}")
    return values


def _positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its three subcommands."""
    from envfleet import __version__, registry

    parser = argparse.ArgumentParser(
        prog="envfleet", description="envfleet: vectorized RL environments in C++."
    )
    parser.add_argument("--version", action="version", version=f"envfleet {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = sub.add_parser("list", help="list env ids grouped by family")
    listing.add_argument(
        "family",
        nargs="?",
        choices=sorted(registry.families()),
        metavar="FAMILY",
        help=f"list only this family ({', '.join(sorted(registry.families()))})",
    )

    info = sub.add_parser("info", help="spaces, options and limits of one env")
    info.add_argument("task", metavar="TASK", help="env id, e.g. CartPole-v1")

    peers = ", ".join([*benchmark.PEERS, *benchmark.PEER_GROUPS])
    suite = ", ".join(benchmark.DEFAULT_SUITE)
    bench = sub.add_parser(
        "bench",
        help="env-steps/s of envfleet and installed peers on the same workloads",
        description=(
            "Measure env-steps/s of envfleet and of every installed peer on the same workloads, "
            "in this run. Each figure is the median of REPEATS timed runs of SECONDS each, "
            "after a warm-up, stepping the same precomputed random actions."
        ),
    )
    bench.add_argument(
        "tasks", nargs="*", metavar="TASK", help=f"env ids (default: {suite})", default=None
    )
    bench.add_argument(
        "--num-envs",
        type=_num_envs_list,
        metavar="N,N,...",
        help="env counts for every task (default: per task, e.g. 1,64,1024 for CartPole-v1)",
    )
    bench.add_argument(
        "--batch-size",
        type=_positive_int,
        metavar="B",
        help="async mode: step the first B envs to finish (default: sync, every env each step)",
    )
    bench.add_argument(
        "--threads",
        type=int,
        default=0,
        metavar="N",
        help="threads for envfleet and EnvPool, capped at num_envs (default 0: usable cores)",
    )
    bench.add_argument(
        "--seconds",
        type=_positive_float,
        default=0.5,
        metavar="S",
        help="length of one timed run (default 0.5)",
    )
    bench.add_argument(
        "--repeats",
        type=_positive_int,
        default=3,
        metavar="R",
        help="timed runs per measurement; the median is reported (default 3)",
    )
    bench.add_argument(
        "--peers", metavar="LIST", help=f"comma-separated peers to compare (default all: {peers})"
    )
    bench.add_argument(
        "--load",
        type=_non_negative_int,
        default=0,
        metavar="K",
        help="measure with K busy processes running beside, as a learner would (default 0)",
    )
    bench.add_argument("--json", metavar="FILE", help="also write all results and the machine")
    bench.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


def _cmd_list(only: str | None) -> int:
    import envfleet
    from envfleet import registry

    # Group by family, families and ids in sorted order; `only` keeps one family.
    families: dict[str, list[str]] = {}
    for task_id in envfleet.list_all_envs():
        families.setdefault(registry.family_of(task_id), []).append(task_id)
    for family in sorted(families):
        if only is not None and family != only:
            continue
        print(f"{family} ({len(families[family])}):")
        for task_id in sorted(families[family]):
            print(f"  {task_id}")
    return 0


def _cmd_info(task_id: str) -> int:
    import envfleet
    from envfleet import registry

    if task_id not in envfleet.list_all_envs():
        hint = registry.unknown_task_hint(task_id)
        print(f"envfleet: unknown env {task_id!r}.{hint} See `envfleet list`.", file=sys.stderr)
        return 2
    spec = envfleet.make_spec(task_id)
    print(f"{task_id} (family: {registry.family_of(task_id)})")
    print(f"  observation_space: {spec.observation_space}")
    print(f"  action_space:      {spec.action_space}")
    print(f"  max_episode_steps: {spec.max_episode_steps}")
    print(f"  reward_threshold:  {spec.reward_threshold}")
    print("  options (name = default):")
    width = max((len(name) for name in spec.options), default=0)
    for name, default in spec.options.items():
        print(f"    {name.ljust(width)} = {default!r}")
    return 0


def _cmd_bench(args: argparse.Namespace, command: str) -> int:
    try:
        peers = benchmark.select_peers(args.peers)
    except ValueError as exc:
        print(f"envfleet bench: {exc}", file=sys.stderr)
        return 2
    workloads, notes = benchmark.plan_workloads(
        args.tasks or benchmark.DEFAULT_SUITE, args.num_envs, args.batch_size
    )
    with busy_processes(args.load):
        report = benchmark.run(
            workloads,
            peers,
            seconds=args.seconds,
            repeats=args.repeats,
            threads=args.threads,
            progress=not args.no_progress,
        )
    report.notes[:0] = notes
    if args.load:
        report.notes.append(f"measured with {args.load} busy processes running beside")

    # The table on stdout with its legend, then what was not measured and how, then a warning
    # if the machine was busy.
    if report.results:
        print(benchmark.render_table(report))
        print(benchmark.render_legend(report))
    for note in report.notes:
        print(note)
    if (warning := benchmark.busy_warning(report)) is not None:
        print(warning)

    if args.json:
        benchmark.write_json(args.json, report, benchmark.describe_machine(command))
    return 1 if report.envfleet_failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; `argv` defaults to sys.argv[1:]."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.command == "list":
        return _cmd_list(args.family)
    if args.command == "info":
        return _cmd_info(args.task)
    return _cmd_bench(args, shlex.join(["envfleet", *argv]))


if __name__ == "__main__":
    sys.exit(main())
