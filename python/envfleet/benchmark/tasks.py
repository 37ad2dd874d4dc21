"""The benchmark task table: each task's envfleet id, its ids in the peers, and its raw limit."""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass


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
    # Module that must be importable (and is imported) for gymnasium to know and make the id,
    # and what to pip install when it is not.
    gymnasium_needs: str | None = None
    gymnasium_install: str = ""
    # The emulator or physics alone ("ale" or "mujoco"), measured as the task's raw limit.
    raw_limit: str | None = None
    # ale-py's name of the game (Atari tasks): AtariVectorEnv and the raw limit load it.
    ale_game: str | None = None
    # Whether `mujoco.rollout` of whole episodes is a raw limit too (a MuJoCo task whose episodes
    # never end early, so that a rollout needs no reset).
    raw_rollout: bool = False


def _atari(task_id: str, game: str, num_envs: tuple[int, ...] = (8,)) -> Task:
    # ale-py's AtariVectorEnv preprocesses as EnvPool does; plain ALE/<Game>-v5 does not.
    name = task_id.removesuffix("-v5")
    return Task(
        task_id,
        "atari",
        num_envs,
        task_id,
        f"ALE/{name}-v5",
        gymnasium_vector=False,
        gymnasium_sync=False,
        gymnasium_needs="ale_py",
        gymnasium_install="ale-py",
        raw_limit="ale",
        ale_game=game,
    )


def _mujoco_bindings_requirement() -> str:
    """The `mujoco` bindings in envfleet's own mujoco-core range (from its installed metadata)."""
    for requirement in importlib.metadata.requires("envfleet") or ():
        if requirement.startswith("mujoco-core"):
            return "mujoco" + requirement.removeprefix("mujoco-core")
    return "mujoco"


def _mujoco(task_id: str, num_envs: tuple[int, ...] = (8,), raw_rollout: bool = False) -> Task:
    return Task(
        task_id,
        "mujoco",
        num_envs,
        task_id,
        task_id,
        gymnasium_vector=False,
        # Gymnasium's MuJoCo envs import the `mujoco` bindings and glfw (the `mujoco` package's
        # dependency; envfleet itself needs only `mujoco-core`).
        gymnasium_needs="gymnasium.envs.mujoco.mujoco_env",
        gymnasium_install=f'"gymnasium[mujoco]" "{_mujoco_bindings_requirement()}"',
        raw_limit="mujoco",
        raw_rollout=raw_rollout,
    )


def _toy_text(task_id: str) -> Task:
    return Task(task_id, "toy_text", (1, 1024), task_id, task_id, gymnasium_vector=False)


def _box2d(task_id: str, num_envs: tuple[int, ...] = (8, 64)) -> Task:
    return Task(
        task_id,
        "box2d",
        num_envs,
        task_id,
        task_id,
        gymnasium_vector=False,
        gymnasium_needs="Box2D",
    )


# The task table. Extend it to give a task default sizes, peer ids and a raw limit; a task missing
# from it is benchmarked under its own id with every peer that knows that id.
TASKS: dict[str, Task] = {
    t.task_id: t
    for t in (
        Task("CartPole-v1", "classic_control", (1, 64, 1024), "CartPole-v1", "CartPole-v1"),
        _toy_text("FrozenLake-v1"),
        _toy_text("Taxi-v3"),
        _box2d("LunarLander-v3"),
        _box2d("BipedalWalker-v3"),
        _box2d("CarRacing-v3", (8,)),
        _atari("Pong-v5", "pong"),
        _atari("Breakout-v5", "breakout"),
        _mujoco("HalfCheetah-v5", raw_rollout=True),
        _mujoco("Ant-v5"),
        _mujoco("Humanoid-v5"),
    )
}
# What `envfleet bench` runs with no task named: one task per family.
DEFAULT_SUITE: tuple[str, ...] = ("CartPole-v1", "Pong-v5", "HalfCheetah-v5")
FALLBACK_NUM_ENVS: tuple[int, ...] = (1, 64)


def task_of(task_id: str) -> Task:
    """The table entry of `task_id`, or a same-id entry for a task the table does not list."""
    if task_id in TASKS:
        return TASKS[task_id]
    return Task(task_id, "unknown", FALLBACK_NUM_ENVS, task_id, task_id)


@dataclass(frozen=True)
class Workload:
    """A task at a number of envs, stepped `batch_size` envs at a time (sync: all of them)."""

    task: Task
    num_envs: int
    batch_size: int

    @property
    def is_async(self) -> bool:
        return self.batch_size < self.num_envs

    @property
    def label(self) -> str:
        batch = f" batch {self.batch_size}" if self.is_async else ""
        return f"{self.task.task_id} x{self.num_envs}{batch}"
