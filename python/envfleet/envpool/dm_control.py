"""EnvPool's layout of the Control Suite tasks (its `mujoco/dmc` envs, `CheetahRun-v1`, ...).

What EnvPool shows for a suite id, and how envfleet's task maps onto it:
- observations: a dict of float64 arrays, one per key of dm_control's task (the same names and
  shapes), each bounded by EnvPool's (DBL_MIN, DBL_MAX) in its spaces and specs; a dm TimeStep's
  observation holds `env_id`, `players`, then each key (no `obs` field);
- Dog, Finger, Fish, Humanoid and Quadruped report the keys of all their tasks for every task
  (Quadruped's `origin`, `rangefinder`, `ball_state`, `target_position`, ...); where
  dm_control's task has no such key the layer gives zeros (docs/from_envpool.md says where
  EnvPool gives values instead);
- `frame_skip` in EnvPool's config is the physics steps per control step (dm_control's
  n_sub_steps, fixed by the task), not an action repeat: only its default is accepted;
  `task_name` is the suite's task; `frame_stack` stacks each key (shape (k, *key shape));
- rewards and discounts float32; the discount is 1 where an episode ends at the time limit.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np

from envfleet.dm_control_tasks import DOMAIN_TASK

# EnvPool's frame_skip default per domain: dm_control's n_sub_steps (control timestep over the
# model's timestep; EnvPool has no lqr or stacker ids, their values are dm_control's).
_SUB_STEPS: dict[str, int] = {
    "acrobot": 1,
    "ball_in_cup": 10,
    "cartpole": 1,
    "cheetah": 1,
    "dog": 3,
    "finger": 2,
    "fish": 10,
    "hopper": 4,
    "humanoid": 5,
    "humanoid_CMU": 10,
    "lqr": 1,
    "manipulator": 10,
    "pendulum": 1,
    "point_mass": 1,
    "quadruped": 4,
    "reacher": 1,
    "stacker": 10,
    "swimmer": 15,
    "walker": 10,
}

# Domains whose EnvPool tasks all report one set of keys (name -> shape, EnvPool's order), a
# superset of each dm_control task's.
_DOMAIN_KEYS: dict[str, tuple[tuple[str, tuple[int, ...]], ...]] = {
    "dog": (
        ("joint_angles", (73,)),
        ("joint_velocites", (73,)),
        ("torso_pelvis_height", (2,)),
        ("z_projection", (9,)),
        ("torso_com_velocity", (3,)),
        ("inertial_sensors", (9,)),
        ("foot_forces", (12,)),
        ("touch_sensors", (4,)),
        ("actuator_state", (38,)),
        ("ball_state", (6,)),
        ("target_position", (3,)),
    ),
    "finger": (
        ("position", (4,)),
        ("velocity", (3,)),
        ("touch", (2,)),
        ("target_position", (2,)),
        ("dist_to_target", ()),
    ),
    "fish": (
        ("joint_angles", (7,)),
        ("upright", ()),
        ("velocity", (13,)),
        ("target", (3,)),
    ),
    "humanoid": (
        ("joint_angles", (21,)),
        ("head_height", ()),
        ("extremities", (12,)),
        ("torso_vertical", (3,)),
        ("com_velocity", (3,)),
        ("position", (28,)),
        ("velocity", (27,)),
    ),
    "quadruped": (
        ("egocentric_state", (44,)),
        ("torso_velocity", (3,)),
        ("torso_upright", ()),
        ("imu", (6,)),
        ("force_torque", (24,)),
        ("origin", (3,)),
        ("rangefinder", (20,)),
        ("ball_state", (9,)),
        ("target_position", (3,)),
    ),
}

# EnvPool's bounds of every suite observation (std::numeric_limits<double>::min() and max()).
OBSERVATION_LOW = float(np.finfo(np.float64).tiny)
OBSERVATION_HIGH = float(np.finfo(np.float64).max)


def is_suite(envfleet_id: str) -> bool:
    return envfleet_id in DOMAIN_TASK


def frame_skip(envfleet_id: str) -> int:
    """EnvPool's frame_skip of the id: physics steps per control step."""
    return _SUB_STEPS[DOMAIN_TASK[envfleet_id][0]]


def task_name(envfleet_id: str) -> str:
    return DOMAIN_TASK[envfleet_id][1]


def observation_keys(envfleet_id: str, space: gymnasium.spaces.Dict) -> dict[str, tuple]:
    """EnvPool's observation keys and shapes of the id, given envfleet's (dm_control's) space."""
    ours = {name: tuple(part.shape or ()) for name, part in space.spaces.items()}
    domain_keys = _DOMAIN_KEYS.get(DOMAIN_TASK[envfleet_id][0])
    if domain_keys is None:
        return ours
    for name, shape in ours.items():
        if dict(domain_keys).get(name) != shape:
            raise AssertionError(f"{envfleet_id}: {name} {shape} is not in EnvPool's layout")
    return dict(domain_keys)


def observation_space(keys: dict[str, tuple], frame_stack: int) -> gymnasium.spaces.Dict:
    """EnvPool's Dict space of one env: float64 Boxes with EnvPool's bounds."""
    stack = (frame_stack,) if frame_stack > 1 else ()
    # A list of pairs, not a dict: Gymnasium's Dict would sort a dict's keys.
    return gymnasium.spaces.Dict(
        [
            (
                name,
                gymnasium.spaces.Box(
                    OBSERVATION_LOW, OBSERVATION_HIGH, (*stack, *shape), dtype=np.float64
                ),
            )
            for name, shape in keys.items()
        ]
    )


def envpool_observation(obs: dict[str, np.ndarray], keys: dict[str, tuple]) -> dict[str, Any]:
    """A batch of envfleet's observation dicts in EnvPool's keys (zeros for keys the task lacks;
    envfleet's arrays are passed on, not copied)."""
    rows = len(next(iter(obs.values())))
    return {
        name: obs[name] if name in obs else np.zeros((rows, *shape), dtype=np.float64)
        for name, shape in keys.items()
    }
