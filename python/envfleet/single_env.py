"""SingleEnv: one envfleet env as a plain `gymnasium.Env`, for `gymnasium.make("envfleet/<id>")`.

It is a pool of one env stepped on the calling thread, with Gymnasium's single-env API: unbatched
spaces, observations and actions, a float reward and bool flags. As with any `gymnasium.Env`,
the caller resets after an episode ends; stepping a finished episode raises an error (the pool
runs with autoreset disabled). `gymnasium.make_vec(..., vectorization_mode="sync" or "async")`
builds Gymnasium's vector envs from it; envfleet's own pool (the default `make_vec` mode, or
`envfleet.make_gymnasium`) steps many envs far faster.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from envfleet.gymnasium_pool import GymnasiumPool

# Pool keywords that make no sense for one env.
_POOL_ONLY = ("num_envs", "batch_size", "num_threads", "autoreset_mode", "thread_affinity_offset")


class SingleEnv(gymnasium.Env):
    """One env of `task_id` on envfleet's engine, with Gymnasium's single-env API.

    Keywords: seed (the first reset's seed when reset() gets none), max_episode_steps,
    render_mode ("rgb_array" where the task renders) and the task's own options.
    """

    # What gymnasium.make checks render_mode against before making the env; the env's own
    # metadata says whether its task renders.
    metadata: dict[str, Any] = {"render_modes": ["rgb_array"]}  # noqa: RUF012 (as Env)

    def __init__(self, task_id: str, render_mode: str | None = None, **kwargs: Any) -> None:
        if given := sorted(set(kwargs) & set(_POOL_ONLY)):
            raise TypeError(
                f"gymnasium.make('envfleet/{task_id}') makes one env and takes no pool keywords "
                f"({', '.join(given)}); use gymnasium.make_vec or envfleet.make_gymnasium"
            )
        self._pool = GymnasiumPool(
            task_id,
            num_envs=1,
            num_threads=1,
            autoreset_mode="disabled",
            render_mode=render_mode,
            **kwargs,
        )
        self.observation_space = self._pool.single_observation_space
        self.action_space = self._pool.single_action_space
        self.metadata = {
            "render_modes": self._pool.metadata["render_modes"],
            "render_fps": self._pool.metadata["render_fps"],
        }
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            self._pool.close()
            raise ValueError(f"{task_id} cannot render (render_mode={render_mode!r})")
        self.render_mode = render_mode
        self.envfleet_spec = self._pool.envfleet_spec

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """The first observation of a new episode; `seed` as envfleet's (stream (seed, 0))."""
        super().reset(seed=seed)
        obs, info = self._pool.reset(seed=seed)
        return _first(obs), _row(info)

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        """One step: (observation, reward, terminated, truncated, info) of the env."""
        obs, reward, terminated, truncated, info = self._pool.step(np.asarray(action)[None])
        return _first(obs), float(reward[0]), bool(terminated[0]), bool(truncated[0]), _row(info)

    # Gymnasium 1.2's Env.render returns its RenderFrame type variable (an override error), 1.4's
    # accepts this: the ignore is needed under one and unused under the other.
    def render(self) -> np.ndarray | None:  # type: ignore[override, unused-ignore]
        """The env's RGB picture (h, w, 3) with render_mode "rgb_array"; None without one."""
        if self.render_mode is None:
            return None
        return self._pool.render()[0]

    def close(self) -> None:
        self._pool.close()

    def __repr__(self) -> str:
        return f"SingleEnv({self.envfleet_spec.id!r})"


def _first(obs: Any) -> Any:
    """The observation of a batch of one env as the env's own (a Dict observation's arrays)."""
    return {key: value[0] for key, value in obs.items()} if isinstance(obs, dict) else obs[0]


def _row(info: dict[str, Any]) -> dict[str, Any]:
    """The info of a batch of one env as the env's own: each value's only row."""
    return {key: value[0] for key, value in info.items()}
