"""GymnasiumPool: an envfleet pool as a `gymnasium.vector.VectorEnv` (also EnvPool's gym API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium
import numpy as np
from gymnasium.vector.utils import batch_space

from envfleet.engine_pool import make_pool
from envfleet.reset_options import set_env_options
from envfleet.snapshots import SnapshotMethods
from envfleet.spec import EnvSpec, observation_parts, split_observation


class Pictures(np.ndarray):
    """What `render()` returns: one uint8 array (n, h, w, 3), row r the picture of the r-th env.

    A plain ndarray subclass that is also a `collections.abc.Sequence` of its n pictures: the type
    Gymnasium's `VectorEnv.render()` returns and its vector `RecordVideo` checks for. No per-env
    object is made.
    """


Sequence.register(Pictures)


class GymnasiumPool(gymnasium.vector.VectorEnv, SnapshotMethods):
    """`num_envs` envs stepped by envfleet's C++ pool, with Gymnasium's vector API.

    Sync mode (batch_size == num_envs): `step(actions)` steps every env; `step(actions, env_id)`
    steps only those envs and returns their rows in that order. Async mode (batch_size <
    num_envs): `send(actions, env_id)` queues work, `recv()` returns the first batch_size envs to
    finish, `info["env_id"]` says which. Returned arrays are views of buffers the pool never
    overwrites while they are alive.
    """

    def __init__(self, task_id: str, **kwargs: Any) -> None:
        # Closed until the pool exists: a construction that raises leaves nothing to close.
        self.closed = True
        native, spec, mode = make_pool(task_id, kwargs)
        self._native = native
        self.envfleet_spec: EnvSpec = spec
        self.num_envs = native.num_envs
        self.batch_size = native.batch_size
        self.single_observation_space = spec.observation_space
        self.single_action_space = spec.action_space
        self.observation_space = batch_space(spec.observation_space, self.batch_size)
        self.action_space = batch_space(spec.action_space, self.batch_size)
        can_render = spec.render_shape is not None
        self.metadata = {
            "autoreset_mode": mode,
            "render_modes": ["rgb_array"] if can_render else [],
            "render_fps": spec.render_fps,
        }
        self.render_mode = "rgb_array" if can_render else None
        # Tuple observations (Blackjack) leave the pool as one column view per element, Dict
        # observations of named parts of the engine's flat rows (the Control Suite) as a dict of
        # views. (MuJoCo's pixels with the state are a dict already: spec.observation makes it.)
        space = spec.observation_space
        flat_dict = isinstance(space, gymnasium.spaces.Dict) and spec.observation_key is None
        self._split_obs = isinstance(space, gymnasium.spaces.Tuple) or flat_dict
        self._obs_parts = observation_parts(space) if flat_dict else None
        self.closed = False
        # The last full-batch observation, for reset(options={"reset_mask": ...}) (sync mode).
        self._last_obs: Any = None

    # ---- Gymnasium API ------------------------------------------------------------------------

    def reset(
        self,
        *,
        seed: int | list[int] | None = None,
        options: dict[str, Any] | None = None,
        env_id: Any = None,
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """Resets all envs, those in `env_id`, or those in `options["reset_mask"]`.

        Other keys of `options` are per-env task options (`envfleet_spec.reset_options`), each a
        scalar for every env reset or an array of one value per env reset: those envs run with
        them from this reset on (the others keep theirs). Any other name raises ValueError
        naming the options allowed.

        `seed` is an int (env i gets stream (seed, i)) or one int per env reset. With a reset mask
        (sync mode) the observation covers every env: reset rows are new, the others are the last
        observation; info arrays are full length with Gymnasium's `_key` masks.
        """
        mask = None if options is None else options.get("reset_mask")
        env_options = {k: v for k, v in (options or {}).items() if k != "reset_mask"}
        if mask is not None:
            if env_id is not None:
                raise ValueError("pass either env_id or options['reset_mask'], not both")
            if env_options:
                self._set_env_options(env_options, np.flatnonzero(np.asarray(mask)))
            return self._reset_masked(np.asarray(mask), seed)
        if env_options:
            self._set_env_options(env_options, env_id)
        obs, info = self._native.reset(env_id, seed)
        obs = self.envfleet_spec.observation(obs, info)
        if env_id is None and not self._native.is_async:
            self._last_obs = obs
        return self._observation(obs), info

    def step(
        self, actions: Any, env_id: Any = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """Steps all envs (or those in `env_id`); in async mode, `send` then `recv`."""
        obs, *rest, info = self._native.step(actions, env_id)
        obs = self.envfleet_spec.observation(obs, info)
        if env_id is None and not self._native.is_async:
            self._last_obs = obs
        return self._step_result((obs, *rest, info))

    def send(self, actions: Any, env_id: Any = None) -> None:
        """Queues a step of the envs in `env_id` (all envs when None)."""
        self._native.send_step(actions, env_id)

    def recv(
        self, timeout: float | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        """The next batch of results: the first batch_size envs to finish.

        Waits at most `timeout` seconds (None: no limit), then raises TimeoutError and leaves the
        batch in flight for a later recv(). Ctrl-C interrupts the wait (KeyboardInterrupt).
        """
        obs, *rest, info = self._native.recv(timeout)
        return self._step_result((self.envfleet_spec.observation(obs, info), *rest, info))

    def async_reset(self, seed: int | list[int] | None = None, env_id: Any = None) -> None:
        """Queues a reset of the envs in `env_id` (all when None); results come from `recv()`."""
        self._native.send_reset(env_id, seed)

    # One (n, h, w, 3) array of the envs asked for (EnvPool's form), not Gymnasium's tuple of all.
    def render(self, env_ids: Any = None, *, env_id: Any = None) -> Pictures:  # type: ignore[override]
        """The current RGB pictures of the envs in `env_ids` (all when None), as one array.

        Shaped (len(env_ids), h, w, 3), uint8; picture r is of env env_ids[r]. The envs are drawn
        on the pool's threads in parallel, without the GIL. `env_id` is the same argument under
        the name `step()` and `reset()` use (`env_ids` is EnvPool's).
        """
        if env_ids is not None and env_id is not None:
            raise ValueError("pass either env_ids or env_id, not both")
        return self._native.render(env_id if env_ids is None else env_ids).view(Pictures)

    def close_extras(self, **kwargs: Any) -> None:
        self._native.close()

    def xla(self) -> tuple[Any, Any, Any, Any]:
        """(handle, recv, send, step) usable inside jax.jit, as EnvPool's xla() (envfleet.xla).

        `recv(handle)` -> (handle, (obs, reward, terminated, truncated, info)); `send(handle,
        actions, env_id=None)` -> handle; `step(handle, actions, env_id=None)` = recv after
        send. Needs the next_step autoreset mode, and envs reset first (reset or async_reset).
        """
        from gymnasium.vector import AutoresetMode

        from envfleet import registry
        from envfleet.xla import make_xla

        if self.metadata["autoreset_mode"] != AutoresetMode.NEXT_STEP:
            raise ValueError("xla() needs autoreset_mode='next_step'")
        handle, recv, send = make_xla(self._native, registry.family_of(self.envfleet_spec.id))

        def step(handle: Any, actions: Any, env_id: Any = None) -> tuple[Any, Any]:
            return recv(send(handle, actions, env_id))

        return handle, recv, send, step

    # ---- envfleet extras ----------------------------------------------------------------------

    def get_state(self, env_id: Any = None) -> dict[str, np.ndarray]:
        """The simulator state of each env: part name -> float64 array of shape (envs, part size).

        The parts are the task's `envfleet_spec.state_layout` (MuJoCo: "qpos" and "qvel").
        """
        flat = self._native.get_state(env_id)
        parts, offset = {}, 0
        for name, size in self.envfleet_spec.state_layout:
            parts[name] = flat[:, offset : offset + size]
            offset += size
        return parts

    def set_state(self, *parts: Any, env_id: Any = None, **named_parts: Any) -> None:
        """Sets the simulator state of each env, and recomputes what follows from it.

        Takes the parts of `envfleet_spec.state_layout` in order (`set_state(qpos, qvel)`) or by
        name (`set_state(qpos=..., qvel=...)`), each of shape (envs, part size).
        """
        layout = self.envfleet_spec.state_layout
        names = [name for name, _ in layout]
        if len(parts) > len(names):
            raise TypeError(f"set_state() takes the parts {names}, got {len(parts)} arrays")
        given = dict(zip(names, parts, strict=False))
        for name, value in named_parts.items():
            if name not in names or name in given:
                raise TypeError(f"set_state() got an unexpected or repeated part {name!r}")
            given[name] = value
        if missing := [name for name in names if name not in given]:
            raise TypeError(f"set_state() is missing the parts {missing}")
        arrays = []
        for name, size in layout:
            array = np.asarray(given[name], dtype=np.float64)
            if array.ndim != 2 or array.shape[1] != size:
                raise ValueError(f"{name} must have shape (envs, {size}), got {array.shape}")
            arrays.append(array)
        self._native.set_state(np.concatenate(arrays, axis=1), env_id)

    @property
    def num_threads(self) -> int:
        return self._native.num_threads

    @property
    def wait_policy(self) -> str:
        """How the pool's threads wait: "auto", "spin" or "block" (docs/concurrency.md)."""
        return self._native.wait_policy

    @property
    def is_async(self) -> bool:
        """True in async mode (batch_size < num_envs); Tianshou's collectors read it."""
        return self._native.is_async

    def __len__(self) -> int:
        return self.num_envs

    def __repr__(self) -> str:
        return (
            f"GymnasiumPool({self.envfleet_spec.id!r}, num_envs={self.num_envs}, "
            f"batch_size={self.batch_size}, num_threads={self.num_threads})"
        )

    # ---- helpers ------------------------------------------------------------------------------

    def _reset_masked(self, mask: np.ndarray, seed: Any) -> tuple[np.ndarray, dict[str, Any]]:
        if self._native.is_async:
            raise ValueError("options['reset_mask'] needs sync mode; use env_id in async mode")
        if mask.dtype != np.bool_ or mask.shape != (self.num_envs,):
            raise ValueError(
                f"reset_mask must be a bool array of shape ({self.num_envs},), "
                f"got {mask.dtype} {mask.shape}"
            )
        ids = np.flatnonzero(mask)
        last = self._last_obs
        if last is None and len(ids) < self.num_envs:
            raise ValueError("reset with a partial reset_mask before a first full reset()")
        obs, info = self._native.reset(ids, seed)
        obs = self.envfleet_spec.observation(obs, info)
        full_obs = obs if last is None or len(ids) == self.num_envs else _scatter(last, obs, ids)
        self._last_obs = full_obs
        return self._observation(full_obs), _expand_info(info, ids, self.num_envs)

    def _set_env_options(self, options: dict[str, Any], env_id: Any) -> None:
        set_env_options(self._native, self.envfleet_spec, options, env_id)

    def _observation(self, obs: np.ndarray) -> Any:
        """The engine's observation batch in the single observation space's batched form."""
        if not self._split_obs:
            return obs
        return split_observation(obs, self.single_observation_space, self._obs_parts)

    def _step_result(self, result: tuple[Any, ...]) -> Any:
        """A native step result with observations (final_obs included) in the space's form."""
        if not self._split_obs:
            return result
        obs, reward, terminated, truncated, info = result
        if "final_obs" in info:
            info["final_obs"] = self._observation(info["final_obs"])
        return self._observation(obs), reward, terminated, truncated, info


def _scatter(last: Any, rows: Any, ids: np.ndarray) -> Any:
    """A copy of the batch `last` (an array, or a dict of arrays) with rows `ids` set to `rows`."""
    if isinstance(last, dict):
        return {key: _scatter(last[key], rows[key], ids) for key in last}
    full = last.copy()
    full[ids] = rows
    return full


def _expand_info(info: dict[str, Any], ids: np.ndarray, num_envs: int) -> dict[str, Any]:
    """Info arrays of `ids`' rows as full-length arrays with Gymnasium's `_key` masks.

    A key's own mask (same_step's `_final_obs`, `_final_info`) is kept, False on the rows not
    reset; a nested dict (`final_info`) is expanded the same way.
    """
    mask = np.zeros(num_envs, dtype=np.bool_)
    mask[ids] = True
    full: dict[str, Any] = {}
    for key, value in info.items():
        if isinstance(value, dict):
            full[key] = _expand_info(value, ids, num_envs)
        else:
            expanded = np.zeros((num_envs, *value.shape[1:]), dtype=value.dtype)
            expanded[ids] = value
            full[key] = expanded
        is_mask = key.startswith("_") and key[1:] in info
        if not is_mask and f"_{key}" not in info:
            full[f"_{key}"] = mask
    return full
