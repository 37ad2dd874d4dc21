"""EnvPool 1.x's Python API over envfleet's pools: `import envfleet.envpool as envpool`.

`make`, `make_gym`, `make_gymnasium`, `make_dm`, `make_spec` and `list_all_envs` take EnvPool's
ids and keywords and return pools that behave as EnvPool's do (one env's spaces, `spec.config`,
float32 rewards, a step before reset resets, ...), stepped by envfleet's engine. envfleet's own
API (`envfleet.make_gymnasium`, ...) follows Gymnasium 1.x instead; docs/from_envpool.md compares.
"""

from __future__ import annotations

from envfleet.envpool.gymnasium_pool import GymnasiumEnvPool
from envfleet.envpool.registration import (
    list_all_envs,
    make,
    make_dm,
    make_gym,
    make_gymnasium,
    make_spec,
)
from envfleet.envpool.spec import EnvSpec

__all__ = [
    "EnvSpec",
    "GymnasiumEnvPool",
    "list_all_envs",
    "make",
    "make_dm",
    "make_gym",
    "make_gymnasium",
    "make_spec",
]
