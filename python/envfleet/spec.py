"""EnvSpec: the Python view of an env's one C++ declaration, and the keyword checks of `make`.

Spaces are built here from the engine's description (dtype, shape, bounds, number of values), so
bounds are declared once, in C++, and never typed twice.
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import gymnasium
import numpy as np

from envfleet import registry

# Keywords every env accepts: they configure the pool, not the env.
POOL_KEYWORDS: dict[str, Any] = {
    "num_envs": 1,
    "batch_size": None,
    "num_threads": 0,
    "seed": 42,
    "max_episode_steps": None,
    "autoreset_mode": "next_step",
    "thread_affinity_offset": -1,
    # None: the ENVFLEET_WAIT_POLICY environment variable, else "auto".
    "wait_policy": None,
    # Episode statistics computed by the engine: info["episode"] / info["_episode"] when an
    # episode ends (Gymnasium's RecordEpisodeStatistics layout).
    "episode_stats": False,
}


# Tasks whose observation vector Gymnasium exposes as a Tuple of Discrete spaces, one per element
# (n = the element's upper bound + 1): the engine stores it as one int64 row per env.
TUPLE_OBSERVATIONS = frozenset({"Blackjack-v1"})


def _tuple_space(description: dict[str, Any]) -> gymnasium.spaces.Tuple:
    """Gymnasium's Tuple of Discrete spaces for an int64 observation vector bounded below by 0."""
    return gymnasium.spaces.Tuple(
        gymnasium.spaces.Discrete(int(high) + 1) for high in description["high"]
    )


def _dict_space(layout: list[tuple[str, tuple[int, ...]]]) -> gymnasium.spaces.Dict:
    """A Dict of unbounded float64 Boxes, one per named part of the observation, in order."""
    return gymnasium.spaces.Dict(
        collections.OrderedDict(
            (name, gymnasium.spaces.Box(-np.inf, np.inf, shape=tuple(shape), dtype=np.float64))
            for name, shape in layout
        )
    )


def observation_parts(space: gymnasium.Space) -> tuple[tuple[str, int, int, tuple[int, ...]], ...]:
    """(key, start, stop, shape) of each part of a Dict space's flat rows, in its key order."""
    assert isinstance(space, gymnasium.spaces.Dict)
    parts = []
    start = 0
    for name, part in space.spaces.items():
        shape = tuple(part.shape or ())
        size = int(np.prod(shape, dtype=np.int64))
        parts.append((name, start, start + size, shape))
        start += size
    return tuple(parts)


def split_observation(obs: np.ndarray, space: gymnasium.Space, parts: Any = None) -> Any:
    """A batch of observation vectors (rows, k) in the batched form of one env's `space`.

    A Tuple space (Blackjack): k column views. A Dict space (the Control Suite): a dict of views,
    each part reshaped to (rows, *its shape), in the space's key order; `parts` is
    observation_parts(space), passed by callers that split every step.
    """
    if isinstance(space, gymnasium.spaces.Dict):
        rows = obs.shape[0]
        return {
            name: obs[:, start:stop]
            if len(shape) == 1
            else obs[:, start:stop].reshape(rows, *shape)
            for name, start, stop, shape in parts or observation_parts(space)
        }
    return tuple(obs[:, k] for k in range(obs.shape[1]))


def record_type(name: str, fields: Sequence[str]) -> Callable[..., tuple[Any, ...]]:
    """A namedtuple class with fields known only at run time (a task's info keys), such as
    dm_env observations are."""
    return collections.namedtuple(name, fields)


def _space(description: dict[str, Any]) -> gymnasium.Space:
    """A Gymnasium space from one array description."""
    if description["num_values"] > 0:
        return gymnasium.spaces.Discrete(int(description["num_values"]))
    # The engine gives float64 bounds; cast them to the space's dtype (exact for the values
    # a spec declares) so Gymnasium sees no precision loss.
    dtype = np.dtype(description["dtype"])
    return gymnasium.spaces.Box(
        low=description["low"].astype(dtype) if dtype.kind == "f" else description["low"],
        high=description["high"].astype(dtype) if dtype.kind == "f" else description["high"],
        shape=tuple(description["shape"]),
        dtype=dtype,
    )


@dataclass(frozen=True)
class EnvSpec:
    """Everything about one task made with given options: spaces, limits and option defaults."""

    id: str
    observation_space: gymnasium.Space
    action_space: gymnasium.Space
    info_spaces: dict[str, gymnasium.Space]
    max_episode_steps: int
    reward_threshold: float | None
    # The simulator state's named parts and their sizes, as get_state() returns them.
    state_layout: tuple[tuple[str, int], ...]
    # The shape (height, width, 3) of render()'s pictures; None when the task cannot render.
    render_shape: tuple[int, int, int] | None
    # Pictures per second of env time, for video recorders; None when the task cannot render.
    render_fps: int | None
    options: dict[str, Any] = field(repr=False)
    config: dict[str, Any] = field(repr=False)
    # A Dict observation (MuJoCo's from_pixels with pixels_only=False): the engine's observation
    # array's key, and the info arrays that join it under their own names. None and () otherwise.
    observation_key: str | None = None
    observation_info: tuple[str, ...] = ()
    # The options each env takes anew at reset: reset(env_id=..., options={name: value}).
    reset_options: tuple[str, ...] = ()

    @classmethod
    def from_description(cls, description: dict[str, Any], config: dict[str, Any]) -> EnvSpec:
        observation = (
            _tuple_space(description["observation"])
            if description["id"] in TUPLE_OBSERVATIONS
            else _dict_space(description["observation_layout"])
            if description["observation_layout"]
            else _space(description["observation"])
        )
        key = description["observation_key"] or None
        parts = tuple(description["observation_info"])
        info = {name: _space(d) for name, d in description["info"].items()}
        if key is not None:
            observation = gymnasium.spaces.Dict(
                {key: observation, **{name: info.pop(name) for name in parts}}
            )
        return cls(
            id=description["id"],
            observation_space=observation,
            action_space=_space(description["action"]),
            info_spaces=info,
            max_episode_steps=int(description["max_episode_steps"]),
            reward_threshold=description["reward_threshold"],
            state_layout=tuple((name, int(size)) for name, size in description["state_layout"]),
            render_shape=tuple(description["render_shape"]) or None,
            render_fps=description["render_fps"] or None,
            options=dict(description["options"]),
            config=dict(config),
            observation_key=key,
            observation_info=parts,
            reset_options=tuple(description["reset_options"]),
        )

    def observation(self, obs: np.ndarray, info: dict[str, Any]) -> Any:
        """The engine's observation batch with the info arrays that belong to it, as the
        observation space has it: the array itself, or the Dict's arrays (taken out of `info`,
        with their `_name` masks). In same_step mode `final_obs` is made the same way from
        `final_info`."""
        if self.observation_key is None:
            return obs
        if "final_obs" in info:
            info["final_obs"] = self.observation(info["final_obs"], info["final_info"])
        parts = {self.observation_key: obs}
        for name in self.observation_info:
            parts[name] = info.pop(name)
            info.pop(f"_{name}", None)
        return parts


def _check_option_type(task_id: str, name: str, value: Any, default: Any) -> None:
    """TypeError unless `value` has the type of the option's default (ints pass for reals)."""
    if isinstance(default, bool):
        ok = isinstance(value, (bool, np.bool_))
    elif isinstance(default, int):
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
            value, bool
        )
    elif isinstance(default, str):
        # A list of strings is a map's rows (FrozenLake's desc, as Gymnasium takes it).
        ok = isinstance(value, str) or (
            isinstance(value, (list, tuple)) and all(isinstance(row, str) for row in value)
        )
    else:
        ok = isinstance(value, (list, tuple, np.ndarray))
    if not ok:
        raise TypeError(
            f"{task_id}: option {name!r} must be of type {type(default).__name__}, "
            f"got {type(value).__name__} ({value!r})"
        )


@functools.cache
def option_defaults(task_id: str) -> dict[str, Any]:
    """The env options of `task_id` and their defaults; described once per task (an Atari
    description loads the ROM). Callers must not modify the dict."""
    return registry.family_module(task_id).describe(task_id, {})["options"]


def split_keywords(task_id: str, kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(pool keywords with defaults filled in, env options as plain Python values).

    Raises TypeError for a keyword the env does not accept, naming it and listing those it does.
    """
    defaults = option_defaults(task_id)
    pool = dict(POOL_KEYWORDS)
    options: dict[str, Any] = {}
    for name, value in kwargs.items():
        if name in ("camera_id", "camera_name") and value is None:
            continue  # Gymnasium's "not given": the option's default
        if name == "default_camera_config" and (value is None or isinstance(value, dict)):
            value = camera_config_text(value or {})
        if name in POOL_KEYWORDS:
            pool[name] = value
        elif name in defaults:
            _check_option_type(task_id, name, value, defaults[name])
            options[name] = _plain(value, defaults[name])
        else:
            accepted = ", ".join(sorted([*POOL_KEYWORDS, *defaults]))
            raise TypeError(
                f"{task_id} got an unexpected keyword argument {name!r}. Accepted: {accepted}"
            )
    return pool, options


def camera_config_text(config: dict[str, Any]) -> str:
    """MuJoCo's default_camera_config, Gymnasium's dict of camera attributes (e.g. {"distance":
    4.0, "lookat": np.array((0, 0, 1.15))}), as the extension takes it: "name=v;name=v1,v2,v3".
    """
    entries = []
    for name, value in config.items():
        values = np.atleast_1d(np.asarray(value))
        integral = np.issubdtype(values.dtype, np.integer)
        entries.append(
            f"{name}=" + ",".join(str(int(v)) if integral else repr(float(v)) for v in values)
        )
    return ";".join(entries)


def _plain(value: Any, default: Any) -> Any:
    """numpy scalars and arrays as the Python types the extension converts."""
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, list):
        return [float(v) for v in value]
    if isinstance(default, str) and not isinstance(value, str):
        return "\n".join(value)
    return value


def make_spec(task_id: str, **kwargs: Any) -> EnvSpec:
    """The EnvSpec of `task_id` with the given env options (pool keywords are accepted too)."""
    pool, options = split_keywords(task_id, kwargs)
    description = registry.family_module(task_id).describe(task_id, options)
    spec = EnvSpec.from_description(description, options)
    if pool["max_episode_steps"] is not None:
        spec = replace(spec, max_episode_steps=int(pool["max_episode_steps"]))
    return spec
