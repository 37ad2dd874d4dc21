"""clang-tidy finds nothing in the engine and the families (.clang-tidy lists the checks and why).

It reads the compile flags from the compile_commands.json that CMake writes in the build folder
(`pip install .` builds in build/<wheel tag>/, `-Cbuild-dir=build` in build/). It runs on every
file of the engine and on one file per other folder: the family's env_types.cc, which includes
every env header of the family (findings in envfleet's headers count, .clang-tidy's
HeaderFilterRegex), else the folder's first source. Every file of every folder takes about three
times as long (over a minute of CPU time); `clang-tidy -p build cpp/envfleet/*/*.cc` runs them all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "cpp" / "envfleet"

pytestmark = pytest.mark.slow


def compile_commands() -> Path:
    """The compile_commands.json of this checkout's build folders that compiles the most files
    (the Python build's, with every family, rather than the engine tests'), the newest of
    those."""
    found = [*ROOT.glob("build/compile_commands.json"), *ROOT.glob("build/*/compile_commands.json")]
    assert found, "no build/**/compile_commands.json: build first (pip install .)"
    return max(found, key=lambda path: (len(json.loads(path.read_text())), path.stat().st_mtime))


def checked_files(built: set[Path]) -> list[Path]:
    """The engine's built sources, and one built source of each other folder."""
    files = sorted(f for f in built if f.parent == SOURCES / "core")
    for folder in sorted(p for p in SOURCES.iterdir() if p.is_dir() and p.name != "core"):
        sources = sorted(f for f in built if f.parent == folder)
        if sources:
            preferred = folder / "env_types.cc"
            files.append(preferred if preferred in sources else sources[0])
    return files


def test_the_engine_and_one_file_per_family_are_clang_tidy_clean() -> None:
    assert shutil.which("clang-tidy"), "clang-tidy is part of the test extra: pip install '.[test]'"
    database = compile_commands()
    built = {Path(entry["file"]).resolve() for entry in json.loads(database.read_text())}
    files = checked_files(built)
    assert any(f.parent.name == "core" for f in files), f"no engine source in {database}"

    def tidy(path: Path) -> subprocess.CompletedProcess[str]:
        command = ["clang-tidy", "-p", str(database.parent), "--quiet", str(path)]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        runs = list(pool.map(tidy, files))
    failed = [
        f"{path}:\n{run.stdout}{run.stderr}"
        for path, run in zip(files, runs, strict=True)
        if run.returncode
    ]
    assert not failed, "\n".join(failed)[-6000:]
