"""EnvPool's MuJoCo `frame_stack`: each env's last k observations, oldest first."""

from __future__ import annotations

import numpy as np


class ObservationStack:
    """Per-env stacks of the last `depth` observations, kept across steps.

    A row whose episode just started (elapsed_step 0: a reset or the autoreset step) fills its
    whole stack with the new observation, as EnvPool's stack does; other rows shift by one.
    `push` returns a new array of shape (rows, depth, *obs_shape) and keeps its own copy.
    Not thread-safe: used by the pool's caller thread.
    """

    def __init__(self, num_envs: int, depth: int, obs_shape: tuple[int, ...], dtype: np.dtype):
        self._stacks = np.zeros((num_envs, depth, *obs_shape), dtype=dtype)

    def push(self, obs: np.ndarray, env_id: np.ndarray, elapsed_step: np.ndarray) -> np.ndarray:
        stacked = np.empty((len(obs), *self._stacks.shape[1:]), dtype=self._stacks.dtype)
        stacked[:, :-1] = self._stacks[env_id, 1:]
        stacked[:, -1] = obs
        first = elapsed_step == 0
        stacked[first] = obs[first, None]
        self._stacks[env_id] = stacked
        return stacked
