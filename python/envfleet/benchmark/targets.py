"""Speed targets of the benchmark pages: what each asks, and its verdict on a run's report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from envfleet.benchmark.report import Report, format_ratio, markdown_table


@dataclass(frozen=True)
class SpeedTarget:
    """envfleet must reach `ratio` times the best of `peers`' env-steps/s on the sync workload
    `task` x `num_envs`; `what` says so on the page."""

    what: str
    task: str
    num_envs: int
    peers: tuple[str, ...]
    ratio: float


def target_rows(report: Report, targets: Sequence[SpeedTarget]) -> list[list[str]]:
    """One row per target: what it asks, envfleet over the best measured peer, and "met", "NOT
    met" or "not measured" (with the reason a peer was skipped, where one was)."""
    rows = []
    for target in targets:
        peers = [report.find(target.task, target.num_envs, None, p) for p in target.peers]
        ratios = [r for r in (report.ratio(p) for p in peers if p is not None) if r is not None]
        if not ratios:
            reasons = [p.skipped for p in peers if p is not None and p.skipped]
            rows.append([target.what, "-", "; ".join(["not measured", *reasons])])
            continue
        ratio = min(ratios)  # envfleet over the fastest peer
        verdict = "met" if ratio >= target.ratio else "NOT met"
        rows.append([target.what, format_ratio(ratio), verdict])
    return rows


def targets_table(report: Report, targets: Sequence[SpeedTarget]) -> str:
    """The targets' rows as a Markdown table."""
    rows = target_rows(report, targets)
    return markdown_table(["target", "envfleet/best peer", "verdict"], rows, right={1})
