"""Resident memory of this process and of every process it started (Linux /proc)."""

from __future__ import annotations

import os
from pathlib import Path

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
