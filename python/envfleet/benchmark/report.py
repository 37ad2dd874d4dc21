"""Results of a benchmark run: what was measured, ratios to envfleet, the table and the bar."""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TextIO

ENVFLEET_NAME = "envfleet"


@dataclass
class Result:
    """One library on one workload: the runs, or why it was skipped."""

    task: str
    num_envs: int
    batch_size: int
    library: str
    impl: str = ""
    threads: int = 1
    rates: list[float] = field(default_factory=list)
    skipped: str | None = None
    failed: bool = False  # skipped because it raised, not by design
    limit: bool = False  # a raw limit, not a library
    processes: bool = False  # one process per env: `threads` counts those processes
    open_seconds: float | None = None  # time to make and reset the envs
    bytes_per_env: float | None = None  # resident memory added per env (process and children)

    @property
    def workload(self) -> tuple[str, int, int]:
        return (self.task, self.num_envs, self.batch_size)

    @property
    def label(self) -> str:
        batch = f" batch {self.batch_size}" if self.batch_size < self.num_envs else ""
        return f"{self.task} x{self.num_envs}{batch}"

    @property
    def steps_per_s(self) -> float | None:
        return statistics.median(self.rates) if self.rates else None


@dataclass
class Report:
    """All results of a run, the notes printed with them and the settings used."""

    results: list[Result]
    notes: list[str]
    settings: dict[str, Any]

    def ratio(self, result: Result) -> float | None:
        """envfleet's steps/s over this result's on the same workload (for a raw limit: the
        share of the limit envfleet reaches)."""
        if result.library == ENVFLEET_NAME or result.steps_per_s is None:
            return None
        ours = self.find(*result.workload, ENVFLEET_NAME)
        if ours is None or ours.steps_per_s is None:
            return None
        return ours.steps_per_s / result.steps_per_s

    def find(self, task: str, num_envs: int, batch_size: int | None, library: str) -> Result | None:
        """The result of `library` on a workload; `batch_size` None means sync (all envs)."""
        batch_size = num_envs if batch_size is None else batch_size
        for result in self.results:
            if result.workload == (task, num_envs, batch_size) and result.library == library:
                return result
        return None

    @property
    def envfleet_failed(self) -> bool:
        return any(r.failed and r.library == ENVFLEET_NAME for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for r in self.results:
            entry = asdict(r)
            entry["steps_per_s"] = r.steps_per_s
            key = "envfleet_share_of_this" if r.limit else "ratio_envfleet_over_this"
            entry[key] = self.ratio(r)
            results.append(entry)
        return {"settings": self.settings, "results": results, "notes": self.notes}


class Progress:
    """Progress over `total` measurements on stderr: a bar on a terminal, else one line per
    measurement. "[k/total] label" names the k-th measurement as it starts, so the last one
    reads [total/total]; the bar fills as measurements finish."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.label = ""
        self.start = time.perf_counter()

    def begin(self, label: str) -> None:
        self.label = f"[{min(self.done + 1, self.total)}/{self.total}] {label}"
        if self.tty:
            self._draw()
        else:
            print(self.label, file=self.stream, flush=True)

    def advance(self, count: int = 1) -> None:
        """`count` measurements finished (or were dropped)."""
        self.done = min(self.done + count, self.total)
        if self.tty:
            self._draw()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self) -> None:
        filled = self.width * self.done // self.total
        bar = "#" * filled + "-" * (self.width - filled)
        elapsed = time.perf_counter() - self.start
        line = f"[{bar}] {elapsed:5.1f}s {self.label}"
        cols = shutil.get_terminal_size().columns - 1  # never wrap, or \r cannot redraw
        self.stream.write("\r" + line[:cols].ljust(cols))
        self.stream.flush()


def format_rate(rate: float | None) -> str:
    """Steps/s with a unit: 1.23 M, 45.6 k."""
    if rate is None:
        return "-"
    if rate >= 1e6:
        return f"{rate / 1e6:.2f} M"
    if rate >= 1e3:
        return f"{rate / 1e3:.1f} k"
    return f"{rate:.0f}"


def render_notes(report: Report) -> str:
    """The report's notes as Markdown list items, each on a line of its own after a newline."""
    return "".join(f"\n- {note}" for note in report.notes)


def format_ratio(ratio: float | None) -> str:
    """envfleet over a peer: 1.23x, 45.6x."""
    if ratio is None:
        return ""
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


def format_share(share: float | None) -> str:
    """envfleet's share of a raw limit: 87%."""
    return "" if share is None else f"{share:.0%} of it"


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> str:
    """A Markdown table padded so it also reads as plain text; `right` aligns columns right."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    widths = [max(w, 3) for w in widths]

    def line(cells: Sequence[str]) -> str:
        padded = [
            str(c).rjust(w) if i in right else str(c).ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = [("-" * (w - 1) + ":") if i in right else "-" * w for i, w in enumerate(widths)]
    return "\n".join([line(header), line(rule), *(line(r) for r in rows)])


def render_table(report: Report) -> str:
    """The results table: workload, library, threads, steps/s, envfleet/peer ratio (or share of
    the raw limit), note."""
    header = ["workload", "library", "threads", "env-steps/s", "envfleet/peer", "note"]
    rows = []
    for r in report.results:
        name = f"{r.library} ({r.impl})" if r.impl and r.library != ENVFLEET_NAME else r.library
        ratio = report.ratio(r)
        rows.append(
            [
                r.label,
                name,
                f"{r.threads} procs" if r.processes else str(r.threads),
                format_rate(r.steps_per_s),
                format_share(ratio) if r.limit else format_ratio(ratio),
                r.skipped or "",
            ]
        )
    return markdown_table(header, rows, right={2, 3, 4})


# Above this 1-minute load average per usable core, other processes were competing for the CPU.
BUSY_LOAD_PER_CORE = 0.5


def render_legend(report: Report) -> str:
    """What the table's columns mean, with this run's settings."""
    settings = report.settings
    return "\n".join(
        [
            f"env-steps/s: steps of all envs together per second, the median of "
            f"{settings['repeats']} runs of {settings['seconds']:g} s each.",
            "envfleet/peer: envfleet's env-steps/s over the peer's on the same workload "
            "(2.00x: envfleet twice as fast).",
            "raw limit: the emulator or physics alone (no pool, no preprocessing) on one core, "
            "times the threads; 'N% of it' is envfleet's share of that ceiling.",
            f"threads: what the library steps on, at most {settings['threads']} and num_envs "
            "(--threads); 'N procs': one process per env.",
        ]
    )


def busy_warning(report: Report) -> str | None:
    """A warning when other processes were busy during the run, judged by the 1-minute load
    average before it (others only) and after it (others and this run's threads); else None."""
    settings = report.settings
    cores, threads = settings["usable_cores"], settings["threads"]
    before, after = settings["load_before"], settings["load_after"]
    others = max(before, after - min(threads, cores))
    if others <= BUSY_LOAD_PER_CORE * cores:
        return None
    return (
        f"warning: the machine was busy (1-minute load average {before:.1f} before the run, "
        f"{after:.1f} after it, on {cores} usable cores): other processes took CPU time from "
        "these measurements, so the figures are low and the ratios less reliable than on an "
        "idle machine."
    )
