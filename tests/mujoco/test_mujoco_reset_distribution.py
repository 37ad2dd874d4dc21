"""Reset distributions of the MuJoCo envs against Gymnasium's.

Gymnasium's reset_model perturbs the model's initial state: for most tasks qpos = qpos0 +
U(-s, s) and qvel = U(-s, s) or s * N(0, 1) (NOISE below); Reacher draws its arm's joints from
U(-0.1, 0.1) and its target uniformly in the disc of radius 0.2; Pusher leaves the arm at qpos0,
puts the goal at the origin and draws the cylinder in [-0.3, 0] x [-0.2, 0.2] at least 0.17 from
the goal; both give the arm's joint velocities U(-0.005, 0.005) noise and their goal/object zero
velocity. envfleet draws from its own generator (normals by Box-Muller), so the values differ
from Gymnasium's but the distributions must be the same.

For every id, 4000 envfleet resets are checked against 4000 resets of Gymnasium's own env:
- every value lies in the support Gymnasium's code gives it;
- a value Gymnasium never perturbs equals Gymnasium's;
- every perturbed value passes a two-sample Kolmogorov-Smirnov test against Gymnasium's draws:
  distance below the 1e-4 critical value, 2.23 * sqrt(2 / 4000) = 0.050.
Seeds are fixed, so the checks are deterministic.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import envfleet

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

TASK_IDS = envfleet.registry.families()["mujoco"]
NUM_SAMPLES = 4000
NUM_ENVS = 16
KS_CRITICAL = math.sqrt(-0.5 * math.log(1e-4 / 2)) * math.sqrt(2 / NUM_SAMPLES)

# Task -> (s, whether qvel is s * N(0, 1) rather than U(-s, s)), both versions alike.
NOISE = {
    "Ant": (0.1, True),
    "HalfCheetah": (0.1, True),
    "Hopper": (0.005, False),
    "Humanoid": (0.01, False),
    "HumanoidStandup": (0.01, False),
    "InvertedDoublePendulum": (0.1, True),
    "InvertedPendulum": (0.01, False),
    "Swimmer": (0.1, False),
    "Walker2d": (0.005, False),
}
# Non-default noise scales: the option changes the distribution as it does Gymnasium's.
CASES = [(task_id, {}) for task_id in TASK_IDS] + [
    ("Ant-v5", {"reset_noise_scale": 0.3}),
    ("Hopper-v4", {"reset_noise_scale": 0.1}),
    ("InvertedDoublePendulum-v5", {"reset_noise_scale": 0.3}),
]


def _envfleet_states(make_pool, task_id: str, options: dict[str, Any]) -> np.ndarray:
    """[qpos, qvel] after NUM_SAMPLES resets (each reset continues the envs' streams)."""
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=0, **options)
    states = []
    for _ in range(NUM_SAMPLES // NUM_ENVS):
        pool.reset()
        state = pool.get_state()
        states.append(np.concatenate([state["qpos"], state["qvel"]], axis=1))
    return np.concatenate(states)


def _gymnasium_states(reference) -> np.ndarray:
    reference.reset(seed=0)
    data = reference.unwrapped.data
    states = []
    for _ in range(NUM_SAMPLES):
        reference.reset()
        states.append(np.concatenate([data.qpos, data.qvel]))
    return np.array(states)


def _ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Two-sample Kolmogorov-Smirnov distance: the largest gap between the empirical CDFs."""
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / len(a)
    cdf_b = np.searchsorted(b, points, side="right") / len(b)
    return float(np.abs(cdf_a - cdf_b).max())


def _check_support(task: str, options: dict[str, Any], qpos0, qpos, qvel) -> None:
    """Every value lies where Gymnasium's reset_model can put it."""
    if task == "Reacher":
        assert np.all(np.abs(qpos[:, :-2] - qpos0[:-2]) <= 0.1)
        assert np.all(np.hypot(qpos[:, -2], qpos[:, -1]) < 0.2)
        assert np.all(np.abs(qvel[:, :-2]) <= 0.005) and np.all(qvel[:, -2:] == 0)
    elif task == "Pusher":
        cylinder = qpos[:, -4:-2]
        assert np.all((cylinder[:, 0] >= -0.3) & (cylinder[:, 0] <= 0))
        assert np.all(np.abs(cylinder[:, 1]) <= 0.2)
        assert np.all(np.hypot(cylinder[:, 0], cylinder[:, 1]) > 0.17)
        assert np.all(qpos[:, :-4] == qpos0[:-4]) and np.all(qpos[:, -2:] == 0)
        assert np.all(np.abs(qvel[:, :-4]) <= 0.005) and np.all(qvel[:, -4:] == 0)
    else:
        scale, normal = NOISE[task]
        scale = options.get("reset_noise_scale", scale)
        assert np.all(np.abs(qpos - qpos0) <= scale)
        assert np.all(np.isfinite(qvel)) if normal else np.all(np.abs(qvel) <= scale)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case[0] + ("-options" if case[1] else ""))
def test_reset_distribution_matches_gymnasium(make_pool, make_reference, case):
    task_id, options = case
    reference = make_reference(task_id, **options)
    nq = reference.unwrapped.model.nq
    qpos0 = reference.unwrapped.model.qpos0.copy()
    ours = _envfleet_states(make_pool, task_id, options)
    theirs = _gymnasium_states(reference)

    _check_support(task_id.split("-")[0], options, qpos0, ours[:, :nq], ours[:, nq:])
    for column in range(ours.shape[1]):
        part, index = ("qpos", column) if column < nq else ("qvel", column - nq)
        where = f"{task_id} {part}[{index}]"
        if np.all(theirs[:, column] == theirs[0, column]):
            assert np.all(ours[:, column] == theirs[0, column]), where
        else:
            distance = _ks_distance(ours[:, column], theirs[:, column])
            assert distance < KS_CRITICAL, f"{where}: KS distance {distance:.3f}"
