"""The training-loop benchmark: envfleet and its peers where users train, not on an idle machine.

Four parts, each figure the median of `--rounds` interleaved runs (the libraries of a row take
turns within each round, in an order that rotates from round to round):

1. load: Pong-v5 x8 and HalfCheetah-v5 x8, sync and async (batch = num_envs / 2), with 0, 1 and
   2 busy processes (`python -c "while True: pass"`) started by this script; env-steps/s, the
   ratio to EnvPool and the share of a fair share (with K busy processes on C cores the measured
   library is owed C / (C + K) of its idle rate).
2. policy: a network in the loop. Each step feeds the observations through the Nature-DQN CNN
   (Pong) or a 2x256 MLP (HalfCheetah) with PyTorch on every core, then steps the envs with its
   actions; env-steps/s of the loop.
3. overlap: async mode's point. `recv` a batch, act, `send` the actions, then run one learner
   update (a forward and backward pass over a replay batch) while the envs step; against the same
   loop done serially with a sync pool (step, then update), for envfleet and EnvPool alike. The
   learner runs on all cores but one (PyTorch threads = cores - 1, at least 1), leaving the envs
   a core to step on while it computes.
4. scripts: the full training scripts `examples/ppo_atari.py`, `examples/ppo_atari_async.py`
   and `examples/dqn_pong.py` with envfleet and with EnvPool (`--envs envpool`), same settings;
   steps/s as the script prints it.

Then it writes the "training loop" section of docs/benchmarks.md and prints it.

    python benchmarks/training_loop.py [--seconds S] [--rounds R] [--parts load,policy,...]
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from envfleet import benchmark
from envfleet.benchmark import libraries
from envfleet.benchmark.load import busy_processes, fair_share

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "docs" / "benchmarks.md"
DEFAULT_JSON = ROOT / "docs" / "results" / "training_loop.json"
PARTS = ("load", "policy", "overlap", "scripts")
TASKS = ("Pong-v5", "HalfCheetah-v5")
NUM_ENVS = 8
LOADS = (0, 1, 2)
# The learner update of the overlap part: a replay batch of this many observations.
REPLAY_BATCH = 32


@dataclass
class Row:
    """One row of a table: a library's rates over the rounds, and the context to compare them."""

    part: str
    workload: str
    library: str
    load: int = 0
    rates: list[float] = field(default_factory=list)
    note: str | None = None

    @property
    def rate(self) -> float | None:
        return statistics.median(self.rates) if self.rates else None


# ---- Opening pools -------------------------------------------------------------------------------


def open_pool(library: str, task_id: str, num_envs: int, batch_size: int, threads: int) -> Any:
    """A Gymnasium-API pool of `library` ("envfleet", "envpool" or "ale_py")."""
    return libraries.open_pool(library, benchmark.task_of(task_id), num_envs, batch_size, threads)


LIBRARIES = {"envfleet": benchmark.ENVFLEET, **benchmark.PEERS}


def libraries_for(task_id: str) -> list[str]:
    """envfleet and the installed peers that run the task."""
    names = ["envfleet", "envpool"]
    if benchmark.task_of(task_id).ale_game:
        names.append("ale_py")
    return [name for name in names if benchmark.installed(LIBRARIES[name])]


def rotated(items: Sequence[str], round_index: int) -> list[str]:
    """`items` starting at position round_index, so no library always runs first."""
    k = round_index % len(items)
    return [*items[k:], *items[:k]]


# ---- Part 1: throughput under load ---------------------------------------------------------------


def measure_load(args: argparse.Namespace, threads: int) -> list[Row]:
    """Env-steps/s of each library on each workload with 0, 1 and 2 busy processes."""
    rows: list[Row] = []
    for load in args.loads:
        with busy_processes(load):
            for task_id in TASKS:
                for batch in (NUM_ENVS, NUM_ENVS // 2):
                    mode = "sync" if batch == NUM_ENVS else f"async (batch {batch})"
                    workload = f"{task_id} x{NUM_ENVS} {mode}"
                    libs = libraries_for(task_id)
                    task = benchmark.task_of(task_id)
                    harnesses = {
                        lib: LIBRARIES[lib].open(task, NUM_ENVS, batch, threads) for lib in libs
                    }
                    by_lib = {lib: Row("load", workload, lib, load) for lib in libs}
                    for r in range(args.rounds):
                        for lib in rotated(libs, r):
                            by_lib[lib].rates += benchmark.measure(
                                harnesses[lib], batch, args.seconds, 1
                            )
                    for harness in harnesses.values():
                        harness.close()
                    rows += by_lib.values()
                    progress(f"load {load}: {workload}", by_lib.values())
    return rows


# ---- Networks ------------------------------------------------------------------------------------


def network(task_id: str, obs_shape: tuple[int, ...], num_outputs: int) -> Any:
    """The Nature-DQN CNN for pixel observations, a 2x256 MLP for vectors."""
    from torch import nn

    if len(obs_shape) == 3:
        return nn.Sequential(
            nn.Conv2d(obs_shape[0], 32, 8, stride=4),
            nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2),
            nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(64 * 7 * 7, 512),
            nn.ReLU(),
            nn.Linear(512, num_outputs),
        )
    return nn.Sequential(
        nn.Linear(int(np.prod(obs_shape)), 256),
        nn.Tanh(),
        nn.Linear(256, 256),
        nn.Tanh(),
        nn.Linear(256, num_outputs),
    )


class Policy:
    """Actions for a batch of observations from a network, as a training loop computes them."""

    def __init__(self, task_id: str, single_obs: Any, single_action: Any) -> None:
        import torch
        from gymnasium import spaces

        self.torch = torch
        self.discrete = isinstance(single_action, spaces.Discrete)
        outputs = int(single_action.n) if self.discrete else int(np.prod(single_action.shape))
        self.net = network(task_id, tuple(single_obs.shape), outputs)
        self.pixels = len(single_obs.shape) == 3
        self.action_dtype = single_action.dtype
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=1e-4)
        generator = torch.Generator().manual_seed(0)
        shape = (REPLAY_BATCH, *single_obs.shape)
        self.replay = (
            torch.randint(0, 256, shape, generator=generator, dtype=torch.uint8)
            if self.pixels
            else torch.randn(shape, generator=generator)
        )

    def _inputs(self, obs: Any) -> Any:
        tensor = self.torch.as_tensor(obs)
        return tensor.float() / 255.0 if self.pixels else tensor.float()

    def act(self, obs: Any) -> np.ndarray:
        with self.torch.no_grad():
            out = self.net(self._inputs(obs))
        if self.discrete:
            return out.argmax(1).numpy()
        return self.torch.tanh(out).numpy().astype(self.action_dtype)

    def update(self) -> None:
        """One learner step: forward and backward over the replay batch, then the optimiser."""
        loss = self.net(self._inputs(self.replay)).pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


# ---- Part 2: a policy in the loop ----------------------------------------------------------------


def timed_loop(body: Callable[[], int], seconds: float) -> float:
    """Runs `body` (which returns the env-steps it made) for a warm-up and then `seconds`;
    env-steps/s of the timed stretch."""
    warm_until = time.perf_counter() + max(0.2, seconds * 0.2)
    while time.perf_counter() < warm_until:
        body()
    steps, start = 0, time.perf_counter()
    while True:
        steps += body()
        now = time.perf_counter()
        if now - start >= seconds:
            return steps / (now - start)


def policy_body(pool: Any, policy: Policy) -> Callable[[], int]:
    """One loop step: observations through the network, its actions to every env."""
    state = {"obs": pool.reset(seed=benchmark.ENV_SEED)[0]}

    def body() -> int:
        state["obs"] = pool.step(policy.act(state["obs"]))[0]
        return NUM_ENVS

    return body


def measure_policy(args: argparse.Namespace, threads: int) -> list[Row]:
    """Loop env-steps/s with the network in the loop, each library in turn."""
    import torch

    torch.set_num_threads(threads)
    rows: list[Row] = []
    for load in args.policy_loads:
        with busy_processes(load):
            for task_id in TASKS:
                libs = libraries_for(task_id)
                pools = {lib: open_pool(lib, task_id, NUM_ENVS, NUM_ENVS, threads) for lib in libs}
                first = pools[libs[0]]
                policy = Policy(task_id, first.single_observation_space, first.single_action_space)
                bodies = {lib: policy_body(pool, policy) for lib, pool in pools.items()}
                workload = f"{task_id} x{NUM_ENVS} sync, {'CNN' if policy.pixels else 'MLP'}"
                by_lib = {lib: Row("policy", workload, lib, load) for lib in libs}
                for r in range(args.rounds):
                    for lib in rotated(libs, r):
                        by_lib[lib].rates.append(timed_loop(bodies[lib], args.seconds))
                for pool in pools.values():
                    pool.close()
                rows += by_lib.values()
                progress(f"policy, load {load}: {workload}", by_lib.values())
    return rows


# ---- Part 3: overlap -----------------------------------------------------------------------------


def overlapped_body(pool: Any, policy: Policy) -> Callable[[], int]:
    """recv a batch, act, send, then a learner update while the envs step."""
    pool.async_reset()

    def body() -> int:
        obs, _, _, _, info = pool.recv()
        pool.send(policy.act(obs), info["env_id"])
        policy.update()
        return len(obs)

    return body


def serial_body(pool: Any, policy: Policy) -> Callable[[], int]:
    """step every env, then a learner update."""
    state = {"obs": pool.reset(seed=benchmark.ENV_SEED)[0]}

    def body() -> int:
        state["obs"] = pool.step(policy.act(state["obs"]))[0]
        policy.update()
        return NUM_ENVS

    return body


def measure_overlap(args: argparse.Namespace, threads: int) -> list[Row]:
    """Loop env-steps/s of the overlapped loop (2 x 8 envs, batches of 8) and the serial one
    (8 envs, sync), for envfleet and EnvPool; the learner on all cores but one."""
    import torch

    torch.set_num_threads(max(1, threads - 1))
    rows: list[Row] = []
    for task_id in TASKS:
        libs = [lib for lib in libraries_for(task_id) if lib in ("envfleet", "envpool")]
        variants: dict[str, Callable[[], int]] = {}
        pools = []
        policy = None
        for lib in libs:
            overlapped = open_pool(lib, task_id, 2 * NUM_ENVS, NUM_ENVS, threads)
            serial = open_pool(lib, task_id, NUM_ENVS, NUM_ENVS, threads)
            pools += [overlapped, serial]
            if policy is None:
                policy = Policy(
                    task_id, serial.single_observation_space, serial.single_action_space
                )
            variants[f"{lib}, overlapped"] = overlapped_body(overlapped, policy)
            variants[f"{lib}, serial"] = serial_body(serial, policy)
        names = list(variants)
        workload = f"{task_id}, batches of {NUM_ENVS}, update on {REPLAY_BATCH}"
        by_name = {name: Row("overlap", workload, name) for name in names}
        for r in range(args.rounds):
            for name in rotated(names, r):
                by_name[name].rates.append(timed_loop(variants[name], args.seconds))
        for pool in pools:
            pool.close()
        rows += by_name.values()
        progress(f"overlap: {workload}", by_name.values())
    return rows


# ---- Part 4: the training scripts ----------------------------------------------------------------

# (label, script, arguments, the pattern of the steps/s it prints)
SCRIPTS = (
    (
        "PPO, Pong-v5 x8 sync (3 updates of 128 steps)",
        "examples/ppo_atari.py",
        ["--total-timesteps", "3072"],
        r"steps/s=(\d+)",
    ),
    (
        "PPO async, Pong-v5 16 envs in batches of 8 (3 updates)",
        "examples/ppo_atari_async.py",
        ["--total-timesteps", "3072"],
        r"steps/s=(\d+)",
    ),
    (
        "DQN, Pong-v5 x8 (3000 steps of training after 1000)",
        "examples/dqn_pong.py",
        ["--num-envs", "8", "--learning-starts", "1000", "--total-timesteps", "4000"],
        r"frames/s=([\d.]+)",
    ),
)


def run_script(script: str, arguments: Sequence[str], pattern: str) -> float:
    """The last steps/s figure the script prints; raises with its stderr if it fails."""
    done = subprocess.run(
        [sys.executable, str(ROOT / script), *arguments], capture_output=True, text=True
    )
    found = re.findall(pattern, done.stdout)
    if done.returncode != 0 or not found:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"{script} failed: {tail}")
    return float(found[-1])


def measure_scripts(args: argparse.Namespace, threads: int) -> list[Row]:
    """Steps/s of each training script with envfleet and with EnvPool, interleaved."""
    rows: list[Row] = []
    libs = [lib for lib in ("envfleet", "envpool") if lib in libraries_for("Pong-v5")]
    for label, script, arguments, pattern in SCRIPTS:
        by_lib = {lib: Row("scripts", label, lib) for lib in libs}
        for r in range(args.rounds):
            for lib in rotated(libs, r):
                command = [*arguments, "--envs", lib, "--torch-threads", str(threads)]
                try:
                    by_lib[lib].rates.append(run_script(script, command, pattern))
                except RuntimeError as exc:
                    by_lib[lib].note = str(exc)
        rows += by_lib.values()
        progress(f"scripts: {label}", by_lib.values())
    return rows


# ---- Report --------------------------------------------------------------------------------------


def progress(label: str, rows: Any) -> None:
    figures = ", ".join(
        f"{row.library} {benchmark.format_rate(row.rate) if row.rate else row.note}" for row in rows
    )
    print(f"{label}: {figures}", file=sys.stderr, flush=True)


def ratio(row: Row, reference: Row | None) -> str:
    if reference is None or not row.rate or not reference.rate:
        return ""
    return f"{row.rate / reference.rate:.2f}x"


def find(rows: Sequence[Row], **match: Any) -> Row | None:
    for row in rows:
        if all(getattr(row, key) == value for key, value in match.items()):
            return row
    return None


def load_table(rows: Sequence[Row], cores: int) -> str:
    """Part 1: a row per workload, library and load, with the ratio to EnvPool and the share
    of a fair share of the library's own idle rate."""
    header = ["workload", "busy", "library", "env-steps/s", "vs EnvPool", "of fair share"]
    lines = []
    for row in rows:
        envpool = find(rows, workload=row.workload, library="envpool", load=row.load)
        idle = find(rows, workload=row.workload, library=row.library, load=0)
        share = ""
        if row.load and idle and idle.rate and row.rate:
            share = f"{row.rate / (idle.rate * fair_share(cores, row.load)):.0%}"
        vs = ratio(row, envpool) if row.library != "envpool" else ""
        rate = benchmark.format_rate(row.rate) if row.rate else (row.note or "")
        lines.append([row.workload, str(row.load), row.library, rate, vs, share])
    return benchmark.markdown_table(header, lines, right={1, 3, 4, 5})


def simple_table(rows: Sequence[Row], reference: Callable[[Row], Row | None], unit: str) -> str:
    header = ["workload", "busy", "library", unit, "vs reference"]
    lines = []
    for row in rows:
        rate = benchmark.format_rate(row.rate) if row.rate else (row.note or "")
        lines.append([row.workload, str(row.load), row.library, rate, ratio(row, reference(row))])
    return benchmark.markdown_table(header, lines, right={1, 3, 4})


def render_section(rows: list[Row], settings: dict[str, Any], machine: dict[str, Any]) -> str:
    cores = machine["usable_cores"]
    by_part = {part: [r for r in rows if r.part == part] for part in PARTS}
    blocks = [
        "## Training loop: a learner on the same cores",
        f"""Each figure is the median of {settings["rounds"]} interleaved runs of
{settings["seconds"]} s (the libraries of a row take turns within a round, in an order that
rotates from round to round); every library ran with `num_threads={cores}`. A busy process is
`python -c "while True: pass"`, started by the benchmark; with K of them on C cores a library is
owed C / (C + K) of its idle rate, and "of fair share" is its rate over that.""",
    ]
    if by_part["load"]:
        blocks += ["### Throughput under load", load_table(by_part["load"], cores)]
    if by_part["policy"]:
        blocks += [
            "### A policy in the loop",
            "The Nature-DQN CNN (Pong) or a 2x256 MLP (HalfCheetah) maps each step's "
            "observations to its actions, PyTorch on every core. Loop env-steps/s; the "
            "reference is EnvPool.",
            simple_table(
                by_part["policy"],
                lambda r: (
                    find(by_part["policy"], workload=r.workload, library="envpool", load=r.load)
                    if r.library != "envpool"
                    else None
                ),
                "env-steps/s",
            ),
        ]
    if by_part["overlap"]:
        blocks += [
            "### Overlap: envs stepping while the learner computes",
            "Overlapped: `recv` 8 envs, act, `send`, then one learner update (forward and "
            f"backward over {REPLAY_BATCH} observations) while the envs step (16 envs in "
            "batches of 8). Serial: a sync pool of 8 envs, `step`, then the update. PyTorch "
            f"runs on {max(1, cores - 1)} thread(s), leaving the envs a core. The "
            "reference of an overlapped row is the same library's serial loop; of an envfleet "
            "row, EnvPool's same loop is in the row below it.",
            simple_table(
                by_part["overlap"],
                lambda r: (
                    find(
                        by_part["overlap"],
                        workload=r.workload,
                        library=r.library.replace("overlapped", "serial"),
                    )
                    if "overlapped" in r.library
                    else None
                ),
                "env-steps/s",
            ),
            overlap_vs_envpool(by_part["overlap"]),
        ]
    if by_part["scripts"]:
        blocks += [
            "### The training scripts",
            "Steps/s as each script prints it (its last figure), with `--envs envfleet` and "
            f"`--envs envpool`, `--torch-threads {cores}`; the reference is EnvPool.",
            simple_table(
                by_part["scripts"],
                lambda r: (
                    find(by_part["scripts"], workload=r.workload, library="envpool")
                    if r.library != "envpool"
                    else None
                ),
                "steps/s",
            ),
        ]
    blocks.append(benchmark.render_method(machine))
    if settings.get("note"):
        blocks.append(settings["note"])
    blocks.append(
        f"1-minute load average before and after: {machine['load_before'][0]}, "
        f"{machine['load_after'][0]}."
    )
    return "\n\n".join(blocks)


def overlap_vs_envpool(rows: Sequence[Row]) -> str:
    lines = []
    for row in rows:
        if not row.library.startswith("envfleet"):
            continue
        peer = find(rows, workload=row.workload, library=row.library.replace("envfleet", "envpool"))
        lines.append([row.workload, row.library.split(", ")[1], ratio(row, peer)])
    return "envfleet over EnvPool, same loop:\n\n" + benchmark.markdown_table(
        ["workload", "loop", "envfleet / EnvPool"], lines, right={2}
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="one timed run (default 2)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved runs (default 5)")
    parser.add_argument("--threads", type=int, default=0, help="default 0: usable cores")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"comma-separated, of {', '.join(PARTS)}"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Markdown page to update")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="results as JSON")
    parser.add_argument("--note", default="", help="a sentence on the conditions, for the page")
    args = parser.parse_args(argv)
    args.loads = LOADS
    args.policy_loads = (0, 1)
    threads = args.threads or benchmark.usable_cores()
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts {unknown}; known: {', '.join(PARTS)}")

    given = sys.argv[1:] if argv is None else argv
    # The note is printed on the page by itself, not inside the command.
    shown = ["..." if given[i - 1 : i] == ["--note"] else arg for i, arg in enumerate(given)]
    command = shlex.join(["python", "benchmarks/training_loop.py", *shown])
    machine = benchmark.describe_machine(command)
    machine["load_before"] = Path("/proc/loadavg").read_text().split()[:3]
    measure_part = {
        "load": measure_load,
        "policy": measure_policy,
        "overlap": measure_overlap,
        "scripts": measure_scripts,
    }
    rows: list[Row] = []
    for part in PARTS:
        if part in parts:
            rows += measure_part[part](args, threads)
    machine["load_after"] = Path("/proc/loadavg").read_text().split()[:3]

    settings = {
        "seconds": args.seconds,
        "rounds": args.rounds,
        "threads": threads,
        "note": args.note,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {"settings": settings, "machine": machine, "rows": [vars(r) for r in rows]}, indent=1
        )
    )
    section = render_section(rows, settings, machine)
    benchmark.write_page_section(args.out, "training-loop", section)
    print(section)
    print(f"wrote {args.out} and {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
