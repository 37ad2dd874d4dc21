"""EnvPoolLayer: what EnvPool's gym and dm pools share, over one envfleet pool.

EnvPool's behaviour, kept here: a step of an env never reset resets it (the row is its reset
observation, reward 0, both flags false); `reset(env_id)` takes ids positionally; actions may be
a dict with `env_id` / `players.env_id` / `action`; float actions of a discrete task are cast
as EnvPool casts them; results carry EnvPool's info keys (`players.env_id` included) and dtypes
(float32 rewards). Observations and info arrays are the engine's own arrays, never copied; the
reward and the few info keys whose EnvPool dtype differs are converted (one small array each);
MuJoCo's `frame_stack` builds a new stacked array per step.
"""

from __future__ import annotations

import pprint
import warnings
from typing import Any

import gymnasium
import numpy as np

from envfleet import registry
from envfleet.engine_pool import make_pool
from envfleet.envpool import dm_control as suite
from envfleet.envpool import options as envpool_options
from envfleet.envpool.observation_stack import ObservationStack
from envfleet.envpool.spec import REWARD_DTYPE, EnvSpec, as_box, dtype_of
from envfleet.reset_options import set_env_options
from envfleet.spec import observation_parts, split_observation
from envfleet.xla import make_xla

# Keywords of EnvPool's renderer, taken by the layer.
_RENDER_KEYWORDS = ("render_mode", "render_env_id", "render_width", "render_height")


def _env_ids(env_id: Any) -> np.ndarray:
    """env ids as an int32 array of at least one axis (EnvPool's normalisation)."""
    ids = np.asarray(env_id, dtype=np.int32)
    return ids.reshape(1) if ids.ndim == 0 else ids


class EnvPoolLayer:
    """An envfleet pool behind EnvPool's API; subclasses give the result format (`_to`).

    Thread-safety: as the pool under it, one caller thread at a time. Owns the pool; close()
    releases it.
    """

    spec: EnvSpec

    def __init__(self, task_id: str, **kwargs: Any) -> None:
        render = {name: kwargs.pop(name) for name in _RENDER_KEYWORDS if name in kwargs}
        if kwargs.pop("from_pixels", False):
            raise ValueError(
                "from_pixels=True is not supported by envfleet.envpool: MuJoCo pixel observations "
                "are envfleet.make_gymnasium(task_id, from_pixels=True)"
            )
        if kwargs.pop("render_camera_id", -1) != -1:
            raise ValueError(
                "render_camera_id is not supported by envfleet.envpool: MuJoCo cameras are "
                "envfleet.make_gymnasium(task_id, camera_id=...)"
            )
        if render.get("render_mode") not in (None, "rgb_array"):
            raise ValueError(
                f"render_mode={render['render_mode']!r}: only 'rgb_array' is supported"
            )
        translation = envpool_options.translate(task_id, kwargs)
        native, spec, _ = make_pool(translation.envfleet_id, translation.envfleet_kwargs)
        self._native = native
        self.spec = EnvSpec(spec, translation.config, translation.frame_stack)
        self._render = render
        self._all_env_ids = np.arange(native.num_envs, dtype=np.int32)
        # Envs never reset yet: their first step resets them, as in EnvPool.
        self._unreset: np.ndarray | None = np.ones(native.num_envs, dtype=np.bool_)
        self._discrete = isinstance(spec.action_space, gymnasium.spaces.Discrete)
        self._stack: ObservationStack | None = None
        # The Control Suite: the rows' parts, and EnvPool's keys with a stack per key.
        self._suite_parts = None
        self._suite_keys = self.spec.observation_keys
        self._key_stacks: dict[str, ObservationStack] = {}
        if self._suite_keys:
            self._suite_parts = observation_parts(spec.observation_space)
            self._envfleet_space = spec.observation_space
            if translation.frame_stack > 1:
                self._key_stacks = {
                    name: ObservationStack(
                        native.num_envs, translation.frame_stack, shape, np.dtype(np.float64)
                    )
                    for name, shape in self._suite_keys.items()
                }
        elif translation.frame_stack > 1:
            single = as_box(spec.observation_space)
            self._stack = ObservationStack(
                native.num_envs, translation.frame_stack, single.shape, dtype_of(single)
            )

    # ---- EnvPool API --------------------------------------------------------------------------

    @property
    def config(self) -> dict[str, Any]:
        """Every setting, pool ones included (EnvPool's `env.config`)."""
        return dict(self.spec.config._asdict())

    @property
    def all_env_ids(self) -> np.ndarray:
        """All env ids, int32."""
        return self._all_env_ids

    @property
    def is_async(self) -> bool:
        return bool(self._native.is_async)

    def __len__(self) -> int:
        return int(self._native.num_envs)

    def seed(self, seed: Any = None) -> None:
        """Does nothing, with EnvPool's warning: seeds are given to make()."""
        warnings.warn(
            "The `seed` function in envpool is abandoned. "
            "You can set seed by envpool.make(..., seed=seed) instead.",
            stacklevel=2,
        )

    def send(self, action: Any, env_id: Any = None) -> None:
        """Queues a step of the envs in `env_id` (all when None; a dict action may carry it)."""
        actions, ids = self._actions(action, env_id)
        unreset = self._unreset_rows(ids)
        if unreset is None:
            self._native.send_step(actions, ids)
            return
        rows = _checked_rows(actions, self._all_env_ids if ids is None else ids)
        self._native.send_reset(rows[unreset], None)
        self._mark_reset(rows[unreset])
        if not unreset.all():
            self._native.send_step(actions[~unreset], rows[~unreset])

    def recv(self, reset: bool = False, return_info: bool = True) -> Any:
        """The next batch of results; `reset=True` gives (obs, info). `return_info` is taken for
        EnvPool's signature: info is always returned, as in EnvPool 1.x."""
        return self._to(self._native.recv(), reset)

    def step(self, action: Any, env_id: Any = None) -> Any:
        """Steps the envs in `env_id` (all when None); an env never reset is reset instead."""
        if self._native.is_async:
            self.send(action, env_id)
            return self.recv()
        actions, ids = self._actions(action, env_id)
        unreset = self._unreset_rows(ids)
        if unreset is None:
            return self._to(self._native.step(actions, ids), False)
        rows = _checked_rows(actions, self._all_env_ids if ids is None else ids)
        reset_part = _as_step(self._native.reset(rows[unreset], None))
        self._mark_reset(rows[unreset])
        if unreset.all():
            return self._to(reset_part, False)
        step_part = self._native.step(actions[~unreset], rows[~unreset])
        return self._to(_merge(reset_part, step_part, unreset), False)

    def reset(self, env_id: Any = None, *, options: dict[str, Any] | None = None) -> Any:
        """Resets the envs in `env_id` (all when None) and returns their first results.

        `options`: per-env task options (`spec.envfleet_spec.reset_options`, an envfleet
        extension), each one value for every env reset or one per env reset; those envs run with
        them from this reset on. Other names raise ValueError listing the allowed ones."""
        ids = None if env_id is None else _env_ids(env_id)
        if options:
            set_env_options(self._native, self.spec.envfleet_spec, options, ids)
        result = self._native.reset(ids, None)
        self._mark_reset(ids)
        return self._to(result, True)

    def async_reset(self) -> None:
        """Queues a reset of every env; the results come from recv()."""
        self._native.send_reset(None, None)
        self._mark_reset(None)

    def render(self, env_ids: Any = None, camera_id: int | None = None) -> np.ndarray:
        """RGB pictures (n, h, w, 3) of `env_ids` (default: render_env_id, 0)."""
        if self._render.get("render_mode") is None:
            raise RuntimeError(
                "render_mode must be set to 'rgb_array' or 'human' when creating this env"
            )
        if env_ids is None:
            env_ids = self._render.get("render_env_id", 0)
        return self._native.render(_env_ids(env_ids))

    @property
    def render_mode(self) -> str | None:
        return self._render.get("render_mode")

    def xla(self) -> tuple[Any, Any, Any, Any]:
        """(handle, recv, send, step) usable inside jax.jit (envfleet.xla), EnvPool's form:
        `recv(handle)` -> (handle, results as recv() gives them), `send(handle, action, env_id)`
        -> handle, `step` = recv after send. Envs must be reset first (async_reset())."""
        if self._stack is not None or self._key_stacks:
            raise RuntimeError("xla() does not support frame_stack > 1")
        handle, native_recv, native_send = make_xla(
            self._native, registry.family_of(self.spec.envfleet_spec.id)
        )

        def recv(handle: Any) -> tuple[Any, Any]:
            handle, result = native_recv(handle)
            return handle, self._to(result, False)

        def send(handle: Any, action: Any, env_id: Any = None) -> Any:
            if isinstance(action, dict):
                flat = _flatten(action)
                action, env_id = flat["action"], flat.get("env_id", env_id)
            return native_send(handle, action, env_id)

        def step(handle: Any, action: Any, env_id: Any = None) -> tuple[Any, Any]:
            return recv(send(handle, action, env_id))

        return handle, recv, send, step

    def close(self, **kwargs: Any) -> None:
        self._native.close()

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={pprint.pformat(v)}" for k, v in self.config.items())
        return f"{type(self).__name__}({settings})"

    def __str__(self) -> str:
        return repr(self)

    # ---- helpers ------------------------------------------------------------------------------

    def _to(self, result: tuple[Any, ...], reset: bool) -> Any:
        raise NotImplementedError

    def _actions(self, action: Any, env_id: Any) -> tuple[np.ndarray, np.ndarray | None]:
        """(actions for the engine, int32 env ids or None for all), from EnvPool's forms."""
        if isinstance(action, dict):
            flat = _flatten(action)
            action = flat["action"]
            if env_id is None and "env_id" in flat:
                env_id = flat["env_id"]
            # EnvPool takes dict actions as they are, in its C++ dtype (int32 when discrete).
            if self._discrete and np.asarray(action).dtype != np.int32:
                raise RuntimeError(
                    f'Expected dtype int32 with action "action", got {np.asarray(action).dtype}'
                )
        actions = np.asarray(action)
        if self._discrete and actions.dtype.kind not in "iu":
            actions = actions.astype(np.int32)
        return actions, None if env_id is None else _env_ids(env_id)

    def _unreset_rows(self, ids: np.ndarray | None) -> np.ndarray | None:
        """Which of the rows `ids` were never reset; None when none."""
        if self._unreset is None:
            return None
        unreset = self._unreset.copy() if ids is None else self._unreset[ids]
        return unreset if unreset.any() else None

    def _mark_reset(self, ids: np.ndarray | None) -> None:
        if self._unreset is None:
            return
        if ids is None:
            self._unreset[:] = False
        else:
            self._unreset[ids] = False
        if not self._unreset.any():
            self._unreset = None

    def _convert(self, result: tuple[Any, ...]) -> tuple[Any, ...]:
        """A reset's or a step's results as (obs, reward, terminated, truncated, info, the
        engine's info), with EnvPool's info layout and dtypes."""
        obs, reward, terminated, truncated, info = _as_step(result) if len(result) == 2 else result
        env_id = info["env_id"]
        if self._suite_keys:
            rows = split_observation(obs, self._envfleet_space, self._suite_parts)
            obs = suite.envpool_observation(rows, self._suite_keys)
            if self._key_stacks:
                obs = {
                    name: stack.push(obs[name], env_id, info["elapsed_step"])
                    for name, stack in self._key_stacks.items()
                }
        elif self._stack is not None:
            obs = self._stack.push(obs, env_id, info["elapsed_step"])
        converted: dict[str, Any] = {"env_id": env_id, "players": {"env_id": env_id}}
        for key in self.spec.info_keys:
            value = info[key.name]
            converted[key.name] = value if value.dtype == key.dtype else value.astype(key.dtype)
        converted["elapsed_step"] = info["elapsed_step"]
        if "episode" in info:  # episode_stats=True, and an episode ended
            converted["episode"], converted["_episode"] = info["episode"], info["_episode"]
        return obs, reward.astype(REWARD_DTYPE), terminated, truncated, converted, info


def _checked_rows(actions: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """`rows`, after checking that `actions` has one row each (the engine checks the rest)."""
    if actions.ndim == 0 or len(actions) != len(rows):
        raise ValueError(
            f"actions must have one row per env stepped ({len(rows)}), got shape {actions.shape}"
        )
    return rows


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested action dict as {"a.b": value} (EnvPool's dotted keys)."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _as_step(reset_result: tuple[Any, Any]) -> tuple[Any, ...]:
    """A reset's (obs, info) as a step's five results: reward 0, both flags false."""
    obs, info = reset_result
    rows = len(obs)
    return (
        obs,
        np.zeros(rows, dtype=np.float64),
        np.zeros(rows, dtype=np.bool_),
        np.zeros(rows, dtype=np.bool_),
        info,
    )


def _merge(first: tuple[Any, ...], second: tuple[Any, ...], in_first: np.ndarray) -> tuple:
    """Two step results as one, rows in_first from `first` and the others from `second`."""

    def combine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        merged = np.empty((len(in_first), *a.shape[1:]), dtype=a.dtype)
        merged[in_first] = a
        merged[~in_first] = b
        return merged

    info: dict[str, Any] = {key: combine(value, second[4][key]) for key, value in first[4].items()}
    if "episode" in second[4]:  # episode statistics of the stepped rows (reset rows end none)
        episode = second[4]["episode"]
        info["episode"] = {k: combine(np.zeros_like(v), v) for k, v in episode.items()}
        info["_episode"] = combine(np.zeros_like(second[4]["_episode"]), second[4]["_episode"])
    return (*(combine(a, b) for a, b in zip(first[:4], second[:4], strict=True)), info)
