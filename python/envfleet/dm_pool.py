"""DmEnvPool: an envfleet pool with dm_env's API, returning batched `dm_env.TimeStep`s.

The layout follows EnvPool's dm API so ACME-style code ports unchanged: `timestep.observation` is
a namedtuple with `obs`, `env_id`, `elapsed_step` and the env's info arrays (for the Control
Suite's dict observations, one field per key in place of `obs`, named and shaped as
dm_control's); `step_type` is FIRST
for a reset row, LAST where the episode ended and MID otherwise; `discount` is 0 where the episode
terminated, else the env's `info["discount"]` where it has one (Atari: 0 on a lost life with
zero_discount_on_life_loss), else 1 (a time-limit end keeps discount 1).

With `episode_stats=True` the observation also holds the engine's episode statistics as four
arrays: `episode_r`, `episode_l`, `episode_t` (Gymnasium's RecordEpisodeStatistics `r`, `l`, `t`)
and `episode_done` (its `_episode` mask), zero where no episode ended.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from envfleet.engine_pool import make_pool
from envfleet.errors import EnvError
from envfleet.reset_options import set_env_options
from envfleet.snapshots import SnapshotMethods
from envfleet.spec import observation_parts, record_type, split_observation

try:
    import dm_env
    from dm_env import specs
except ImportError as error:
    # A plain package name works wherever envfleet came from (a wheel, a clone, a checkout).
    raise ImportError(
        "envfleet.make_dm needs the dm-env package: pip install dm-env "
        "(or, in an envfleet checkout, pip install '.[dm]')"
    ) from error


def _array_spec(space: Any, name: str) -> Any:
    """A dm_env spec for one env's Gymnasium space (a tuple of specs for a Tuple space)."""
    if isinstance(space, gymnasium.spaces.Tuple):
        return tuple(_array_spec(part, f"{name}[{k}]") for k, part in enumerate(space.spaces))
    if isinstance(space, gymnasium.spaces.Dict):
        return {key: _array_spec(part, key) for key, part in space.spaces.items()}
    if hasattr(space, "n"):
        return specs.DiscreteArray(num_values=int(space.n), dtype=space.dtype, name=name)
    return specs.BoundedArray(
        shape=space.shape, dtype=space.dtype, minimum=space.low, maximum=space.high, name=name
    )


# The episode statistics in the observation (episode_stats=True): name -> dtype.
_STATS_FIELDS = {
    "episode_r": np.float64,
    "episode_l": np.int64,
    "episode_t": np.float64,
    "episode_done": np.bool_,
}


def _flat_stats(info: dict[str, Any], rows: int) -> dict[str, Any]:
    """`info` with the episode statistics as the four flat arrays of _STATS_FIELDS (zeros when
    no episode ended on this batch, where the engine adds no "episode" entry)."""
    flat = dict(info)
    episode = info.get("episode")
    if episode is None:
        for key, dtype in _STATS_FIELDS.items():
            flat[key] = np.zeros(rows, dtype=dtype)
    else:
        flat["episode_r"], flat["episode_l"], flat["episode_t"] = (episode[k] for k in "rlt")
        flat["episode_done"] = info["_episode"]
    return flat


class DmEnvPool(SnapshotMethods):
    """`num_envs` envs stepped by envfleet's C++ pool, with dm_env's TimeStep API."""

    def __init__(self, task_id: str, **kwargs: Any) -> None:
        native, spec, _ = make_pool(task_id, kwargs)
        self._native = native
        self.envfleet_spec = spec
        self.num_envs = native.num_envs
        self.batch_size = native.batch_size
        space = spec.observation_space
        # Dict observations (the Control Suite; MuJoCo's pixels with the state): one field per
        # key, as EnvPool's dm layout has them.
        self._obs_keys = (
            tuple(space.spaces) if isinstance(space, gymnasium.spaces.Dict) else ("obs",)
        )
        self._stats = bool(native.episode_stats)
        stats = _STATS_FIELDS if self._stats else ()
        self._fields = (*self._obs_keys, "env_id", "elapsed_step", *spec.info_spaces, *stats)
        # Where each key's columns sit in the engine's observation rows (the Control Suite).
        self._obs_parts = (
            observation_parts(space)
            if isinstance(space, gymnasium.spaces.Dict) and spec.observation_key is None
            else None
        )
        self._observation_type = record_type("Observation", self._fields)

    def observation_spec(self) -> Any:
        """One env's observation specs, in the layout of `timestep.observation`."""
        engine = {
            "env_id": specs.Array((), np.int32, "env_id"),
            "elapsed_step": specs.Array((), np.int32, "elapsed_step"),
        }
        info = {k: _array_spec(s, k) for k, s in self.envfleet_spec.info_spaces.items()}
        if self._stats:
            info.update({k: specs.Array((), dtype, k) for k, dtype in _STATS_FIELDS.items()})
        space = self.envfleet_spec.observation_space
        if isinstance(space, gymnasium.spaces.Dict):
            # dm_control's observation specs: unbounded float64 Arrays named by their keys.
            obs = {k: specs.Array(s.shape, s.dtype, k) for k, s in space.spaces.items()}
        else:
            obs = {"obs": _array_spec(space, "obs")}
        return self._observation_type(**obs, **engine, **info)

    def action_spec(self) -> specs.Array:
        return _array_spec(self.envfleet_spec.action_space, "action")

    def reward_spec(self) -> specs.Array:
        return specs.Array((), np.float64, "reward")

    def discount_spec(self) -> specs.BoundedArray:
        return specs.BoundedArray((), np.float64, 0.0, 1.0, "discount")

    def reset(
        self, env_id: Any = None, seed: Any = None, options: dict[str, Any] | None = None
    ) -> dm_env.TimeStep:
        """Resets all envs (or those in `env_id`). `options`: per-env task options
        (`envfleet_spec.reset_options`), each one value for every env reset or one per env reset;
        those envs run with them from this reset on. Other names raise ValueError."""
        if options:
            set_env_options(self._native, self.envfleet_spec, options, env_id)
        try:
            obs, info = self._native.reset(env_id, seed)
        except EnvError as error:
            error.result = self._timestep(error.result)
            raise
        rows = len(obs)
        return dm_env.TimeStep(
            step_type=np.full(rows, dm_env.StepType.FIRST, dtype=np.int32),
            reward=np.zeros(rows, dtype=np.float64),
            discount=np.ones(rows, dtype=np.float64),
            observation=self._observation(obs, info),
        )

    def step(self, actions: Any, env_id: Any = None) -> dm_env.TimeStep:
        return self._timestep_of(self._native.step, actions, env_id)

    def send(self, actions: Any, env_id: Any = None) -> None:
        self._native.send_step(actions, env_id)

    def recv(self, timeout: float | None = None) -> dm_env.TimeStep:
        """The next batch; raises TimeoutError after `timeout` seconds (None: no limit)."""
        return self._timestep_of(self._native.recv, timeout)

    def async_reset(
        self, env_id: Any = None, seed: Any = None, options: dict[str, Any] | None = None
    ) -> None:
        """Queues a reset of all envs (or those in `env_id`); `options` as reset()'s."""
        if options:
            set_env_options(self._native, self.envfleet_spec, options, env_id)
        self._native.send_reset(env_id, seed)

    def close(self) -> None:
        self._native.close()

    def __len__(self) -> int:
        return self.num_envs

    def _observation(self, obs: np.ndarray, info: dict[str, Any]) -> Any:
        # Tuple observations (Blackjack) as one column per element, as their spec says; Dict
        # observations as one field per key: the Control Suite's named parts of the engine's
        # observation rows, or MuJoCo's pixels with the state (info arrays joining the pixels).
        if self._stats:
            info = _flat_stats(info, len(info["env_id"]))
        space = self.envfleet_spec.observation_space
        if isinstance(space, gymnasium.spaces.Dict):
            parts = (
                self.envfleet_spec.observation(obs, info)
                if self.envfleet_spec.observation_key
                else split_observation(obs, space, self._obs_parts)
            )
            rest = (info[k] for k in self._fields[len(self._obs_keys) :])
            return self._observation_type(*(parts[k] for k in self._obs_keys), *rest)
        if isinstance(space, gymnasium.spaces.Tuple):
            obs = split_observation(obs, space)
        return self._observation_type(obs, *(info[k] for k in self._fields[1:]))

    def _timestep_of(self, call: Any, *args: Any) -> dm_env.TimeStep:
        """The TimeStep of call(*args); an EnvError's result is made a TimeStep as well."""
        try:
            return self._timestep(call(*args))
        except EnvError as error:
            error.result = self._timestep(error.result)
            raise

    def _timestep(self, result: tuple[Any, ...]) -> dm_env.TimeStep:
        obs, reward, terminated, truncated, info = result
        step_type = np.where(
            terminated | truncated,
            np.int32(dm_env.StepType.LAST),
            np.where(info["elapsed_step"] == 0, np.int32(dm_env.StepType.FIRST), np.int32(1)),
        ).astype(np.int32)
        return dm_env.TimeStep(
            step_type=step_type,
            reward=reward,
            # An env may lower the discount mid-episode (Atari's zero_discount_on_life_loss).
            discount=np.where(terminated, 0.0, info.get("discount", 1.0)).astype(np.float64),
            observation=self._observation(obs, info),
        )
