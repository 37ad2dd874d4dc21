"""GymnasiumEnvPool: EnvPool's gym / gymnasium pool over an envfleet pool.

As in EnvPool 1.x, it is a `gymnasium.vector.VectorEnv` and a `gymnasium.Env` whose
`observation_space` and `action_space` are one env's (the same objects as `single_*`).
"""

from __future__ import annotations

import warnings
from typing import Any

import gymnasium
import numpy as np
from gymnasium.vector import AutoresetMode

from envfleet.envpool.pool import EnvPoolLayer


# EnvPool's class is both a VectorEnv and an Env, and its render, render_mode and spec are EnvPool's
# (EnvPoolLayer's), not Gymnasium's: the bases disagree on them, by design.
class GymnasiumEnvPool(  # type: ignore[misc, override]
    EnvPoolLayer, gymnasium.vector.VectorEnv, gymnasium.Env
):
    """`num_envs` envs with EnvPool's gymnasium API: `reset(env_id)` returns (obs, info),
    `step(action, env_id)` the five-tuple, info holds `env_id`, `players`, the task's keys and
    `elapsed_step`. Thread-safety and ownership: see EnvPoolLayer."""

    metadata: dict[str, Any] = {  # noqa: RUF012 (an instance attribute of VectorEnv)
        "render_modes": ["rgb_array"],
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }

    def __init__(self, task_id: str, **kwargs: Any) -> None:
        self.closed = True
        super().__init__(task_id, **kwargs)
        self.closed = False

    @property
    def num_envs(self) -> int:  # type: ignore[override]
        return len(self)

    @property
    def is_vector_env(self) -> bool:
        """True (older Gymnasium vector wrappers read it)."""
        return True

    @property
    def observation_space(self) -> gymnasium.Space:  # type: ignore[override]
        """One env's observation space."""
        return self.spec.observation_space

    @property
    def action_space(self) -> gymnasium.Space:  # type: ignore[override]
        """One env's action space."""
        return self.spec.action_space

    @property
    def single_observation_space(self) -> gymnasium.Space:  # type: ignore[override]
        return self.spec.observation_space

    @property
    def single_action_space(self) -> gymnasium.Space:  # type: ignore[override]
        return self.spec.action_space

    def reset(
        self,
        env_id: Any = None,
        *,
        seed: Any = None,
        options: dict[str, Any] | None = None,
    ) -> tuple[Any, dict[str, Any]]:
        """Resets `env_id` (all when None) or `options["reset_mask"]`'s envs; `seed` is ignored
        with EnvPool's warning (seeds are given to make()). Other keys of `options` are per-env
        task options (`spec.envfleet_spec.reset_options`, an envfleet extension): one value for
        every env reset or one per env reset."""
        if seed is not None:
            warnings.warn(
                "EnvPool seeds are fixed when the environment is created. reset(seed=...) is "
                "ignored; pass seed to envpool.make instead.",
                stacklevel=2,
            )
        env_options = {k: v for k, v in (options or {}).items() if k != "reset_mask"}
        if unknown := set(env_options) - set(self.spec.envfleet_spec.reset_options):
            raise ValueError(
                f"Unsupported Gymnasium reset options for EnvPool: {sorted(unknown)} (per-env "
                f"options of {self.spec.envfleet_spec.id}: "
                f"{list(self.spec.envfleet_spec.reset_options)})"
            )
        mask_ids = _reset_mask_ids(options, len(self))
        if env_id is not None and mask_ids is not None:
            raise ValueError("Pass either env_id or options['reset_mask'], not both.")
        return super().reset(mask_ids if mask_ids is not None else env_id, options=env_options)

    def close(self, **kwargs: Any) -> None:
        if not self.closed:
            super().close()
            self.closed = True

    def _to(self, result: tuple[Any, ...], reset: bool) -> Any:
        obs, reward, terminated, truncated, info, _ = self._convert(result)
        if reset:
            return obs, info
        return obs, reward, terminated, truncated, info


def _reset_mask_ids(options: dict[str, Any] | None, num_envs: int) -> np.ndarray | None:
    """The env ids of `options["reset_mask"]`, checked as EnvPool checks them."""
    if options is None:
        return None
    mask = options.get("reset_mask")
    if mask is None:
        return None
    mask = np.asarray(mask, dtype=np.bool_)
    if mask.shape != (num_envs,):
        raise ValueError(f"reset_mask must have shape ({num_envs},), got {mask.shape}")
    if not mask.any():
        raise ValueError("reset_mask must select at least one environment.")
    return np.flatnonzero(mask).astype(np.int32)
