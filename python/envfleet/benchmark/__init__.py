"""Throughput benchmarks: env-steps per second of envfleet and its peers, in the same run.

Used by the ``envfleet bench`` command and by the scripts under ``benchmarks/``. A *workload* is a
task at a number of envs and a batch size (sync: all of them); for each workload every selected
library (envfleet first, then the installed peers, then the task's raw limit) is warmed up and
then stepped with the same precomputed random actions for ``seconds``, ``repeats`` times; the
reported figure is the median of the repeats, in env-steps/s. Nothing here asserts on timings:
callers report ratios.

- ``tasks``: the task table and workloads; ``libraries``: envfleet, the peers and their openers;
  ``raw_limits``: the emulator / physics alone; ``measure``: the timed loop; ``runner``: a run
  over workloads and libraries, each measurement here or in a fresh process; ``worker``: that
  process's entry point (nothing imports it); ``process``: running fresh processes, resident
  memory; ``report``: results, ratios, the table; ``targets``: speed targets and their verdicts;
  ``page``: the machine, JSON and the sections of docs/benchmarks.md.
"""

from __future__ import annotations

from envfleet.benchmark.harness import Harness, vector_harness
from envfleet.benchmark.libraries import (
    ENV_SEED,
    ENVFLEET,
    PEER_GROUPS,
    PEERS,
    Library,
    installed,
    pool_harness,
    select_peers,
    usable_cores,
)
from envfleet.benchmark.measure import ACTION_POOL, ACTION_SEED, measure, random_actions
from envfleet.benchmark.page import (
    PAGE_TITLE,
    describe_machine,
    parse_script_args,
    publish_section,
    render_machine,
    render_method,
    render_targets_and_method,
    script_command,
    script_parser,
    version_of,
    write_json,
    write_page_section,
)
from envfleet.benchmark.process import resident_bytes, run_in_fresh_process, run_json_command
from envfleet.benchmark.report import (
    Progress,
    Report,
    Result,
    busy_warning,
    format_rate,
    format_ratio,
    format_share,
    markdown_table,
    render_legend,
    render_notes,
    render_table,
)
from envfleet.benchmark.runner import measure_in_fresh_process, measure_into, plan_workloads, run
from envfleet.benchmark.targets import SpeedTarget, targets_table
from envfleet.benchmark.tasks import DEFAULT_SUITE, TASKS, Task, Workload, task_of

__all__ = [
    "ACTION_POOL",
    "ACTION_SEED",
    "DEFAULT_SUITE",
    "ENVFLEET",
    "ENV_SEED",
    "PAGE_TITLE",
    "PEERS",
    "PEER_GROUPS",
    "TASKS",
    "Harness",
    "Library",
    "Progress",
    "Report",
    "Result",
    "SpeedTarget",
    "Task",
    "Workload",
    "busy_warning",
    "describe_machine",
    "format_rate",
    "format_ratio",
    "format_share",
    "installed",
    "markdown_table",
    "measure",
    "measure_in_fresh_process",
    "measure_into",
    "parse_script_args",
    "plan_workloads",
    "pool_harness",
    "publish_section",
    "random_actions",
    "render_legend",
    "render_machine",
    "render_method",
    "render_notes",
    "render_table",
    "render_targets_and_method",
    "resident_bytes",
    "run",
    "run_in_fresh_process",
    "run_json_command",
    "script_command",
    "script_parser",
    "select_peers",
    "targets_table",
    "task_of",
    "usable_cores",
    "vector_harness",
    "version_of",
    "write_json",
    "write_page_section",
]
