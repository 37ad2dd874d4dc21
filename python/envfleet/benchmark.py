"""Throughput benchmark engine: env-steps per second of envfleet and its peers, same run.

Used by the ``envfleet bench`` command and by the scripts under ``benchmarks/``. A *workload* is a
task at a number of envs; for each workload every selected library (envfleet first, then the
installed peers) is warmed up and then stepped with the same precomputed random actions for
``seconds``, ``repeats`` times; the reported figure is the median of the repeats, in env-steps/s
(steps x num_envs / elapsed). Nothing here asserts on timings: callers report ratios.
"""

from __future__ import annotations

import datetime
import gc
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np

# Distinct random action batches per measurement; the timed loop cycles through them.
ACTION_POOL = 64
# Warm-up before the timed runs: at least this many steps and this share of `seconds`.
WARMUP_STEPS = 50
WARMUP_SHARE = 0.2
# The clock is read once per chunk of steps; chunks are sized to about this share of `seconds`.
CHUNK_SHARE = 0.02
ACTION_SEED = 12345
ENV_SEED = 42
# SyncVectorEnv runs one Python env per copy; above this many it is not measured.
SYNC_MAX_ENVS = 256


@dataclass(frozen=True)
class Task:
    """One benchmark task: its envfleet id and the ids under which each peer knows it."""

    task_id: str
    family: str
    default_num_envs: tuple[int, ...]
    envpool_id: str
    # Gymnasium id; `gymnasium_vector` says whether its vector_entry_point is the same workload,
    # `gymnasium_sync` whether a SyncVectorEnv of gymnasium.make(id) is.
    gymnasium_id: str
    gymnasium_vector: bool = True
    gymnasium_sync: bool = True
    # Module that must be importable (and is imported) for gymnasium to know the id.
    gymnasium_needs: str | None = None


# The task table. Extend it to give a task default sizes and peer ids; a task missing from it is
# benchmarked under its own id with every peer that knows that id.
TASKS: dict[str, Task] = {
    t.task_id: t
    for t in (
        Task("CartPole-v1", "classic_control", (1, 64, 1024), "CartPole-v1", "CartPole-v1"),
        # ale-py's AtariVectorEnv preprocesses as EnvPool does; plain ALE/Pong-v5 does not.
        Task(
            "Pong-v5",
            "atari",
            (8,),
            "Pong-v5",
            "ALE/Pong-v5",
            gymnasium_sync=False,
            gymnasium_needs="ale_py",
        ),
        Task(
            "HalfCheetah-v5",
            "mujoco",
            (8,),
            "HalfCheetah-v5",
            "HalfCheetah-v5",
            gymnasium_needs="mujoco",
        ),
    )
}
DEFAULT_SUITE: tuple[str, ...] = ("CartPole-v1",)
FALLBACK_NUM_ENVS: tuple[int, ...] = (1, 64)


def task_of(task_id: str) -> Task:
    """The table entry of `task_id`, or a same-id entry for a task the table does not list."""
    if task_id in TASKS:
        return TASKS[task_id]
    return Task(task_id, "unknown", FALLBACK_NUM_ENVS, task_id, task_id)


@dataclass(frozen=True)
class Workload:
    """A task at a number of envs."""

    task: Task
    num_envs: int

    @property
    def label(self) -> str:
        return f"{self.task.task_id} x{self.num_envs}"


@dataclass
class Harness:
    """What the timed loop needs from an opened env: reset, step one action, close."""

    reset: Callable[[], object]
    step: Callable[[Any], object]
    close: Callable[[], object]
    action_space: Any  # the single-env gymnasium space
    batched: bool  # True: one action array of shape (num_envs, ...) per step
    impl: str  # class name actually stepped, shown in the table


def _vector_harness(env: Any) -> Harness:
    return Harness(
        env.reset, env.step, env.close, env.single_action_space, True, type(env).__name__
    )


# Openers: (task, num_envs, threads) -> Harness. Each imports its library lazily.
def _open_envfleet(task: Task, num_envs: int, threads: int) -> Harness:
    import envfleet

    pool = envfleet.make_gymnasium(
        task.task_id, num_envs=num_envs, num_threads=threads, seed=ENV_SEED
    )
    return _vector_harness(pool)


def _open_envpool(task: Task, num_envs: int, threads: int) -> Harness:
    import envpool

    pool = envpool.make_gymnasium(
        task.envpool_id, num_envs=num_envs, num_threads=threads, seed=ENV_SEED
    )
    return _vector_harness(pool)


def _open_gymnasium_vector(task: Task, num_envs: int, threads: int) -> Harness:
    import gymnasium

    env = gymnasium.make_vec(
        task.gymnasium_id, num_envs=num_envs, vectorization_mode="vector_entry_point"
    )
    env.reset(seed=ENV_SEED)
    return _vector_harness(env)


def _open_gymnasium_sync(task: Task, num_envs: int, threads: int) -> Harness:
    import gymnasium

    env = gymnasium.make_vec(task.gymnasium_id, num_envs=num_envs, vectorization_mode="sync")
    env.reset(seed=ENV_SEED)
    return _vector_harness(env)


def _open_gymnasium_single(task: Task, num_envs: int, threads: int) -> Harness:
    import gymnasium

    env = gymnasium.make(task.gymnasium_id)
    env.reset(seed=ENV_SEED)

    # The loop a user writes around one env: step, reset when the episode ends.
    def step(action: Any) -> None:
        _, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            env.reset()

    return Harness(
        env.reset, step, env.close, env.action_space, False, type(env.unwrapped).__name__
    )


# Applicability checks: (task, num_envs) -> None if the library runs the workload, else why not.
def _envpool_applies(task: Task, num_envs: int) -> str | None:
    import envpool

    if task.envpool_id not in envpool.list_all_envs():
        return "no EnvPool version of this task"
    return None


def _gymnasium_lacks(task: Task) -> str | None:
    """Why gymnasium cannot make the task's gymnasium id, or None if it can."""
    import gymnasium

    if task.gymnasium_needs is not None:
        try:
            importlib.import_module(task.gymnasium_needs)
        except ImportError:
            return f"{task.gymnasium_needs} not installed"
    if task.gymnasium_id not in gymnasium.registry:
        return "no gymnasium version of this task"
    return None


def _gymnasium_vector_applies(task: Task, num_envs: int) -> str | None:
    import gymnasium

    lacks = _gymnasium_lacks(task)
    if lacks is not None:
        return lacks
    if not task.gymnasium_vector or gymnasium.spec(task.gymnasium_id).vector_entry_point is None:
        return "no gymnasium vectorized version of this task"
    return None


def _gymnasium_sync_applies(task: Task, num_envs: int) -> str | None:
    if not task.gymnasium_sync:
        return "no equivalent gymnasium env"
    if num_envs > SYNC_MAX_ENVS:
        return f"skipped above {SYNC_MAX_ENVS} envs (slow: one Python env per copy)"
    return _gymnasium_lacks(task)


def _gymnasium_single_applies(task: Task, num_envs: int) -> str | None:
    return "no equivalent gymnasium env" if not task.gymnasium_sync else _gymnasium_lacks(task)


@dataclass(frozen=True)
class Library:
    """A library that can step a workload."""

    name: str
    module: str  # import name, for the installed check
    distribution: str  # package name, for the version
    threaded: bool  # takes the thread count; the others always use one thread
    single_env_only: bool  # a plain env: measured only at num_envs == 1
    open: Callable[[Task, int, int], Harness]
    applies: Callable[[Task, int], str | None] | None = None


ENVFLEET = Library("envfleet", "envfleet", "envfleet", True, False, _open_envfleet)
PEERS: dict[str, Library] = {
    lib.name: lib
    for lib in (
        Library("envpool", "envpool", "envpool", True, False, _open_envpool, _envpool_applies),
        Library(
            "gymnasium-vector",
            "gymnasium",
            "gymnasium",
            False,
            False,
            _open_gymnasium_vector,
            _gymnasium_vector_applies,
        ),
        Library(
            "gymnasium-sync",
            "gymnasium",
            "gymnasium",
            False,
            False,
            _open_gymnasium_sync,
            _gymnasium_sync_applies,
        ),
        Library(
            "gymnasium-single",
            "gymnasium",
            "gymnasium",
            False,
            True,
            _open_gymnasium_single,
            _gymnasium_single_applies,
        ),
    )
}
# Names accepted by `select_peers` that stand for several peers.
PEER_GROUPS: dict[str, tuple[str, ...]] = {
    "gymnasium": ("gymnasium-vector", "gymnasium-sync", "gymnasium-single"),
    "all": tuple(PEERS),
    "none": (),
}


def select_peers(spec: str | None) -> list[Library]:
    """Peers named by a comma-separated list of peer or group names; all peers for None."""
    if spec is None:
        return list(PEERS.values())
    names: list[str] = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        if part in PEER_GROUPS:
            names.extend(PEER_GROUPS[part])
        elif part in PEERS:
            names.append(part)
        else:
            known = ", ".join([*PEERS, *PEER_GROUPS])
            raise ValueError(f"unknown peer {part!r}; known: {known}")
    return [PEERS[name] for name in dict.fromkeys(names)]


def installed(lib: Library) -> bool:
    """Whether the library's module can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(lib.module) is not None
    except (ImportError, ValueError):
        return False


def version_of(distribution: str) -> str | None:
    """Installed version of a distribution, or None."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def random_actions(space: Any, batch: int | None, count: int, seed: int) -> list[Any]:
    """`count` random actions of a single-env space; batched to (batch, ...) unless batch is None.

    Discrete actions of a single env are Python ints, as a user passes them.
    """
    from gymnasium import spaces

    rng = np.random.default_rng(seed)
    lead = (count,) if batch is None else (count, batch)
    if isinstance(space, spaces.Discrete):
        start, n = int(space.start), int(space.n)
        drawn = rng.integers(start, start + n, size=lead, dtype=np.int64)
        return drawn.tolist() if batch is None else list(drawn)
    if isinstance(space, spaces.Box):
        drawn = rng.uniform(space.low, space.high, size=lead + space.shape).astype(space.dtype)
        return list(drawn)
    raise TypeError(f"no random actions for action space {space}")


def measure(
    harness: Harness,
    num_envs: int,
    seconds: float,
    repeats: int,
    on_repeat: Callable[[], None] = lambda: None,
) -> list[float]:
    """Env-steps/s of `repeats` timed runs of about `seconds` each, after a warm-up."""
    batch = num_envs if harness.batched else None
    pool = random_actions(harness.action_space, batch, ACTION_POOL, ACTION_SEED)
    step = harness.step
    harness.reset()

    # Warm-up, doubling the chunk until one chunk takes about CHUNK_SHARE of `seconds`.
    chunk_s = seconds * CHUNK_SHARE
    warmup_end = time.perf_counter() + seconds * WARMUP_SHARE
    chunk, warmed = 1, 0
    while True:
        start = time.perf_counter()
        for i in range(chunk):
            step(pool[(warmed + i) % ACTION_POOL])
        now = time.perf_counter()
        warmed += chunk
        if warmed >= WARMUP_STEPS and now >= warmup_end and now - start >= chunk_s / 2:
            break
        if now - start < chunk_s:
            chunk *= 2
    actions = [pool[i % ACTION_POOL] for i in range(chunk)]

    # Timed runs: whole chunks until the deadline, the clock read once per chunk.
    rates = []
    for _ in range(repeats):
        steps = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for action in actions:
                step(action)
            steps += chunk
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(steps * num_envs / (now - start))
        on_repeat()
    return rates


@dataclass
class Result:
    """One library on one workload: the runs, or why it was skipped."""

    task: str
    num_envs: int
    library: str
    impl: str = ""
    threads: int = 1
    rates: list[float] = field(default_factory=list)
    skipped: str | None = None
    failed: bool = False  # skipped because it raised, not by design

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
        """envfleet's steps/s over this result's, on the same workload."""
        if result.library == ENVFLEET.name or result.steps_per_s is None:
            return None
        ours = self.find(result.task, result.num_envs, ENVFLEET.name)
        if ours is None or ours.steps_per_s is None:
            return None
        return ours.steps_per_s / result.steps_per_s

    def find(self, task: str, num_envs: int, library: str) -> Result | None:
        for result in self.results:
            if (result.task, result.num_envs, result.library) == (task, num_envs, library):
                return result
        return None

    @property
    def envfleet_failed(self) -> bool:
        return any(r.failed and r.library == ENVFLEET.name for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        results = []
        for r in self.results:
            entry = asdict(r)
            entry["steps_per_s"] = r.steps_per_s
            entry["ratio_envfleet_over_this"] = self.ratio(r)
            results.append(entry)
        return {"settings": self.settings, "results": results, "notes": self.notes}


class Progress:
    """A small progress bar on stderr; one plain line per label when stderr is not a terminal."""

    def __init__(self, total: int, stream: TextIO | None = None, width: int = 24) -> None:
        self.total, self.done, self.width = max(total, 1), 0, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.label = ""
        self.start = time.perf_counter()

    def begin(self, label: str) -> None:
        self.label = label
        if self.tty:
            self._draw()
        else:
            print(f"[{self.done}/{self.total}] {label}", file=self.stream, flush=True)

    def advance(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
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
        line = f"[{bar}] {self.done}/{self.total} {elapsed:5.1f}s {self.label}"
        cols = shutil.get_terminal_size().columns - 1  # never wrap, or \r cannot redraw
        self.stream.write("\r" + line[:cols].ljust(cols))
        self.stream.flush()


def plan_workloads(
    task_ids: Sequence[str], num_envs: Sequence[int] | None
) -> tuple[list[Workload], list[str]]:
    """Workloads for the tasks envfleet has, and a note for each task it does not."""
    import envfleet

    available = set(envfleet.list_all_envs())
    workloads: list[Workload] = []
    notes: list[str] = []
    for task_id in task_ids:
        task = task_of(task_id)
        if task_id not in available:
            why = f"its family ({task.family}) is not built" if task_id in TASKS else "unknown id"
            notes.append(f"{task_id}: skipped, not in this envfleet build ({why})")
            continue
        workloads.extend(Workload(task, n) for n in (num_envs or task.default_num_envs))
    return workloads, notes


def run(
    workloads: Iterable[Workload],
    peers: Sequence[Library],
    *,
    seconds: float,
    repeats: int,
    threads: int = 0,
    progress: bool = True,
) -> Report:
    """Measure envfleet and each installed peer on each workload, in that order.

    `threads` is given to envfleet and to threaded peers alike (capped at num_envs); 0 means the
    cores this process may use. A peer that is missing, does not apply or raises is a skipped
    result or a note, never an error.
    """
    workloads = list(workloads)
    threads = threads or usable_cores()
    notes = []
    present = []
    for lib in peers:
        if installed(lib):
            present.append(lib)
        else:
            notes.append(f"{lib.name}: not installed, not measured")

    # Plan every (workload, library) pair first, so the progress bar knows its total.
    plan: list[tuple[Workload, Library, str | None]] = []
    for wl in workloads:
        plan.append((wl, ENVFLEET, None))
        for lib in present:
            if lib.single_env_only and wl.num_envs != 1:
                continue
            plan.append((wl, lib, lib.applies(wl.task, wl.num_envs) if lib.applies else None))
    bar = Progress(repeats * sum(why is None for _, _, why in plan)) if progress else None

    results: list[Result] = []
    unbuilt: set[str] = set()  # tasks whose envfleet family module cannot be imported
    for wl, lib, why in plan:
        libthreads = min(threads, wl.num_envs) if lib.threaded else 1
        result = Result(wl.task.task_id, wl.num_envs, lib.name, threads=libthreads, skipped=why)
        if wl.task.task_id in unbuilt:
            if why is None and bar:
                bar.advance(repeats)
            continue
        results.append(result)
        if why is not None:
            continue
        if bar:
            bar.begin(f"{wl.label}: {lib.name}")
        error = _measure_into(result, wl, lib, seconds, repeats, bar)
        # A family that is registered but not built: say so once and drop the task.
        if lib is ENVFLEET and isinstance(error, ImportError):
            unbuilt.add(wl.task.task_id)
            results.remove(result)
            notes.append(f"{wl.task.task_id}: skipped, its envfleet family is not built ({error})")
    if bar:
        bar.close()

    settings = {"seconds": seconds, "repeats": repeats, "threads": threads, "statistic": "median"}
    return Report(results, notes, settings)


def _measure_into(
    result: Result,
    wl: Workload,
    lib: Library,
    seconds: float,
    repeats: int,
    bar: Progress | None,
) -> Exception | None:
    """Open, measure and close one library on one workload; a failure becomes a skip note."""
    ticks = 0

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        if bar:
            bar.advance()

    harness = None
    try:
        # Warnings (such as peers' dtype casts when building spaces) would garble the progress.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            harness = lib.open(wl.task, wl.num_envs, result.threads)
            result.impl = harness.impl
            result.rates = measure(harness, wl.num_envs, seconds, repeats, tick)
        return None
    except Exception as exc:  # any library failure is reported in the table, not raised
        result.skipped = f"failed: {type(exc).__name__}: {exc}"
        result.failed = True
        if bar:
            bar.advance(repeats - ticks)
        result.rates = []
        return exc
    finally:
        if harness is not None:
            harness.close()
        gc.collect()


def format_rate(rate: float | None) -> str:
    """Steps/s with a unit: 1.23 M, 45.6 k."""
    if rate is None:
        return "-"
    if rate >= 1e6:
        return f"{rate / 1e6:.2f} M"
    if rate >= 1e3:
        return f"{rate / 1e3:.1f} k"
    return f"{rate:.0f}"


def format_ratio(ratio: float | None) -> str:
    if ratio is None:
        return ""
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.1f}x"


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
    """The results table: workload, library, threads, steps/s, envfleet/peer ratio, note."""
    header = ["workload", "library", "threads", "env-steps/s", "envfleet/peer", "note"]
    rows = []
    for r in report.results:
        name = f"{r.library} ({r.impl})" if r.impl and r.library != ENVFLEET.name else r.library
        rows.append(
            [
                f"{r.task} x{r.num_envs}",
                name,
                str(r.threads),
                format_rate(r.steps_per_s),
                format_ratio(report.ratio(r)),
                r.skipped or "",
            ]
        )
    return markdown_table(header, rows, right={2, 3, 4})


def cpu_model() -> str:
    """CPU model name from /proc/cpuinfo, or what the platform module says."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_machine(command: str) -> dict[str, Any]:
    """The machine and software a run was measured on, with the command that ran it."""
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            name: version_of(name) for name in ("envfleet", "numpy", "gymnasium", "envpool")
        },
        "command": command,
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def write_json(path: str | os.PathLike[str], report: Report, machine: dict[str, Any]) -> None:
    """Write the machine, the settings, every result and the notes as JSON."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"machine": machine, **report.to_dict()}, f, indent=2)
        f.write("\n")


def render_machine(machine: dict[str, Any]) -> str:
    """The machine description as a Markdown bullet list."""
    versions = ", ".join(f"{k} {v or 'not installed'}" for k, v in machine["versions"].items())
    return "\n".join(
        [
            (
                f"- CPU: {machine['cpu']}, {machine['usable_cores']} usable cores"
                f" ({machine['logical_cores']} logical)"
            ),
            f"- {machine['platform']}, Python {machine['python']}",
            f"- {versions}",
            f"- measured {machine['date']}",
        ]
    )


PAGE_TITLE = (
    "# Benchmarks\n\nEach section is generated by the script it names; run it again to update it.\n"
)


def write_page_section(path: Path, name: str, section: str) -> None:
    """Replaces section `name` of a Markdown results page (between `<!-- name:begin/end -->`
    markers), or appends it; the other sections are kept."""
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    block = f"{begin}\n{section.strip()}\n{end}\n"
    page = path.read_text(encoding="utf-8") if path.exists() else PAGE_TITLE
    if begin in page and end in page:
        page = page[: page.index(begin)] + block + page[page.index(end) + len(end) + 1 :]
    else:
        page = page.rstrip() + "\n\n" + block
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def run_in_fresh_process(script: str, worker_args: Sequence[str]) -> dict[str, Any]:
    """Runs `python script --worker ARGS...`, which prints one JSON object as its last line, and
    returns that object; a failed worker gives {"error": its last line of stderr}."""
    command = [sys.executable, script, "--worker", *worker_args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}


def render_method(machine: dict[str, Any]) -> str:
    """The "How this was measured" block of a results section: the command and the machine."""
    return f"""### How this was measured

```
{machine["command"]}
```

{render_machine(machine)}
"""
