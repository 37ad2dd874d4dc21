"""One measurement in a fresh Python process: ``python -m envfleet.benchmark.worker ...``.

Started by `runner.measure_in_fresh_process` (as `runner.run(..., isolate=True)` does), whose
`runner.worker_command` is its command line; nothing imports this module. In a process of its own
no other library's idle threads, subprocesses or memory share the machine with the one being
measured, and resident memory per env is that of this library alone. Prints the result as one
JSON object on its last line of stdout.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys

from envfleet.benchmark.libraries import ENVFLEET, PEERS
from envfleet.benchmark.report import Result
from envfleet.benchmark.runner import measure_into
from envfleet.benchmark.tasks import Workload, task_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("task")
    parser.add_argument("num_envs", type=int)
    parser.add_argument("batch_size", type=int)
    parser.add_argument("library")
    parser.add_argument("threads", type=int)
    parser.add_argument("seconds", type=float)
    parser.add_argument("repeats", type=int)
    args = parser.parse_args(argv)

    library = ENVFLEET if args.library == ENVFLEET.name else PEERS[args.library]
    workload = Workload(task_of(args.task), args.num_envs, args.batch_size)
    result = Result(
        args.task,
        args.num_envs,
        args.batch_size,
        library.name,
        threads=args.threads,
        limit=library.limit,
        processes=library.processes,
    )
    measure_into(result, workload, library, args.seconds, args.repeats)
    print(json.dumps(dataclasses.asdict(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
