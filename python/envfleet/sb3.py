"""Sb3VecEnv: an envfleet pool as a Stable-Baselines3 `VecEnv` (imported only when made).

SB3's conventions, as its `DummyVecEnv` has them: `step` returns (obs, rewards, dones, infos) with
`dones = terminated | truncated`; a finished env is reset within the same step (the pool runs in
SAME_STEP autoreset mode, so no extra round trip), its row of `obs` is the new episode's first
observation, and its info dict is that of the episode's last step with `terminal_observation`
added. Every info dict has `TimeLimit.truncated` (truncated and not terminated). The reset info of
a new episode goes to `reset_infos`. With `episode_stats=True` a finished episode's dict has
SB3's Monitor entry `episode` = {"r", "l", "t"} (computed by the engine), which SB3 logs as
ep_rew_mean / ep_len_mean.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices

from envfleet.gymnasium_pool import GymnasiumPool
from envfleet.reset_options import check_env_options

# Keys of the SAME_STEP info that describe the finished episode; the per-env dicts carry them as
# `terminal_observation` and as the dict itself.
_FINAL_KEYS = ("final_obs", "final_info", "episode")


def _is_per_env_key(key: str) -> bool:
    """False for the finished-episode entries and Gymnasium's `_key` masks."""
    return key not in _FINAL_KEYS and not key.startswith("_")


class EnvView:
    """One env of the pool, as SB3's get_attr / set_attr / env_method see it.

    Attributes read are the single env's (spaces, render_mode, spec, metadata, env_id) or those set
    with set_attr (Python-side values: the C++ env's options are fixed when the pool is made).
    Methods: render(), get_state(), set_state(*parts), get_wrapper_attr(name).
    """

    def __init__(self, pool: GymnasiumPool, env_id: int) -> None:
        self._pool = pool
        self.env_id = env_id
        self.observation_space = pool.single_observation_space
        self.action_space = pool.single_action_space
        self.render_mode = pool.render_mode
        self.metadata = pool.metadata
        self.spec = pool.envfleet_spec

    def render(self) -> np.ndarray:
        """This env's current RGB picture, (h, w, 3) uint8."""
        return self._pool.render([self.env_id])[0]

    def get_state(self) -> dict[str, np.ndarray]:
        """This env's simulator state: part name -> float64 vector (see GymnasiumPool)."""
        return {name: rows[0] for name, rows in self._pool.get_state([self.env_id]).items()}

    def set_state(self, *parts: Any, **named_parts: Any) -> None:
        """Sets this env's simulator state from its parts, each a vector (see GymnasiumPool)."""
        rows = [np.asarray(part)[None] for part in parts]
        named = {name: np.asarray(part)[None] for name, part in named_parts.items()}
        self._pool.set_state(*rows, env_id=[self.env_id], **named)

    def get_wrapper_attr(self, name: str) -> Any:
        """Gymnasium's accessor: the attribute `name` (there are no wrappers to search)."""
        return getattr(self, name)


class Sb3VecEnv(VecEnv):
    """`num_envs` envfleet envs as one SB3 VecEnv; `step_async` + `step_wait` is one pool step.

    `seed(s)` gives env i the seed s + i at the next `reset()`, as SB3 documents; `get_images()`
    returns every env's picture from the pool's `render()`.
    """

    def __init__(self, task_id: str, **kwargs: Any) -> None:
        for fixed in ("batch_size", "autoreset_mode"):
            if fixed in kwargs:
                raise TypeError(f"make_sb3 sets {fixed} itself (sync mode, same_step autoreset)")
        self.pool = GymnasiumPool(task_id, autoreset_mode="same_step", **kwargs)
        self._views = [EnvView(self.pool, i) for i in range(self.pool.num_envs)]
        self._actions: np.ndarray | None = None
        super().__init__(
            self.pool.num_envs, self.pool.single_observation_space, self.pool.single_action_space
        )

    # ---- stepping -----------------------------------------------------------------------------

    def reset(self) -> np.ndarray:
        """Resets every env (with the seeds given to `seed()`, if any) and returns the obs.

        Options given with SB3's `set_options()` (one dict for every env, or one per env) are the
        task's per-env reset options (`pool.envfleet_spec.reset_options`): each env runs with its
        values from this reset on, over its autoresets too, until changed. Other names raise
        ValueError naming the allowed ones, before any env changes."""
        given = [seed for seed in self._seeds if seed is not None]
        seeds = given if len(given) == len(self._seeds) else None
        if any(self._options):
            # Every env's values are checked before any is handed over.
            for options in self._options:
                if options:
                    check_env_options(self.pool.envfleet_spec, options, 1)
            for env, options in enumerate(self._options):
                if options:
                    self.pool._set_env_options(options, [env])
        obs, info = self.pool.reset(seed=seeds)
        self.reset_infos = _info_dicts(info, self.num_envs)
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        """Keeps the actions for `step_wait()`, which steps the pool (sync mode)."""
        self._actions = actions

    def step_wait(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[dict[str, Any]]]:
        """Steps every env: (obs, float32 rewards, dones, one info dict per env)."""
        if self._actions is None:
            raise RuntimeError("step_wait() called without step_async()")
        actions, self._actions = self._actions, None
        obs, reward, terminated, truncated, info = self.pool.step(actions)
        dones = terminated | truncated
        infos = _info_dicts(info, self.num_envs)
        for i in np.flatnonzero(dones).tolist():
            # The dict of a finished env is the last step's; the new episode's is its reset info.
            self.reset_infos[i] = infos[i]
            infos[i] = _row(info["final_info"], i)
            final_obs = info["final_obs"]
            infos[i]["terminal_observation"] = (
                {key: value[i] for key, value in final_obs.items()}
                if isinstance(final_obs, dict)
                else final_obs[i]
            )
        if "_episode" in info:
            episode = info["episode"]
            for i in np.flatnonzero(info["_episode"]):
                infos[i]["episode"] = {
                    "r": float(episode["r"][i]),
                    "l": int(episode["l"][i]),
                    "t": float(episode["t"][i]),
                }
        for row, time_limit in zip(infos, (truncated & ~terminated).tolist(), strict=True):
            row["TimeLimit.truncated"] = time_limit
        return obs, reward.astype(np.float32), dones, infos

    def close(self) -> None:
        """Stops the pool's threads and frees its envs."""
        self.pool.close()

    # ---- per-env access -----------------------------------------------------------------------

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        """The attribute of each env in `indices` (AttributeError where an env lacks it)."""
        return [getattr(view, attr_name) for view in self._target_views(indices)]

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        """Sets a Python-side attribute of each env in `indices`."""
        for view in self._target_views(indices):
            setattr(view, attr_name, value)

    def env_method(
        self, method_name: str, *method_args: Any, indices: VecEnvIndices = None, **method_kwargs
    ) -> list[Any]:
        """Calls the EnvView method of each env in `indices`; returns the results."""
        return [
            getattr(view, method_name)(*method_args, **method_kwargs)
            for view in self._target_views(indices)
        ]

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        """False for each env: envfleet envs run no Gymnasium wrappers."""
        return [False for _ in self._target_views(indices)]

    def get_images(self) -> Sequence[np.ndarray | None]:
        """Each env's current RGB picture (None for each where the task cannot render)."""
        if self.render_mode != "rgb_array":
            warnings.warn(f"{self.pool.envfleet_spec.id} cannot render", stacklevel=2)
            return [None] * self.num_envs
        return list(self.pool.render())

    def _target_views(self, indices: VecEnvIndices) -> list[EnvView]:
        """The views of the envs SB3's `indices` (None, an int or ints) name."""
        ids: Iterable[int] = self._get_indices(indices)
        return [self._views[i] for i in ids]


def _row(info: dict[str, Any], i: int) -> dict[str, Any]:
    """Env i's entries of a batched info dict, as Python scalars (arrays for vector entries)."""
    return {
        key: value[i].item() if value.ndim == 1 else value[i]
        for key, value in info.items()
        if _is_per_env_key(key)
    }


def _info_dicts(info: dict[str, Any], num_envs: int) -> list[dict[str, Any]]:
    """A batched info dict as one dict per env."""
    columns = {
        key: value.tolist() if value.ndim == 1 else value
        for key, value in info.items()
        if _is_per_env_key(key)
    }
    return [{key: column[i] for key, column in columns.items()} for i in range(num_envs)]
