"""Which task ids exist and which family extension module implements each.

This list is the one place Python names the env ids, so `import envfleet` and `list_all_envs()`
never load an extension: a family's module is imported when its first env is made.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from envfleet import mujoco_library, suggest
from envfleet.atari_games import TASK_IDS as ATARI_TASK_IDS

# Family name -> the task ids its extension module `envfleet._<family>` defines.
_FAMILIES: dict[str, tuple[str, ...]] = {
    "classic_control": (
        "CartPole-v0",
        "CartPole-v1",
        "MountainCar-v0",
        "MountainCarContinuous-v0",
        "Pendulum-v1",
        "Acrobot-v1",
    ),
    "toy_text": (
        "FrozenLake-v1",
        "FrozenLake8x8-v1",
        "Taxi-v3",
        "CliffWalking-v1",
        "CliffWalkingSlippery-v1",
        "Blackjack-v1",
    ),
    "box2d": (
        "LunarLander-v3",
        "LunarLanderContinuous-v3",
        "BipedalWalker-v3",
        "BipedalWalkerHardcore-v3",
        "CarRacing-v3",
    ),
    "atari": ATARI_TASK_IDS,
    "mujoco": tuple(
        f"{task}-{version}"
        for task in (
            "Ant",
            "HalfCheetah",
            "Hopper",
            "Humanoid",
            "HumanoidStandup",
            "InvertedDoublePendulum",
            "InvertedPendulum",
            "Pusher",
            "Reacher",
            "Swimmer",
            "Walker2d",
        )
        for version in ("v4", "v5")
    ),
}

# Envs that exist to test the engine: makeable, never listed.
_INTERNAL: dict[str, tuple[str, ...]] = {"testing": ("Counting-v0",)}

_FAMILY_OF = {
    task_id: family
    for families in (_FAMILIES, _INTERNAL)
    for family, task_ids in families.items()
    for task_id in task_ids
}


def list_all_envs() -> list[str]:
    """Every task id envfleet can make, in family order."""
    return [task_id for task_ids in _FAMILIES.values() for task_id in task_ids]


def families() -> dict[str, tuple[str, ...]]:
    """Family name -> its task ids (public envs only)."""
    return dict(_FAMILIES)


def internal_families() -> dict[str, tuple[str, ...]]:
    """Family name -> its task ids, for the families that exist to test the engine."""
    return dict(_INTERNAL)


def family_of(task_id: str) -> str:
    """The family implementing `task_id`; ValueError with close matches if there is none."""
    try:
        return _FAMILY_OF[task_id]
    except KeyError:
        hint = unknown_task_hint(task_id)
        raise ValueError(
            f"unknown task id {task_id!r}.{hint} See envfleet.list_all_envs()."
        ) from None


def unknown_task_hint(task_id: str) -> str:
    """ " Did you mean ...?" (with a leading space) for an unknown `task_id`, or ""."""
    hint = suggest.unknown_task_hint(task_id, list_all_envs(), ATARI_TASK_IDS)
    return f" {hint}" if hint else ""


# Families whose modules use libmujoco, which `mujoco_library.load` opens before their import.
_NEEDS_LIBMUJOCO = frozenset({"mujoco"})


def family_module(task_id: str) -> ModuleType:
    """The extension module implementing `task_id`, imported on first use."""
    family = family_of(task_id)
    try:
        return import_family(family)
    except ModuleNotFoundError as error:
        if error.name != f"envfleet._{family}":
            raise
        raise ModuleNotFoundError(
            f"{task_id} needs envfleet's {family} family, which this build of envfleet left out "
            f"(built with -DENVFLEET_WITH_{family.upper()}=OFF)",
            name=error.name,
        ) from None


def import_family(family: str) -> ModuleType:
    """The extension module `envfleet._<family>`, with the libraries it needs loaded first."""
    if family in _NEEDS_LIBMUJOCO:
        mujoco_library.load()
    return importlib.import_module(f"envfleet._{family}")
