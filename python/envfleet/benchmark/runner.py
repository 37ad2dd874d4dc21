"""Running a benchmark: plan the workloads, then measure envfleet and each peer on each one.

A measurement runs here (`measure_into`) or in a fresh Python process (`measure_in_fresh_process`,
which starts ``python -m envfleet.benchmark.worker``; the worker imports this module, never the
other way round).
"""

from __future__ import annotations

import dataclasses
import gc
import importlib
import os
import sys
import time
import warnings
from collections.abc import Iterable, Sequence

from envfleet.benchmark.libraries import ENVFLEET, Library, installed, usable_cores
from envfleet.benchmark.measure import measure
from envfleet.benchmark.process import resident_bytes, run_json_command
from envfleet.benchmark.raw_limits import mujoco_without_timer_callback
from envfleet.benchmark.report import Progress, Report, Result
from envfleet.benchmark.tasks import TASKS, Workload, task_of


def plan_workloads(
    task_ids: Sequence[str], num_envs: Sequence[int] | None, batch_size: int | None = None
) -> tuple[list[Workload], list[str]]:
    """Workloads for the tasks envfleet has, and a note for each task it does not.

    `num_envs` None: each task's default sizes. `batch_size` None: sync (every env each step);
    otherwise async with that batch, for the sizes with more envs than that.
    """
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
        for n in num_envs or task.default_num_envs:
            if batch_size is None:
                workloads.append(Workload(task, n, n))
            elif batch_size < n:
                workloads.append(Workload(task, n, batch_size))
            else:
                notes.append(f"{task_id} x{n}: skipped, batch size {batch_size} needs more envs")
    return workloads, notes


def run(
    workloads: Iterable[Workload],
    peers: Sequence[Library],
    *,
    seconds: float,
    repeats: int,
    threads: int = 0,
    progress: bool = True,
    isolate: bool = False,
    turns: bool = False,
) -> Report:
    """Measure envfleet and each installed peer on each workload, in that order.

    `threads` is given to envfleet and to threaded peers alike (capped at num_envs); 0 means the
    cores this process may use. A peer that is missing, does not apply or raises is a skipped
    result or a note, never an error. With `isolate`, each measurement runs in a fresh Python
    process (slower to start; no library shares the machine or the memory figure with another).
    With `turns`, the libraries of a workload take turns: each of the `repeats` rounds is one
    timed run of each (with `isolate`, one process each), envfleet first, then the raw limits,
    then the peers; a slower spell of a shared machine then falls on every library of a round
    rather than on one library's runs, and envfleet's share of a limit compares runs seconds apart.
    """
    workloads = list(workloads)
    cores = usable_cores()
    threads = threads or cores
    load_before = os.getloadavg()[0]
    notes = []
    present = []
    for lib in peers:
        if installed(lib):
            present.append(lib)
        else:
            notes.append(f"{lib.name}: not installed, not measured; {install_hint(lib)}")

    # Plan every (workload, library) pair first, so the progress bar knows its total.
    plan: list[tuple[Workload, list[Result], list[Library]]] = []
    for wl in workloads:
        libs = [ENVFLEET]
        for lib in present:
            if not (lib.single_env_only and wl.num_envs != 1) and lib.runs(wl.task):
                libs.append(lib)
        results = [_planned_result(wl, lib, threads) for lib in libs]
        plan.append((wl, results, libs))
    runs_each = repeats if turns else 1
    measured_count = sum(r.skipped is None for _, results, _ in plan for r in results)
    bar = Progress(runs_each * measured_count) if progress else None

    reported: list[Result] = []
    unbuilt: set[str] = set()  # tasks whose envfleet family module cannot be imported
    for wl, results, libs in plan:
        if wl.task.task_id in unbuilt:
            error: Exception | None = ImportError()
            if bar:
                bar.advance(runs_each * sum(r.skipped is None for r in results))
        else:
            error = _measure_workload(
                wl, results, libs, seconds, repeats, isolate=isolate, turns=turns, bar=bar
            )
        if not isinstance(error, ImportError):
            reported += results
        elif wl.task.task_id not in unbuilt:
            # A family that is registered but not built: say so once and drop the task.
            unbuilt.add(wl.task.task_id)
            notes.append(f"{wl.task.task_id}: skipped, its envfleet family is not built ({error})")
    if bar:
        bar.close()

    settings = {
        "seconds": seconds,
        "repeats": repeats,
        "threads": threads,
        "statistic": "median",
        "usable_cores": cores,
        "load_before": load_before,
        "load_after": os.getloadavg()[0],
    }
    return Report(reported, notes, settings)


def _planned_result(wl: Workload, lib: Library, threads: int) -> Result:
    """The result `lib` will fill on `wl`, skipped (with why) where the library does not apply."""
    why = lib.applies(wl.task, wl.num_envs, wl.batch_size) if lib.applies else None
    # Threads the library steps on; a subprocess peer runs one process per env instead.
    libthreads = min(threads, wl.num_envs) if lib.threaded else 1
    return Result(
        wl.task.task_id,
        wl.num_envs,
        wl.batch_size,
        lib.name,
        threads=wl.num_envs if lib.processes else libthreads,
        skipped=why,
        limit=lib.limit,
        processes=lib.processes,
    )


def _measure_workload(
    wl: Workload,
    results: Sequence[Result],
    libs: Sequence[Library],
    seconds: float,
    repeats: int,
    *,
    isolate: bool,
    turns: bool,
    bar: Progress | None,
) -> Exception | None:
    """Fills each planned result of one workload (see `run` for `isolate` and `turns`); returns
    envfleet's ImportError if its family is not built (the others are then not measured)."""
    pairs = [(r, lib) for r, lib in zip(results, libs, strict=True) if r.skipped is None]
    if turns:
        pairs.sort(key=lambda pair: (pair[1] is not ENVFLEET, not pair[1].limit))
    rounds, runs = (repeats, 1) if turns else (1, repeats)
    left = rounds * len(pairs)  # measurements the progress bar still expects
    for _ in range(rounds):
        for result, lib in pairs:
            left -= 1
            if result.failed:  # a library that failed once is not measured again
                if bar:
                    bar.advance()
                continue
            earlier = result.rates
            if bar:
                bar.begin(f"{wl.label}: {lib.name}")
            if isolate:
                error = measure_in_fresh_process(result, seconds, runs)
            else:
                error = measure_into(result, wl, lib, seconds, runs)
            if bar:
                bar.advance()
            result.rates = [] if result.failed else earlier + result.rates
            if lib is ENVFLEET and isinstance(error, ImportError):
                if bar:
                    bar.advance(left)
                return error
    return None


def install_hint(lib: Library) -> str:
    """How to install a missing peer: its package, or every peer with the `bench` extra."""
    every = 'every peer: pip install ".[bench]" in the envfleet checkout'
    return f"pip install {lib.distribution} ({every})"


def measure_into(
    result: Result, wl: Workload, lib: Library, seconds: float, repeats: int
) -> Exception | None:
    """Open, measure and close one library on one workload, filling `result`: the rates, the
    time to open, resident memory per env; a failure becomes a skip note."""
    harness = None
    try:
        # Warnings (such as peers' dtype casts when building spaces) would garble the progress.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # The library's import is not part of the per-env memory or the time to open.
            importlib.import_module(lib.module)
            baseline = resident_bytes()
            start = time.perf_counter()
            harness = lib.open(wl.task, wl.num_envs, wl.batch_size, result.threads)
            result.open_seconds = time.perf_counter() - start
            result.impl = harness.impl
            batch = wl.batch_size if harness.batched else 1
            if lib is ENVFLEET and "mujoco" in sys.modules:
                # A peer measured earlier in this process imported `mujoco`; envfleet alone
                # does not, so it runs without the timer callback that import installs.
                mujoco_without_timer_callback()
            result.rates = measure(harness, batch, seconds, repeats)
            if baseline:
                result.bytes_per_env = (resident_bytes() - baseline) / wl.num_envs
        return None
    except Exception as exc:  # any library failure is reported in the table, not raised
        result.skipped = f"failed: {type(exc).__name__}: {exc}"
        result.failed = True
        result.rates = []
        return exc
    finally:
        if harness is not None:
            harness.close()
        gc.collect()


# The module a fresh process runs to measure one library on one workload.
WORKER_MODULE = "envfleet.benchmark.worker"


def worker_command(result: Result, seconds: float, repeats: int) -> list[str]:
    """The command line that measures `result`'s library on its workload in a fresh process; its
    arguments are those of envfleet.benchmark.worker's `main`."""
    return [
        sys.executable,
        "-m",
        WORKER_MODULE,
        result.task,
        str(result.num_envs),
        str(result.batch_size),
        result.library,
        str(result.threads),
        str(seconds),
        str(repeats),
    ]


def measure_in_fresh_process(result: Result, seconds: float, repeats: int) -> Exception | None:
    """`measure_into` in a fresh Python process (envfleet.benchmark.worker), copied into
    `result`; a worker that dies becomes a failed result."""
    measured = run_json_command(worker_command(result, seconds, repeats))
    if "error" in measured:
        result.skipped, result.failed = f"failed: worker died: {measured['error']}", True
        return RuntimeError(measured["error"])
    for name in (f.name for f in dataclasses.fields(result)):
        setattr(result, name, measured[name])
    unbuilt = any(name in (result.skipped or "") for name in ("ImportError", "ModuleNotFoundError"))
    return ImportError(result.skipped) if unbuilt else None
