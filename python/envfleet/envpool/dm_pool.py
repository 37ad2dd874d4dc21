"""DMEnvPool: EnvPool's dm_env pool over an envfleet pool (a `dm_env.Environment`)."""

from __future__ import annotations

import importlib
from typing import Any

import dm_env
import numpy as np

from envfleet.envpool.pool import EnvPoolLayer
from envfleet.envpool.spec import Players

_FIRST, _MID, _LAST = (np.int32(t) for t in dm_env.StepType)


class DMEnvPool(EnvPoolLayer, dm_env.Environment):
    """`num_envs` envs with EnvPool's dm_env API: batched TimeSteps whose observation holds
    `env_id`, `players`, `obs` (the Control Suite: one field per observation key) and the task's
    info keys; step_type int32, reward and discount float32. Thread-safety and ownership: see
    EnvPoolLayer."""

    def __init__(self, task_id: str, **kwargs: Any) -> None:
        if kwargs.get("episode_stats"):
            raise ValueError(
                "episode_stats=True is not supported by envfleet.envpool's dm_env pools (EnvPool's "
                "fixed observation layout has no place for it): use envfleet.make_dm(task_id, "
                "episode_stats=True), or envfleet.envpool's gym API"
            )
        super().__init__(task_id, **kwargs)

    def observation_spec(self) -> Any:
        return self.spec.observation_spec()

    def action_spec(self) -> Any:
        return self.spec.action_spec()

    def _to(self, result: tuple[Any, ...], reset: bool) -> dm_env.TimeStep:
        obs, reward, terminated, truncated, info, raw_info = self._convert(result)
        # numpy arrays, or JAX's inside a function of xla() (jax.numpy then).
        xp = np if isinstance(terminated, np.ndarray) else importlib.import_module("jax.numpy")
        first = info["elapsed_step"] == 0
        ended = terminated | truncated
        step_type = xp.where(ended, _LAST, xp.where(first, _FIRST, _MID))
        # 0 where the episode ended (EnvPool's rule: a time-limit end too); an env may lower it
        # mid-episode (Atari's zero_discount_on_life_loss); 1 otherwise.
        if self.spec.observation_keys:
            # The Control Suite (EnvPool's dmc envs): 1 at the time limit, 0 where the task ends.
            discount = xp.where(terminated, 0.0, 1.0).astype(np.float32)
            fields = list(obs.values())
        else:
            discount = xp.where(ended, 0.0, raw_info.get("discount", 1.0)).astype(np.float32)
            fields = [obs]
        players = Players(info["players"]["env_id"])
        observation = self.spec.observation_type(
            info["env_id"], players, *fields, *(info[key.name] for key in self.spec.info_keys)
        )
        return dm_env.TimeStep(step_type.astype(np.int32), reward, discount, observation)
