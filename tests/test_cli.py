"""Fast tests of the ``envfleet`` command line: list, info, and bench on a tiny time budget.

They check what is printed (the table, the notes, the JSON), never how fast anything ran.
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import io
import json
import re
import sys
from pathlib import Path

import pytest

import envfleet
from envfleet import benchmark, registry
from envfleet.cli import main

# A bench run short enough for a unit test: one timed run of 20 ms per measurement.
TINY = ["--seconds", "0.02", "--repeats", "1"]


def rows_text(text: str) -> str:
    """The table's lines of `text`, joined."""
    return "\n".join(line for line in text.splitlines() if line.startswith("|"))


def table_rows(text: str) -> list[list[str]]:
    """Cells of the Markdown table rows in `text`, header and rule included."""
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("|")
    ]


def test_list_groups_every_env_under_its_family(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    listed = {line.strip() for line in lines if line.startswith("  ")}
    assert listed == set(envfleet.list_all_envs())
    # CartPole-v1 sits below its own family's header, with no other header between them.
    family = registry.family_of("CartPole-v1")
    cartpole = lines.index("  CartPole-v1")
    header = max(i for i, line in enumerate(lines[:cartpole]) if not line.startswith("  "))
    assert lines[header].startswith(f"{family} (")


def test_info_shows_spaces_limits_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "CartPole-v1"]) == 0
    out = capsys.readouterr().out
    assert "Discrete(2)" in out
    assert "observation_space: Box(" in out
    assert "max_episode_steps: 500" in out
    assert "reward_threshold:  475.0" in out
    option_lines = {line.split("=")[0].strip(): line for line in out.splitlines() if " = " in line}
    for name, default in envfleet.make_spec("CartPole-v1").options.items():
        assert option_lines[name].endswith(f"= {default!r}")


def test_info_unknown_task_is_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "NoSuchEnv-v0"]) == 2
    assert capsys.readouterr().err == "envfleet: unknown env 'NoSuchEnv-v0'. See `envfleet list`.\n"


@pytest.mark.parametrize("task_id", ["cartpole-v1", "CartPole-v2", "PongNoFrameskip-v4"])
def test_info_suggests_what_the_python_api_suggests(
    task_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", task_id]) == 2
    hint = registry.unknown_task_hint(task_id)
    assert hint.startswith(" Did you mean ")
    assert (
        capsys.readouterr().err
        == f"envfleet: unknown env {task_id!r}.{hint} See `envfleet list`.\n"
    )
    with pytest.raises(ValueError, match=re.escape(hint)):
        envfleet.make_spec(task_id)


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"envfleet {envfleet.__version__}\n"
    assert envfleet.__version__ == importlib.metadata.version("envfleet")


@pytest.mark.parametrize("family", sorted(registry.families()))
def test_list_one_family(family: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list", family]) == 0
    lines = capsys.readouterr().out.splitlines()
    task_ids = registry.families()[family]
    assert lines == [f"{family} ({len(task_ids)}):", *(f"  {t}" for t in sorted(task_ids))]


def test_list_an_unknown_family_names_the_families(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["list", "box3d"])
    assert exited.value.code == 2
    choices = ", ".join(repr(f) for f in sorted(registry.families()))
    assert f"invalid choice: 'box3d' (choose from {choices})" in capsys.readouterr().err


def test_bench_prints_table_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "bench.json"
    argv = ["bench", "CartPole-v1", "--num-envs", "1,4", "--peers", "gymnasium-vector", *TINY]
    assert main([*argv, "--json", str(out_file)]) == 0
    captured = capsys.readouterr()

    # One envfleet row and one peer row per workload; the peer row carries the ratio.
    rows = table_rows(captured.out)
    assert rows[0] == ["workload", "library", "threads", "env-steps/s", "envfleet/peer", "note"]
    body = {(r[0], r[1].split(" ")[0]): r for r in rows[2:]}
    assert set(body) == {
        (f"CartPole-v1 x{n}", lib) for n in (1, 4) for lib in ("envfleet", "gymnasium-vector")
    }
    assert body[("CartPole-v1 x4", "gymnasium-vector")][4].endswith("x")
    assert body[("CartPole-v1 x4", "envfleet")][3] != "-"
    # The progress report went to stderr, not into the table.
    assert "CartPole-v1 x4: envfleet" in captured.err

    data = json.loads(out_file.read_text())
    assert data["machine"]["command"] == "envfleet " + " ".join([*argv, "--json", str(out_file)])
    assert data["machine"]["versions"]["numpy"]
    assert data["settings"]["statistic"] == "median"
    # The legend under the table, with this run's settings.
    legend = benchmark.render_legend(benchmark.Report([], [], data["settings"]))
    assert "the median of 1 runs of 0.02 s each" in legend
    assert captured.out.split(rows_text(captured.out), 1)[1].startswith("\n" + legend + "\n")
    results = {(r["num_envs"], r["library"]): r for r in data["results"]}
    assert set(results) == {(n, lib) for n in (1, 4) for lib in ("envfleet", "gymnasium-vector")}
    for result in results.values():
        assert result["skipped"] is None
        assert len(result["rates"]) == 1 and result["steps_per_s"] > 0
    peer, ours = results[(4, "gymnasium-vector")], results[(4, "envfleet")]
    assert peer["ratio_envfleet_over_this"] == pytest.approx(
        ours["steps_per_s"] / peer["steps_per_s"]
    )


def test_bench_says_when_a_peer_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A None entry in sys.modules makes `envpool` unimportable, installed or not.
    monkeypatch.setitem(sys.modules, "envpool", None)
    argv = ["bench", "CartPole-v1", "--num-envs", "2", "--peers", "envpool", "--no-progress"]
    assert main([*argv, *TINY]) == 0
    captured = capsys.readouterr()
    assert (
        "envpool: not installed, not measured; pip install envpool "
        '(every peer: pip install ".[bench]" in the envfleet checkout)\n'
    ) in captured.out
    assert [r[1] for r in table_rows(captured.out)[2:]] == ["envfleet"]
    assert captured.err == ""


def test_bench_skips_sync_vector_env_above_its_cap(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "CartPole-v1", "--num-envs", "300", "--peers", "gymnasium-sync"]
    assert main([*argv, "--no-progress", *TINY]) == 0
    rows = table_rows(capsys.readouterr().out)[2:]
    sync = next(r for r in rows if r[1].startswith("gymnasium-sync"))
    assert sync[3] == "-" and sync[5].startswith("skipped above 256 envs")


def test_bench_skips_a_task_envfleet_does_not_have(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "NoSuchEnv-v0", "--peers", "none", "--no-progress", *TINY]) == 0
    out = capsys.readouterr().out
    assert "NoSuchEnv-v0: skipped, not in this envfleet build" in out
    assert table_rows(out) == []


def test_bench_rejects_an_unknown_peer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--peers", "nosuchlib", *TINY]) == 2
    assert "unknown peer 'nosuchlib'" in capsys.readouterr().err


def test_bench_default_suite_is_one_task_per_family() -> None:
    families = {benchmark.TASKS[task].family for task in benchmark.DEFAULT_SUITE}
    assert families == {"classic_control", "atari", "mujoco"}


def test_bench_async_batches_are_their_own_workloads(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "bench",
        "CartPole-v1",
        "--num-envs",
        "2,6",
        "--batch-size",
        "3",
        "--peers",
        "gymnasium",
    ]
    assert main([*argv, "--no-progress", *TINY]) == 0
    out = capsys.readouterr().out
    rows = table_rows(out)[2:]
    # x2 cannot batch 3 envs: a note; x6 runs async for envfleet, not for the Python vector
    # envs, which have no batch mode.
    assert "CartPole-v1 x2: skipped, batch size 3 needs more envs" in out
    assert {r[0] for r in rows} == {"CartPole-v1 x6 batch 3"}
    by_library = {r[1].split(" ")[0]: r for r in rows}
    assert by_library["envfleet"][3] != "-"
    assert by_library["gymnasium-sync"][5] == "no batch_size < num_envs mode"


def test_bench_reports_the_share_of_the_raw_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "bench.json"
    argv = ["bench", "Pong-v5", "--num-envs", "2", "--peers", "raw,ale_py", "--no-progress"]
    assert main([*argv, *TINY, "--json", str(out_file)]) == 0
    rows = {r[1].split(" ")[0]: r for r in table_rows(capsys.readouterr().out)[2:]}
    # The raw limit stands for every thread: one core's rate times the threads.
    assert set(rows) == {"envfleet", "raw", "ale_py"}
    assert rows["raw"][1] == "raw limit (ALEInterface.act)"
    assert rows["raw"][4].endswith("% of it")
    results = {r["library"]: r for r in json.loads(out_file.read_text())["results"]}
    raw, ours = results["raw limit"], results["envfleet"]
    assert raw["limit"] and raw["envfleet_share_of_this"] == pytest.approx(
        ours["steps_per_s"] / raw["steps_per_s"]
    )


def test_bench_says_why_a_gymnasium_peer_and_the_raw_limit_cannot_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Gymnasium's HalfCheetah as if its module could not be imported (as without glfw).
    task = dataclasses.replace(benchmark.TASKS["HalfCheetah-v5"], gymnasium_needs="no_such_mod")
    monkeypatch.setitem(benchmark.TASKS, "HalfCheetah-v5", task)
    argv = ["bench", "HalfCheetah-v5", "--num-envs", "2", "--peers", "gymnasium-sync,raw"]
    assert main([*argv, "--no-progress", *TINY]) == 0
    rows = {r[1].split(" ")[0]: r for r in table_rows(capsys.readouterr().out)[2:]}
    why = f"needs no_such_mod, not installed: pip install {task.gymnasium_install}"
    assert rows["gymnasium-sync"][3:] == ["-", "", why]
    assert rows["raw"][3:] == ["-", "", why]
    assert rows["envfleet"][3] != "-"


def test_a_module_that_failed_to_import_once_stays_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As gymnasium.envs.mujoco.mujoco_env without glfw: the first import fails, and a second one
    # would find the half-imported package and succeed.
    (tmp_path / "half_imported.py").write_text(
        "import sys\n"
        "if not getattr(sys, '_half_imported_seen', False):\n"
        "    sys._half_imported_seen = True\n"
        "    raise ModuleNotFoundError('No module named glfw', name='glfw')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "_half_imported_seen", False, raising=False)
    task = dataclasses.replace(benchmark.TASKS["HalfCheetah-v5"], gymnasium_needs="half_imported")
    why = f"needs glfw, not installed: pip install {task.gymnasium_install}"
    for peer in ("gymnasium-sync", "gymnasium-async", "raw limit"):
        assert benchmark.PEERS[peer].applies(task, 8, 8) == why


def test_bench_counts_subprocess_peers_as_processes(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "CartPole-v1", "--num-envs", "2", "--peers", "gymnasium-async,gymnasium-sync"]
    assert main([*argv, "--no-progress", *TINY]) == 0
    rows = {r[1].split(" ")[0]: r for r in table_rows(capsys.readouterr().out)[2:]}
    assert rows["gymnasium-async"][2] == "2 procs"
    assert rows["gymnasium-sync"][2] == "1"
    assert rows["envfleet"][2] == "2"


@pytest.mark.parametrize(
    ("before", "after", "busy"),
    [(0.1, 2.0, False), (1.5, 2.0, True), (0.1, 3.5, True), (0.9, 2.9, False)],
)
def test_bench_warns_when_the_machine_was_busy(
    before: float,
    after: float,
    busy: bool,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Two usable cores, both threads used by the run; the load before and after it as given.
    loads = iter([before, after])
    monkeypatch.setattr("os.getloadavg", lambda: (next(loads), 0.0, 0.0))
    monkeypatch.setattr("envfleet.benchmark.runner.usable_cores", lambda: 2)
    argv = ["bench", "CartPole-v1", "--num-envs", "2", "--peers", "none", "--no-progress"]
    assert main([*argv, *TINY]) == 0
    out = capsys.readouterr().out
    warning = (
        f"warning: the machine was busy (1-minute load average {before:.1f} before the run, "
        f"{after:.1f} after it, on 2 usable cores)"
    )
    assert (warning in out) == busy


def test_progress_counts_measurements_up_to_its_total() -> None:
    stream = io.StringIO()
    bar = benchmark.Progress(3, stream)
    for label in ("a", "b", "c"):
        bar.begin(label)
        bar.advance()
    bar.close()
    assert stream.getvalue() == "[1/3] a\n[2/3] b\n[3/3] c\n"
    assert bar.done == bar.total


def test_bench_progress_lines_name_each_measurement(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["bench", "CartPole-v1", "--num-envs", "1,2", "--peers", "gymnasium-vector"]
    assert main([*argv, *TINY]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "[1/4] CartPole-v1 x1: envfleet",
        "[2/4] CartPole-v1 x1: gymnasium-vector",
        "[3/4] CartPole-v1 x2: envfleet",
        "[4/4] CartPole-v1 x2: gymnasium-vector",
    ]
