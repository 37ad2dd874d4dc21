"""EnvPool's entry points: make, make_gym, make_gymnasium, make_dm, make_spec, list_all_envs."""

from __future__ import annotations

from typing import Any

from envfleet import spec as envfleet_spec
from envfleet.envpool import ids
from envfleet.envpool import options as envpool_options
from envfleet.envpool.gymnasium_pool import GymnasiumEnvPool
from envfleet.envpool.spec import EnvSpec


def make(task_id: str, env_type: str, **kwargs: Any) -> Any:
    """A pool of `task_id` with EnvPool's `env_type` API: "gym", "gymnasium" or "dm"."""
    if env_type in ("gym", "gymnasium"):
        return GymnasiumEnvPool(task_id, **kwargs)
    if env_type == "dm":
        return make_dm(task_id, **kwargs)
    raise AssertionError("env_type should be one of 'dm', 'gym', or 'gymnasium'.")


def make_gym(task_id: str, **kwargs: Any) -> GymnasiumEnvPool:
    """EnvPool's gym pool (Gymnasium's API, as EnvPool 1.x)."""
    return GymnasiumEnvPool(task_id, **kwargs)


def make_gymnasium(task_id: str, **kwargs: Any) -> GymnasiumEnvPool:
    """EnvPool's gymnasium pool."""
    return GymnasiumEnvPool(task_id, **kwargs)


def make_dm(task_id: str, **kwargs: Any) -> Any:
    """EnvPool's dm_env pool; needs dm-env."""
    from envfleet.envpool.dm_pool import DMEnvPool

    return DMEnvPool(task_id, **kwargs)


def make_spec(task_id: str, **kwargs: Any) -> EnvSpec:
    """EnvPool's EnvSpec of `task_id` made with `kwargs`."""
    for name in ("render_mode", "render_env_id", "render_width", "render_height"):
        kwargs.pop(name, None)
    translation = envpool_options.translate(task_id, kwargs)
    pool_keys = ("num_envs", "batch_size", "num_threads", "thread_affinity_offset", "seed")
    spec_kwargs = {k: v for k, v in translation.envfleet_kwargs.items() if k not in pool_keys}
    spec = envfleet_spec.make_spec(translation.envfleet_id, **spec_kwargs)
    return EnvSpec(spec, translation.config, translation.frame_stack)


def list_all_envs() -> list[str]:
    """Every task id, in EnvPool's spelling."""
    return ids.list_all_envs()
