"""The benchmark suite end to end on a tiny budget: measure (JSON), then render page and plots.

It checks what is written (the results of each library, the tables, valid PNG files), never how
fast anything ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_suite_measures_then_renders_page_and_plots(tmp_path: Path) -> None:
    results, page, img = tmp_path / "suite.json", tmp_path / "benchmarks.md", tmp_path / "img"
    tiny = ["--seconds", "0.02", "--repeats", "1", "--no-progress"]
    measure = [sys.executable, "benchmarks/suite.py", "--quick", "--peers", "gymnasium-vector"]
    subprocess.run([*measure, *tiny, "--out", str(results)], cwd=ROOT, check=True)

    data = json.loads(results.read_text())
    assert data["machine"]["command"].startswith("python benchmarks/suite.py --quick")
    measured = {(r["library"], r["num_envs"], r["batch_size"]): r for r in data["results"]}
    # Sync 1 and 4 envs for both; async (batch 2 of 4) for envfleet, a note for the Python one.
    assert set(measured) == {
        (lib, n, b) for lib in ("envfleet", "gymnasium-vector") for n, b in ((1, 1), (4, 4), (4, 2))
    }
    assert measured[("gymnasium-vector", 4, 2)]["skipped"] == "no batch_size < num_envs mode"
    for key in (("envfleet", 4, 4), ("envfleet", 4, 2), ("gymnasium-vector", 4, 4)):
        result = measured[key]
        assert result["steps_per_s"] > 0 and result["open_seconds"] > 0
        assert result["bytes_per_env"] is not None
    # One thread up to every usable core, envfleet alone (the one peer here has no threads).
    cores = len(os.sched_getaffinity(0))
    scaling = {(r["library"], r["threads"]) for r in data["thread_scaling"]}
    assert scaling == {("envfleet", t) for t in range(1, cores + 1)}
    assert data["import_seconds"]["envfleet"] > 0

    render = [sys.executable, "benchmarks/suite_page.py", "--json", str(results)]
    subprocess.run([*render, "--out", str(page), "--img-dir", str(img)], cwd=ROOT, check=True)
    text = page.read_text()
    assert "#### CartPole-v1, sync" in text and "#### CartPole-v1, async" in text
    assert "| num_envs | envfleet | gymnasium-vector | envfleet / best peer |" in text
    for name in ("throughput_vs_num_envs.png", "scaling_vs_threads.png"):
        assert f"](img/{name})" in text
        assert (img / name).read_bytes().startswith(PNG_MAGIC)
