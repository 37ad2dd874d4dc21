"""Busy processes: the load a shared training machine carries, started by a benchmark itself.

A busy process is `python -c "while True: pass"`: one core's worth of demand that never sleeps,
as a learner's threads, a replay buffer or another job on the same machine would be. With K of
them on C cores, a fair share of the machine for the measured library is C / (C + K).
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

BUSY_LOOP = "while True: pass"


@contextlib.contextmanager
def busy_processes(count: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Runs `count` busy processes for the duration of the block, and stops them after it."""
    if count < 0:
        raise ValueError(f"the number of busy processes must be >= 0, got {count}")
    processes = [
        subprocess.Popen([sys.executable, "-c", BUSY_LOOP], stdin=subprocess.DEVNULL)
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            process.kill()
        for process in processes:
            process.wait()


def fair_share(cores: int, busy: int) -> float:
    """The share of a `cores`-core machine left to one more party beside `busy` busy processes
    that each want a core: cores / (cores + busy), at most 1."""
    return min(1.0, cores / (cores + busy))
