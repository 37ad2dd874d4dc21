"""The libraries a workload is measured with: envfleet, its peers, and the raw limits.

Each library has an opener, (task, num_envs, batch_size, threads) -> Harness, that imports its
package lazily, and optionally an applicability check that says why it cannot run a workload.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from envfleet.benchmark import raw_limits
from envfleet.benchmark.harness import Harness, vector_harness
from envfleet.benchmark.tasks import Task

ENV_SEED = 42
# SyncVectorEnv runs one Python env per copy; above this many it is not measured.
SYNC_MAX_ENVS = 256
# AsyncVectorEnv and SubprocVecEnv run one process per env; above this many they are not measured.
PROCESS_MAX_ENVS = 32


def pool_harness(pool: Any, batch_size: int) -> Harness:
    """envfleet or EnvPool: sync steps every env; async receives the first `batch_size` envs to
    finish and sends them their next actions (the first reset fills the pipeline once)."""
    if batch_size == pool.num_envs:
        return vector_harness(pool)

    def step(actions: Any) -> None:
        info = pool.recv()[4]
        pool.send(actions, info["env_id"])

    started: list[bool] = []

    def reset() -> None:
        if not started:
            pool.async_reset()
            started.append(True)

    return Harness(reset, step, pool.close, pool.single_action_space, True, type(pool).__name__)


# ---- Openers -------------------------------------------------------------------------------------


def open_pool(library: str, task: Task, num_envs: int, batch_size: int, threads: int) -> Any:
    """The vector env of `library` ("envfleet", "envpool" or "ale_py") for `task`, as every
    benchmark makes it: seed ENV_SEED where the constructor takes one, and EnvPool's and ale-py's
    Atari preprocessing set to envfleet's defaults (no reward clipping, no episodic life)."""
    # The pool's size, threads and seed, the same for envfleet and EnvPool.
    options = {
        "num_envs": num_envs,
        "batch_size": batch_size,
        "num_threads": threads,
        "seed": ENV_SEED,
    }
    if library == "envfleet":
        import envfleet

        return envfleet.make_gymnasium(task.task_id, **options)
    if library == "envpool":
        import envpool

        atari = {"episodic_life": False, "reward_clip": False} if task.family == "atari" else {}
        return envpool.make_gymnasium(task.envpool_id, **options, **atari)
    if library == "ale_py":
        from ale_py.vector_env import AtariVectorEnv

        if task.ale_game is None:
            raise ValueError(f"{task.task_id} is not an Atari game")
        return AtariVectorEnv(
            task.ale_game,
            num_envs,
            batch_size=batch_size,
            num_threads=threads,
            reward_clipping=False,
            episodic_life=False,
            noop_max=30,
            use_fire_reset=True,
        )
    raise ValueError(f"unknown library {library!r}")


def _open_envfleet(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    return pool_harness(open_pool("envfleet", task, num_envs, batch_size, threads), batch_size)


def _open_envpool(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    return pool_harness(open_pool("envpool", task, num_envs, batch_size, threads), batch_size)


def _open_ale_py(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    env = open_pool("ale_py", task, num_envs, batch_size, threads)
    if batch_size == num_envs:
        env.reset(seed=ENV_SEED)
        return vector_harness(env)

    # Async: reset answers the first batch; each send answers the envs of the last recv.
    started: list[bool] = []

    def reset() -> None:
        if not started:
            env.reset(seed=ENV_SEED)
            started.append(True)

    def step(actions: Any) -> None:
        env.send(actions)
        env.recv()

    return Harness(reset, step, env.close, env.single_action_space, True, type(env).__name__)


def _open_gymnasium(mode: str) -> Callable[[Task, int, int, int], Harness]:
    def open_vector(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
        import gymnasium

        env = gymnasium.make_vec(task.gymnasium_id, num_envs=num_envs, vectorization_mode=mode)
        env.reset(seed=ENV_SEED)
        return vector_harness(env)

    return open_vector


def _open_gymnasium_single(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
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


def _open_sb3_subproc(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    import gymnasium
    from stable_baselines3.common.vec_env import SubprocVecEnv

    env = SubprocVecEnv([lambda: gymnasium.make(task.gymnasium_id)] * num_envs)
    env.seed(ENV_SEED)
    return Harness(env.reset, env.step, env.close, env.action_space, True, type(env).__name__)


def _open_raw_limit(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    # The workload's own number of simulators on one core, whose rate stands for `threads` cores.
    return dataclasses.replace(raw_limits.open_raw_limit(task, num_envs), cores=threads)


def _open_rollout(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    # The workload's episodes on the workload's threads: the physics' own scaling on this machine.
    return raw_limits.rollout_harness(task.gymnasium_id, num_envs, threads)


def _open_rollout_limit(task: Task, num_envs: int, batch_size: int, threads: int) -> Harness:
    # The workload's episodes on one core, whose rate stands for `threads` cores.
    harness = raw_limits.rollout_harness(task.gymnasium_id, num_envs, 1)
    return dataclasses.replace(harness, cores=threads)


# ---- Applicability: (task, num_envs, batch_size) -> None if the library runs it, else why not


def _envpool_applies(task: Task, num_envs: int, batch_size: int) -> str | None:
    import envpool

    if task.envpool_id not in envpool.list_all_envs():
        return "no EnvPool version of this task"
    return None


# Modules that failed to import in this process, and the package each lacked. A failed import is
# remembered: Python can leave a package half-imported, and a second import of the same module
# then succeeds (gymnasium.envs.mujoco.mujoco_env without glfw does), hiding what is missing.
_FAILED_IMPORTS: dict[str, str] = {}


def _missing_module(task: Task) -> str | None:
    """Which package gymnasium's version of the task lacks and how to install it, or None."""
    module = task.gymnasium_needs
    if module is None:
        return None
    if module not in _FAILED_IMPORTS:
        try:
            importlib.import_module(module)
        except ImportError as error:
            _FAILED_IMPORTS[module] = getattr(error, "name", None) or module
    if module in _FAILED_IMPORTS:
        return (
            f"needs {_FAILED_IMPORTS[module]}, not installed: pip install {task.gymnasium_install}"
        )
    return None


def _gymnasium_lacks(task: Task) -> str | None:
    """Why gymnasium cannot make the task's gymnasium id, or None if it can."""
    import gymnasium

    if (missing := _missing_module(task)) is not None:
        return missing
    if task.gymnasium_id not in gymnasium.registry:
        return "no gymnasium version of this task"
    return None


def _sync_only(batch_size: int, num_envs: int) -> str | None:
    return "no batch_size < num_envs mode" if batch_size < num_envs else None


def _gymnasium_vector_applies(task: Task, num_envs: int, batch_size: int) -> str | None:
    import gymnasium

    why = _sync_only(batch_size, num_envs) or _gymnasium_lacks(task)
    if why is not None:
        return why
    if gymnasium.spec(task.gymnasium_id).vector_entry_point is None:
        return "no gymnasium vectorized version of this task"
    return None


def _raw_limit_applies(task: Task, num_envs: int, batch_size: int) -> str | None:
    # The raw limits load their model or ROM through ale-py or Gymnasium's MuJoCo envs.
    return _missing_module(task)


def _python_envs_apply(limit: int) -> Callable[[Task, int, int], str | None]:
    """Applicability of a vector of `gymnasium.make` envs, measured up to `limit` envs."""

    def applies(task: Task, num_envs: int, batch_size: int) -> str | None:
        if num_envs > limit:
            return f"skipped above {limit} envs (one Python env per copy)"
        return _sync_only(batch_size, num_envs) or _gymnasium_lacks(task)

    return applies


# ---- The table ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Library:
    """A library that can step a workload."""

    name: str
    module: str  # import name, for the installed check
    distribution: str  # package name, for the version
    threaded: bool  # takes the thread count; the others use one thread or one process per env
    single_env_only: bool  # a plain env: measured only at num_envs == 1
    open: Callable[[Task, int, int, int], Harness]
    # Whether the library has the task's workload at all; the others are left out of the table.
    runs: Callable[[Task], bool] = lambda task: True
    # None if it runs this workload, else why not (a note in the table).
    applies: Callable[[Task, int, int], str | None] | None = None
    limit: bool = False  # a raw limit: envfleet's share of it is reported, not a ratio
    processes: bool = False  # one process per env (its "threads" are num_envs processes)


ENVFLEET = Library("envfleet", "envfleet", "envfleet", True, False, _open_envfleet)
PEERS: dict[str, Library] = {
    lib.name: lib
    for lib in (
        Library(
            "envpool",
            "envpool",
            "envpool",
            True,
            False,
            _open_envpool,
            applies=_envpool_applies,
        ),
        Library(
            "ale_py", "ale_py", "ale-py", True, False, _open_ale_py, lambda t: bool(t.ale_game)
        ),
        Library(
            "gymnasium-vector",
            "gymnasium",
            "gymnasium",
            False,
            False,
            _open_gymnasium("vector_entry_point"),
            lambda t: t.gymnasium_vector,
            _gymnasium_vector_applies,
        ),
        Library(
            "gymnasium-sync",
            "gymnasium",
            "gymnasium",
            False,
            False,
            _open_gymnasium("sync"),
            lambda t: t.gymnasium_sync,
            _python_envs_apply(SYNC_MAX_ENVS),
        ),
        Library(
            "gymnasium-async",
            "gymnasium",
            "gymnasium",
            False,
            False,
            _open_gymnasium("async"),
            lambda t: t.gymnasium_sync,
            _python_envs_apply(PROCESS_MAX_ENVS),
            processes=True,
        ),
        Library(
            "gymnasium-single",
            "gymnasium",
            "gymnasium",
            False,
            True,
            _open_gymnasium_single,
            lambda t: t.gymnasium_sync,
            _python_envs_apply(1),
        ),
        Library(
            "sb3-subproc",
            "stable_baselines3",
            "stable-baselines3",
            False,
            False,
            _open_sb3_subproc,
            lambda t: t.gymnasium_sync,
            _python_envs_apply(PROCESS_MAX_ENVS),
            processes=True,
        ),
        Library(
            "raw limit",
            "envfleet",
            "envfleet",
            True,
            False,
            _open_raw_limit,
            lambda t: t.raw_limit is not None,
            _raw_limit_applies,
            limit=True,
        ),
        Library(
            "rollout limit",
            "mujoco",
            "mujoco",
            True,
            False,
            _open_rollout_limit,
            lambda t: t.raw_rollout,
            _raw_limit_applies,
            limit=True,
        ),
        Library(
            "rollout",
            "mujoco",
            "mujoco",
            True,
            False,
            _open_rollout,
            lambda t: t.raw_rollout,
            _raw_limit_applies,
        ),
    )
}
# Names accepted by `select_peers` that stand for several peers.
PEER_GROUPS: dict[str, tuple[str, ...]] = {
    "gymnasium": ("gymnasium-vector", "gymnasium-sync", "gymnasium-async", "gymnasium-single"),
    "sb3": ("sb3-subproc",),
    # The emulator or physics alone: the raw limits, and mujoco.rollout on the workload's threads.
    "raw": ("raw limit", "rollout limit", "rollout"),
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


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
