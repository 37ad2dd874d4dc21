"""Processes: measurements run in fresh Python processes, and the resident memory of this process
and of every process it started (Linux /proc)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _resident_pages(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from each of its threads' children lists."""
    children: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return children
    for task in tasks:
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return children


def resident_bytes(pid: int | None = None) -> int:
    """Resident set size of `pid` (default: this process) plus all its descendants, in bytes;
    0 where /proc is not available."""
    pending, total = [os.getpid() if pid is None else pid], 0
    while pending:
        current = pending.pop()
        total += _resident_pages(current)
        pending += _children(current)
    return total * PAGE_BYTES


def run_json_command(command: Sequence[str]) -> dict[str, Any]:
    """Runs `command`, which prints one JSON object as its last line, and returns that object; a
    failed command gives {"error": its last line of stderr}."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}


def run_in_fresh_process(script: str, worker_args: Sequence[str]) -> dict[str, Any]:
    """`run_json_command` of `python script --worker ARGS...`."""
    return run_json_command([sys.executable, script, "--worker", *worker_args])
