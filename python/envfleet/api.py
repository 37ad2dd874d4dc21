"""The `make*` entry points: EnvPool's names, Gymnasium's API."""

from __future__ import annotations

from typing import Any

from envfleet.gymnasium_pool import GymnasiumPool

_ENV_TYPES = ("gymnasium", "gym", "dm", "sb3")


def make_gymnasium(task_id: str, **kwargs: Any) -> GymnasiumPool:
    """A Gymnasium vector env of `task_id`.

    Pool keywords: num_envs (1), batch_size (num_envs: sync mode), num_threads (0: one per core,
    at most num_envs), seed (42; an int or one int per env), max_episode_steps (the task's),
    autoreset_mode ("next_step", "same_step", "disabled" or a gymnasium AutoresetMode),
    thread_affinity_offset (-1: no pinning), wait_policy ("auto", "spin" or "block"; default the
    ENVFLEET_WAIT_POLICY environment variable, else "auto"), episode_stats (False; True adds
    Gymnasium's RecordEpisodeStatistics info, computed by the engine). Other keywords are the
    task's own options (see `make_spec(task_id).options`); an unknown one raises TypeError.
    """
    return GymnasiumPool(task_id, **kwargs)


def make_gym(task_id: str, **kwargs: Any) -> GymnasiumPool:
    """EnvPool-compatible alias of `make_gymnasium` (Gymnasium's five-tuple step API)."""
    return GymnasiumPool(task_id, **kwargs)


def make_dm(task_id: str, **kwargs: Any) -> Any:
    """A dm_env-style pool of `task_id` (batched TimeSteps); needs the `dm` extra."""
    from envfleet.dm_pool import DmEnvPool

    return DmEnvPool(task_id, **kwargs)


def make_sb3(task_id: str, **kwargs: Any) -> Any:
    """A Stable-Baselines3 VecEnv of `task_id` (SAME_STEP autoreset); needs stable-baselines3.

    Takes `make_gymnasium`'s keywords except batch_size and autoreset_mode.
    """
    from envfleet.sb3 import Sb3VecEnv

    return Sb3VecEnv(task_id, **kwargs)


def make(task_id: str, env_type: str = "gymnasium", **kwargs: Any) -> Any:
    """`make_gymnasium` / `make_gym` / `make_dm` / `make_sb3` by `env_type`."""
    if env_type in ("gymnasium", "gym"):
        return GymnasiumPool(task_id, **kwargs)
    if env_type == "dm":
        return make_dm(task_id, **kwargs)
    if env_type == "sb3":
        return make_sb3(task_id, **kwargs)
    raise ValueError(f"env_type must be one of {_ENV_TYPES}, got {env_type!r}")


def gymnasium_vector_entry_point(task_id: str, num_envs: int = 1, **kwargs: Any) -> GymnasiumPool:
    """What `gymnasium.make_vec("envfleet/<id>", num_envs=...)` calls."""
    return GymnasiumPool(task_id, num_envs=num_envs, **kwargs)
