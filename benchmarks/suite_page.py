"""Renders the suite's JSON (benchmarks/suite.py) into docs/benchmarks.md and PNG plots.

Plots, one panel per task: throughput over num_envs (every library, sync; envfleet async
dashed; the raw limit as a grey line), scaling over threads, and each library's share of the
raw limit. Tables: the same figures, latency at one env, memory per env, time to make 64 envs,
import time, and a projection to larger machines.

    python benchmarks/suite_page.py [--json FILE] [--out FILE] [--img-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from envfleet import benchmark

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_JSON = ROOT / "docs" / "results" / "suite.json"
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
DEFAULT_IMG = ROOT / "docs" / "img"
MAKE_ENVS = 64
RAW = "raw limit"
# Cores of the machines EnvPool published Atari figures for (its README: Pong-v5, "Highest FPS",
# frames/s with frame_skip 4, EnvPool 0.x): laptop 12, TPU-VM 96, DGX-A100 256; async mode, and
# NUMA + async on the larger two.
ENVPOOL_PUBLISHED_PONG_FPS = {12: 50_513, 96: 367_799, 256: 1_060_371}
PROJECTED_CORES = (16, 64, 256)


def _rate(r: dict[str, Any]) -> float | None:
    return r["steps_per_s"] if r["rates"] else None


def _by_task(results: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        grouped[r["task"]].append(r)
    return grouped


def _libraries(results: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(r["library"] for r in results))


def throughput_table(results: list[dict[str, Any]], sync: bool) -> str:
    """Rows: num_envs; columns: libraries (env-steps/s), then envfleet over the best peer."""
    chosen = [r for r in results if (r["batch_size"] == r["num_envs"]) == sync]
    libs = [
        lib for lib in _libraries(chosen) if any(_rate(r) for r in chosen if r["library"] == lib)
    ]
    rows = []
    for n in sorted({r["num_envs"] for r in chosen}):
        at = {r["library"]: r for r in chosen if r["num_envs"] == n}
        rates = {lib: _rate(at[lib]) if lib in at else None for lib in libs}
        peers = [v for lib, v in rates.items() if lib not in ("envfleet", RAW) and v]
        ours = rates.get("envfleet")
        best = benchmark.format_ratio(ours / max(peers)) if ours and peers else ""
        batch = f" (batch {n // 2})" if not sync else ""
        rows.append([f"{n}{batch}", *(benchmark.format_rate(rates[lib]) for lib in libs), best])
    header = ["num_envs", *libs, "envfleet / best peer"]
    return benchmark.markdown_table(header, rows, right=set(range(1, len(header))))


def per_library_table(
    results: list[dict[str, Any]], num_envs: int, key: str, unit: str, scale: float
) -> str:
    """One row per task, one column per library: `key` of the sync run at `num_envs`."""
    chosen = [r for r in results if r["num_envs"] == num_envs and r["batch_size"] == num_envs]
    libs = [lib for lib in _libraries(chosen) if lib != RAW]
    rows = []
    for task, task_results in _by_task(chosen).items():
        at = {r["library"]: r for r in task_results}
        cells = []
        for lib in libs:
            value = at[lib].get(key) if lib in at and at[lib]["rates"] else None
            cells.append("-" if value is None else f"{value * scale:.{1 if scale < 1e3 else 0}f}")
        rows.append([task, *cells])
    return benchmark.markdown_table(
        [f"task ({unit})", *libs], rows, right=set(range(1, len(libs) + 1))
    )


def latency_table(results: list[dict[str, Any]]) -> str:
    """Microseconds per step of one env (1 / throughput at num_envs = 1)."""
    chosen = [r for r in results if r["num_envs"] == 1 and _rate(r)]
    libs = [lib for lib in _libraries(chosen) if lib != RAW]
    rows = []
    for task, task_results in _by_task(chosen).items():
        at = {r["library"]: _rate(r) for r in task_results}
        rows.append([task, *(f"{1e6 / at[lib]:.1f}" if lib in at else "-" for lib in libs)])
    return benchmark.markdown_table(
        ["task (µs/step)", *libs], rows, right=set(range(1, len(libs) + 1))
    )


def scaling_table(scaling: list[dict[str, Any]]) -> str:
    """Rows: task and library; columns: threads; cells: env-steps/s and speed-up over 1 thread."""
    threads = sorted({r["threads"] for r in scaling})
    rows = []
    for task, task_results in _by_task(scaling).items():
        for lib in _libraries(task_results):
            by_threads = {r["threads"]: _rate(r) for r in task_results if r["library"] == lib}
            one = by_threads.get(1)
            cells = []
            for t in threads:
                rate = by_threads.get(t)
                speedup = f" ({rate / one:.2f}x)" if rate and one and t > 1 else ""
                cells.append(benchmark.format_rate(rate) + speedup)
            n = task_results[0]["num_envs"]
            rows.append([f"{task} x{n}", lib, *cells])
    header = ["workload", "library", *(f"{t} thread{'s' * (t > 1)}" for t in threads)]
    return benchmark.markdown_table(header, rows, right=set(range(2, len(header))))


def projection_table(scaling: list[dict[str, Any]]) -> str:
    """envfleet's Pong-v5 rate per core, times the cores of larger machines, beside EnvPool's
    published figures for the machines it measured."""
    pong = [r for r in scaling if r["task"] == "Pong-v5" and r["library"] == "envfleet"]
    pong = [r for r in pong if _rate(r)]
    if not pong:
        return "(no Pong-v5 thread-scaling figures in this run)"
    widest = max(pong, key=lambda r: r["threads"])
    one = next((r for r in pong if r["threads"] == 1), widest)
    per_core = _rate(widest) / widest["threads"]
    efficiency = per_core / _rate(one)
    rows = []
    for cores in sorted({*PROJECTED_CORES, *ENVPOOL_PUBLISHED_PONG_FPS}):
        published = ENVPOOL_PUBLISHED_PONG_FPS.get(cores)
        rows.append(
            [
                str(cores),
                benchmark.format_rate(per_core * cores),
                benchmark.format_rate(published / 4) if published else "-",
            ]
        )
    table = benchmark.markdown_table(
        ["cores", "envfleet, projected (env-steps/s)", "EnvPool, published (env-steps/s)"],
        rows,
        right={0, 1, 2},
    )
    return (
        f"Per-core rate measured here: {benchmark.format_rate(per_core)} env-steps/s "
        f"(Pong-v5 x{widest['num_envs']} on {widest['threads']} threads; "
        f"{efficiency:.0%} of the 1-thread rate per thread).\n\n{table}"
    )


def plot_all(data: dict[str, Any], img_dir: Path) -> list[str]:
    """Writes the PNG plots; returns their file names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    img_dir.mkdir(parents=True, exist_ok=True)
    tasks = _by_task(data["results"])
    names = []

    def save(fig: Any, name: str) -> str:
        """Lays out, writes and closes `fig` as img_dir/name; returns the name."""
        fig.tight_layout()
        fig.savefig(img_dir / name, dpi=90)
        plt.close(fig)
        return name

    # Throughput over num_envs, one panel per task.
    fig, axes = plt.subplots(1, len(tasks), figsize=(5 * len(tasks), 4), squeeze=False)
    for ax, (task, results) in zip(axes[0], tasks.items(), strict=True):
        # One colour per library; async dashed in the same colour; the raw limit grey, once.
        for index, lib in enumerate(_libraries(results)):
            for sync in (True, False) if lib != RAW else (True,):
                points = sorted(
                    (r["num_envs"], _rate(r))
                    for r in results
                    if r["library"] == lib
                    and (r["batch_size"] == r["num_envs"]) == sync
                    and _rate(r)
                )
                if not points:
                    continue
                style = {"color": f"C{index}", "linestyle": "-" if sync else "--"}
                if lib == RAW:
                    style = {"color": "grey", "linestyle": ":"}
                label = lib if sync else f"{lib} async"
                xs, ys = zip(*points, strict=True)
                ax.plot(xs, ys, marker="o", label=label, **style)
        ax.set(xscale="log", yscale="log", title=task, xlabel="num_envs", ylabel="env-steps/s")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    names.append(save(fig, "throughput_vs_num_envs.png"))

    # Scaling over threads.
    scaling = _by_task(data["thread_scaling"])
    if scaling:
        fig, axes = plt.subplots(1, len(scaling), figsize=(5 * len(scaling), 4), squeeze=False)
        for ax, (task, results) in zip(axes[0], scaling.items(), strict=True):
            for lib in _libraries(results):
                points = sorted(
                    (r["threads"], _rate(r)) for r in results if r["library"] == lib and _rate(r)
                )
                if points:
                    xs, ys = zip(*points, strict=True)
                    line = ax.plot(xs, ys, marker="o", label=lib)[0]
                    if lib != RAW:
                        ideal = [ys[0] * x / xs[0] for x in xs]
                        ax.plot(xs, ideal, ":", color=line.get_color(), alpha=0.5)
            n = results[0]["num_envs"]
            ax.set(title=f"{task} x{n} (dotted: linear)", xlabel="threads", ylabel="env-steps/s")
            ax.set_xticks(sorted({r["threads"] for r in results}))
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7)
        names.append(save(fig, "scaling_vs_threads.png"))

    # Share of the raw limit, sync, per library and num_envs.
    limited = {
        t: rs for t, rs in tasks.items() if any(r["library"] == RAW and _rate(r) for r in rs)
    }
    if limited:
        fig, axes = plt.subplots(1, len(limited), figsize=(5 * len(limited), 4), squeeze=False)
        for ax, (task, results) in zip(axes[0], limited.items(), strict=True):
            sync = [r for r in results if r["batch_size"] == r["num_envs"]]
            raw = {r["num_envs"]: _rate(r) for r in sync if r["library"] == RAW and _rate(r)}
            for lib in _libraries(sync):
                if lib == RAW:
                    continue
                points = sorted(
                    (r["num_envs"], _rate(r) / raw[r["num_envs"]])
                    for r in sync
                    if r["library"] == lib and _rate(r) and r["num_envs"] in raw
                )
                if points:
                    xs, ys = zip(*points, strict=True)
                    ax.plot(xs, ys, marker="o", label=lib)
            ax.axhline(1.0, color="grey", linestyle=":")
            ax.set(xscale="log", title=task, xlabel="num_envs", ylabel="share of the raw limit")
            ax.set_ylim(0, 1.1)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7)
        names.append(save(fig, "share_of_raw_limit.png"))
    return names


def render(data: dict[str, Any], images: list[str], img_prefix: str) -> str:
    """The suite's section of docs/benchmarks.md."""
    results = data["results"]
    tasks = _by_task(results)
    blocks = []
    for task, task_results in tasks.items():
        blocks.append(f"#### {task}, sync\n\n{throughput_table(task_results, sync=True)}\n")
        if any(r["batch_size"] < r["num_envs"] for r in task_results):
            blocks.append(f"#### {task}, async\n\n{throughput_table(task_results, sync=False)}\n")
    imports = "\n".join(
        f"- {module}: " + ("not installed" if s is None else f"{s * 1e3:.0f} ms")
        for module, s in data["import_seconds"].items()
    )
    notes = "".join(f"\n- {note}" for note in data["notes"])
    plots = "\n".join(f"![{name}]({img_prefix}{name})" for name in images)
    return f"""## The suite: every family against every peer

Generated by `benchmarks/suite.py` (measures; JSON in `docs/results/suite.json`) and
`benchmarks/suite_page.py` (this section and the plots). Every figure is env-steps per second,
the median of {data["settings"]["repeats"]} runs of {data["settings"]["seconds"]:g} s,
each library measured in a fresh process on the same workload with the same random actions. Async
rows step the first num_envs / 2 envs to finish. The raw limit is the emulator or physics alone
on one core (ale-py's `act` x 4; `mj_step` x frame_skip), as many simulators as the workload has
envs driven by the pool's actions, times the threads.

{plots}

### Throughput

{"".join(block + chr(10) for block in blocks)}
### Scaling over threads

{scaling_table(data["thread_scaling"])}

### Latency at one env

{latency_table(results)}

### Resident memory per env at {MAKE_ENVS} envs

The process's (and its children's) resident memory after stepping, minus before making the envs,
over the number of envs.

{per_library_table(results, MAKE_ENVS, "bytes_per_env", "MiB per env", 1 / 2**20)}

### Time to make {MAKE_ENVS} envs

Construction and first reset, in milliseconds.

{per_library_table(results, MAKE_ENVS, "open_seconds", "ms", 1e3)}

### Import time

`python -c "import X"` minus an empty interpreter (median of {data["import_repeats"]} runs):

{imports}

### Projection to larger machines (a projection, not a measurement)

envfleet's measured Pong-v5 rate per core times the cores, assuming each added core adds that
rate. That holds only while the batch keeps every thread busy and memory bandwidth is not the
limit; EnvPool's published figures show the per-core rate falling on NUMA machines unless its
NUMA mode is used. EnvPool's figures are those it publishes in its README for Pong-v5
(frames/s / 4), measured on other CPUs with older versions; the two columns are not a same-run
comparison.

{projection_table(data["thread_scaling"])}
{notes}
{benchmark.render_method(data["machine"])}"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="the suite's results")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown page to write")
    parser.add_argument("--img-dir", type=Path, default=DEFAULT_IMG, help="folder for the PNGs")
    args = parser.parse_args(argv)
    data = json.loads(args.json.read_text(encoding="utf-8"))
    images = plot_all(data, args.img_dir)
    prefix = Path(os.path.relpath(args.img_dir, args.out.parent)).as_posix() + "/"
    benchmark.write_page_section(args.out, "suite", render(data, images, prefix))
    print(f"wrote {args.out} and {len(images)} plots in {args.img_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
