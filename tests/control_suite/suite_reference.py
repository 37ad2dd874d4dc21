"""dm_control's side of the Control Suite tests: its environments and their state in envfleet's
layout (qpos, qvel, act, qacc_warmstart, then the task's per-episode values)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from envfleet.dm_control_tasks import DOMAIN_TASK

# dm_control's suite chooses its renderer when it is imported, and these tests never draw: it is
# imported with rendering disabled, then the process's MUJOCO_GL is put back (envfleet's MuJoCo
# pictures, in the tests that run after these, read it).
_mujoco_gl = os.environ.get("MUJOCO_GL")
os.environ["MUJOCO_GL"] = "disable"
try:
    from dm_control import suite
finally:
    if _mujoco_gl is None:
        del os.environ["MUJOCO_GL"]
    else:
        os.environ["MUJOCO_GL"] = _mujoco_gl

try:
    suite.load("pendulum", "swingup").reset()
except AttributeError as error:  # dm-control 1.0.50's named indexing on MuJoCo 4's bindings
    raise RuntimeError(
        "the installed dm_control cannot run on the installed MuJoCo (dm-control 1.0.50 reads "
        "MjModel fields MuJoCo 4 no longer has): the Control Suite tests need dm-control >= "
        f"1.0.52 as the reference ({error})"
    ) from error


class _RecordingRandom:
    """A task's numpy RandomState that keeps the last draw of a given shape (QuadrupedEscape's
    30 x 30 terrain bumps, the per-episode values envfleet keeps as the task's state)."""

    def __init__(self, random: np.random.RandomState, shape: tuple[int, ...]) -> None:
        self._random = random
        self._shape = shape
        self.recorded = np.zeros(shape)

    def uniform(self, *args: Any, **kwargs: Any) -> Any:
        value = self._random.uniform(*args, **kwargs)
        if np.shape(value) == self._shape:
            self.recorded = np.array(value)
        return value

    def __getattr__(self, name: str) -> Any:
        return getattr(self._random, name)


def load(task_id: str, seed: int = 0, **environment_kwargs: Any) -> Any:
    """dm_control's environment of `task_id`; `time_limit` goes to the task, the rest to
    environment_kwargs."""
    domain, task = DOMAIN_TASK[task_id]
    task_kwargs: dict[str, Any] = {"random": seed}
    if "time_limit" in environment_kwargs:
        task_kwargs["time_limit"] = environment_kwargs.pop("time_limit")
    env = suite.load(domain, task, task_kwargs=task_kwargs, environment_kwargs=environment_kwargs)
    if (domain, task) == ("quadruped", "escape"):
        env.task._random = _RecordingRandom(env.task.random, (30, 30))
        # Escape re-uploads its terrain to the physics' renderer, made on first use of
        # `physics.contexts`; these tests draw nothing (MUJOCO_GL=disable), so there is none.
        physics = env.physics
        physics.__class__ = type("PhysicsWithoutRenderer", (type(physics),), {"contexts": None})
    return env


def task_state(task_id: str, env: Any) -> np.ndarray:
    """The task's per-episode values, as envfleet's "task" state part holds them."""
    domain, task = DOMAIN_TASK[task_id]
    model = env.physics.model
    if domain in ("reacher", "swimmer"):  # the target's (x, y)
        return np.array(env.physics.named.model.geom_pos["target"][:2])
    if domain == "finger" and task != "spin":  # the target's (x, z)
        return np.array(env.physics.named.model.site_pos["target"][[0, 2]])
    if domain == "fish" and task == "swim":  # the target's (x, y, z)
        return np.array(env.physics.named.model.geom_pos["target"])
    if domain == "point_mass" and task == "hard":  # the controls' directions
        return np.array(model.wrap_prm[:4])
    if domain == "manipulator":  # the target's (and receptacle's) x, z, qw, qy
        bodies = ["target_peg" if "peg" in task else "target_ball"]
        if task.startswith("insert"):
            bodies.append("slot" if "peg" in task else "cup")
        named = env.physics.named.model
        return np.concatenate(
            [np.r_[named.body_pos[b][[0, 2]], named.body_quat[b][[0, 2]]] for b in bodies]
        )
    if domain == "lqr":  # the joints' stiffnesses (the model dm_control drew)
        return np.array(model.jnt_stiffness)
    if domain == "stacker":  # the target's (x, z)
        return np.array(env.physics.named.model.body_pos["target"][[0, 2]])
    if domain == "quadruped" and task == "escape":  # the terrain's bumps, before the zoom
        return env.task.random.recorded.ravel()
    return np.zeros(0)


def state(task_id: str, env: Any) -> dict[str, np.ndarray]:
    """dm_control's current state, by envfleet's state part names, each of shape (1, size)."""
    data = env.physics.data
    parts = {
        "qpos": data.qpos,
        "qvel": data.qvel,
        "act": data.act,
        "qacc_warmstart": data.qacc_warmstart,
    }
    extra = task_state(task_id, env)
    if extra.size:
        parts["task"] = extra
    return {name: np.array(value, dtype=np.float64).reshape(1, -1) for name, value in parts.items()}


def random_action(spec: Any, rng: np.random.Generator) -> np.ndarray:
    """An action within the spec's bounds (a normal draw where a bound is MuJoCo's 1e10)."""
    low, high = spec.minimum, spec.maximum
    bounded = (np.abs(low) < 1e9) & (np.abs(high) < 1e9)
    return np.where(bounded, rng.uniform(low, high), rng.normal(size=spec.shape))
