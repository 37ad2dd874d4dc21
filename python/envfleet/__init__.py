"""envfleet: a C++ vectorized environment pool for reinforcement learning.

`envfleet.make_gymnasium("CartPole-v1", num_envs=64)` returns a Gymnasium vector env whose envs are
stepped by a C++ thread pool; `make_gym` (EnvPool's name) and `make_dm` give the same pool with the
other APIs. Every env is also registered with Gymnasium as `envfleet/<id>`.
"""

from envfleet.api import make, make_dm, make_gym, make_gymnasium, make_sb3
from envfleet.errors import EnvError
from envfleet.gymnasium_registration import register_with_gymnasium
from envfleet.registry import list_all_envs
from envfleet.spec import EnvSpec, make_spec

__version__ = "0.1.0"

__all__ = [
    "EnvError",
    "EnvSpec",
    "__version__",
    "list_all_envs",
    "make",
    "make_dm",
    "make_gym",
    "make_gymnasium",
    "make_sb3",
    "make_spec",
]

register_with_gymnasium()
