"""EnvSpec as EnvPool shows it: `config`, `reward_threshold`, one env's spaces, array specs.

Built over envfleet's own EnvSpec (the spaces' one C++ declaration), with EnvPool's info layout:
`env_id`, `players.env_id`, the task's info keys in EnvPool's dtypes, `elapsed_step`; the Control
Suite's observations in EnvPool's keys (envpool/dm_control.py).
"""

from __future__ import annotations

import collections
import pprint
from dataclasses import dataclass
from typing import Any, NamedTuple

import gymnasium
import numpy as np

from envfleet.envpool import dm_control as suite
from envfleet.envpool import options as envpool_options
from envfleet.spec import EnvSpec as EnvfleetSpec
from envfleet.spec import record_type

# EnvPool's `players` group of a dm observation: the env of each player's row (one per env here).
# Its class name is EnvPool's ("players"), which repr() shows.
Players = collections.namedtuple("players", ["env_id"])  # type: ignore[name-match]

# Info keys envfleet adds that EnvPool does not report (the layer leaves them out of `info`).
# Atari's `discount` is EnvPool's dm discount, which the dm pool reads from the engine's info.
_ENVFLEET_ONLY_INFO = ("discount", "episode_frame_number")
# EnvPool's dtypes of info keys envfleet reports in another dtype, and of the reward.
_ENVPOOL_INFO_DTYPES = {"reward": np.dtype(np.float32), "terminated": np.dtype(np.int32)}
REWARD_DTYPE = np.dtype(np.float32)
_INT32 = np.iinfo(np.int32)


class ArraySpec:
    """EnvPool's description of one array: dtype, shape (-1: the per-player axis), bounds."""

    def __init__(
        self, dtype: Any, shape: list[int], minimum: Any, maximum: Any, is_discrete: bool = False
    ) -> None:
        self.dtype = np.dtype(dtype)
        self.shape = shape
        self.minimum = minimum
        self.maximum = maximum
        self.is_discrete = is_discrete

    def __repr__(self) -> str:
        return (
            f"ArraySpec(shape={self.shape}, dtype={self.dtype}, "
            f"minimum={self.minimum}, maximum={self.maximum})"
        )


def _int32_spec(shape: list[int]) -> ArraySpec:
    return ArraySpec(np.int32, shape, int(_INT32.min), int(_INT32.max))


def _array_spec(space: gymnasium.Space, dtype: Any = None, per_player: bool = False) -> ArraySpec:
    """EnvPool's ArraySpec of one env's space."""
    axis = [-1] if per_player else []
    if isinstance(space, gymnasium.spaces.Discrete):
        dtype = np.dtype(np.int32) if dtype is None else dtype
        return ArraySpec(dtype, axis, int(space.start), int(space.start + space.n - 1), True)
    box = as_box(space)
    dtype = dtype_of(box) if dtype is None else np.dtype(dtype)
    low, high = (False, True) if dtype.kind == "b" else _bounds(box)
    return ArraySpec(dtype, axis + list(box.shape), low, high)


@dataclass(frozen=True)
class InfoKey:
    """One info key EnvPool reports: envfleet's name, its space, and EnvPool's dtype."""

    name: str
    space: gymnasium.Space
    dtype: np.dtype


class EnvSpec:
    """One task made with given keywords, as EnvPool describes it (immutable)."""

    def __init__(self, spec: EnvfleetSpec, config: dict[str, Any], frame_stack: int) -> None:
        self.envfleet_spec = spec
        self.frame_stack = frame_stack
        config = dict(config)
        config["max_episode_steps"] = spec.max_episode_steps
        if "reward_threshold" not in config and spec.reward_threshold is not None:
            config["reward_threshold"] = spec.reward_threshold
        self._config = envpool_options.config_tuple(config)
        self.info_keys = tuple(
            InfoKey(name, space, _ENVPOOL_INFO_DTYPES.get(name, dtype_of(space)))
            for name, space in spec.info_spaces.items()
            if name not in _ENVFLEET_ONLY_INFO
        )
        obs = spec.observation_space
        # The Control Suite's keys as EnvPool reports them (None: one `obs` array).
        self.observation_keys: dict[str, tuple[int, ...]] | None = None
        if suite.is_suite(spec.id) and isinstance(obs, gymnasium.spaces.Dict):
            self.observation_keys = suite.observation_keys(spec.id, obs)
            obs = suite.observation_space(self.observation_keys, frame_stack)
        elif frame_stack > 1:
            box = as_box(obs)
            obs = gymnasium.spaces.Box(
                np.broadcast_to(box.low, (frame_stack, *box.shape)),
                np.broadcast_to(box.high, (frame_stack, *box.shape)),
                dtype=dtype_of(box).type,
            )
        self.observation_space = obs
        self.action_space = spec.action_space
        # The namedtuple of a dm TimeStep's observation, EnvPool's field order.
        obs_fields = list(self.observation_keys) if self.observation_keys else ["obs"]
        self.observation_type = record_type(
            "State", ["env_id", "players", *obs_fields, *(key.name for key in self.info_keys)]
        )

    @property
    def config(self) -> NamedTuple:
        """Every setting the pool was made with, pool ones included."""
        return self._config

    @property
    def reward_threshold(self) -> float | None:
        """The return at which the task counts as solved; None for none."""
        return getattr(self._config, "reward_threshold", None)

    @property
    def gymnasium_observation_space(self) -> gymnasium.Space:
        return self.observation_space

    @property
    def gymnasium_action_space(self) -> gymnasium.Space:
        return self.action_space

    @property
    def action_array_spec(self) -> dict[str, ArraySpec]:
        """EnvPool's action arrays: env_id, players.env_id and the action, per row."""
        return {
            "env_id": _int32_spec([]),
            "players.env_id": _int32_spec([-1]),
            "action": _array_spec(self.action_space, per_player=True),
        }

    @property
    def state_array_spec(self) -> dict[str, ArraySpec]:
        """EnvPool's result arrays, keyed as EnvPool keys them ("obs", "info:lives", ...)."""
        float32 = np.finfo(np.float32)
        result = {
            "info:env_id": _int32_spec([]),
            "info:players.env_id": _int32_spec([-1]),
            "elapsed_step": _int32_spec([]),
            "done": ArraySpec(np.bool_, [], False, True),
            "reward": ArraySpec(REWARD_DTYPE, [-1], float(float32.tiny), float(float32.max)),
            "discount": ArraySpec(np.float32, [-1], 0.0, 1.0),
            "step_type": _int32_spec([]),
            "trunc": ArraySpec(np.bool_, [], False, True),
        }
        if self.observation_keys:
            for name, space in _dict(self.observation_space).items():
                result[f"obs:{name}"] = _array_spec(space)
        else:
            result["obs"] = _array_spec(self.observation_space)
        for key in self.info_keys:
            # EnvPool marks a per-player axis (-1) on scalar info only (lives: [-1]; ram: [128]).
            scalar = key.space.shape == ()
            result[f"info:{key.name}"] = _array_spec(key.space, key.dtype, per_player=scalar)
        return result

    def observation_spec(self) -> Any:
        """dm_env specs of one env's observation fields: env_id, players, obs, the info keys."""
        from dm_env import specs

        env_id = specs.BoundedArray((), np.int32, int(_INT32.min), int(_INT32.max), "env_id")
        if self.observation_keys:
            obs = [dm_spec(space, name) for name, space in _dict(self.observation_space).items()]
        else:
            obs = [dm_spec(self.observation_space, "obs")]
        return self.observation_type(
            env_id,
            Players(env_id),
            *obs,
            *(dm_spec(key.space, key.name, key.dtype) for key in self.info_keys),
        )

    def action_spec(self) -> Any:
        """The dm_env spec of one env's action."""
        return dm_spec(self.action_space, "action")

    def __repr__(self) -> str:
        return f"EnvSpec{pprint.pformat(self._config)[6:]}"


def dm_spec(space: gymnasium.Space, name: str, dtype: Any = None) -> Any:
    """A dm_env spec of one env's space (DiscreteArray for a Discrete or bool one, as EnvPool)."""
    from dm_env import specs

    if isinstance(space, gymnasium.spaces.Discrete):
        return specs.DiscreteArray(int(space.n), dtype=dtype or np.int32, name=name)
    box = as_box(space)
    dtype = dtype_of(box) if dtype is None else np.dtype(dtype)
    if dtype_of(box).kind == "b":
        return specs.DiscreteArray(2, dtype=dtype, name=name)
    low, high = _bounds(box)
    return specs.BoundedArray(box.shape, dtype, low, high, name)


def _dict(space: gymnasium.Space) -> dict[str, gymnasium.Space]:
    """The parts of a Dict space (the Control Suite's observations)."""
    assert isinstance(space, gymnasium.spaces.Dict)
    return dict(space.spaces)


def as_box(space: gymnasium.Space) -> gymnasium.spaces.Box:
    """`space` as the Box it is: EnvPool describes Discrete spaces and Boxes, nothing else."""
    if not isinstance(space, gymnasium.spaces.Box):
        raise TypeError(f"EnvPool describes Discrete and Box spaces, not {space}")
    return space


def dtype_of(space: gymnasium.Space) -> np.dtype:
    """The dtype of a Discrete space or a Box (Gymnasium's spaces may have none)."""
    if space.dtype is None:
        raise TypeError(f"EnvPool describes spaces with a dtype, not {space}")
    return space.dtype


def _bounds(space: gymnasium.spaces.Box) -> tuple[Any, Any]:
    """A Box's bounds, as scalars where they are the same everywhere (EnvPool's form)."""
    low, high = space.low, space.high
    if low.size and np.all(low == low.flat[0]) and np.all(high == high.flat[0]):
        return low.flat[0].item(), high.flat[0].item()
    return low, high
