"""Reset distributions of the classic-control envs against Gymnasium's.

Gymnasium draws every random state variable independently and uniformly (CartPole U(-0.05, 0.05)
x4; MountainCar and MountainCarContinuous position U(-0.6, -0.4), velocity 0; Pendulum theta
U(-pi, pi), theta_dot U(-1, 1); Acrobot U(-0.1, 0.1) x4 rounded to float32). envfleet draws from
its own generator, so values differ from Gymnasium's but the distribution must be the same.

The checks run on fixed seeds, so they are deterministic; their tolerances are what a correct
uniform sampler passes with overwhelming probability on fresh seeds:
- every value lies in Gymnasium's range;
- Kolmogorov-Smirnov distance to the uniform CDF below 1.95 / sqrt(n) (the 0.1% critical value);
- mean and variance within 5 standard errors of the uniform's (1/2 and 1/12 of the range's,
  shifted and scaled);
- correlation between any two variables below 5 / sqrt(n) in magnitude.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import envfleet

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

NUM_ENVS = 1000
SEEDS = (0, 1, 2, 3)

# Per task: (low, high) of each state variable's uniform draw, or a constant for a fixed value.
RESET_BOUNDS: dict[str, list[tuple[float, float] | float]] = {
    "CartPole-v0": [(-0.05, 0.05)] * 4,
    "CartPole-v1": [(-0.05, 0.05)] * 4,
    "MountainCar-v0": [(-0.6, -0.4), 0.0],
    "MountainCarContinuous-v0": [(-0.6, -0.4), 0.0],
    "Pendulum-v1": [(-math.pi, math.pi), (-1.0, 1.0)],
    "Acrobot-v1": [(-0.1, 0.1)] * 4,
}


def _reset_states(make_pool, task_id: str) -> np.ndarray:
    """Initial states of NUM_ENVS envs for each of SEEDS, stacked."""
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=0)
    states = []
    for seed in SEEDS:
        pool.reset(seed=seed)
        states.append(pool.get_state()["state"])
    return np.concatenate(states)


def _ks_distance_to_uniform(values: np.ndarray, low: float, high: float) -> float:
    """Kolmogorov-Smirnov distance between the sample's CDF and U(low, high)'s."""
    sorted_values = np.sort(values)
    n = len(sorted_values)
    uniform_cdf = (sorted_values - low) / (high - low)
    above = np.arange(1, n + 1) / n - uniform_cdf
    below = uniform_cdf - np.arange(n) / n
    return float(max(above.max(), below.max()))


@pytest.mark.parametrize("task_id", sorted(RESET_BOUNDS))
def test_reset_states_are_uniform_in_gymnasium_bounds(make_pool, task_id):
    states = _reset_states(make_pool, task_id)
    n = len(states)
    bounds = RESET_BOUNDS[task_id]
    assert states.shape == (n, len(bounds))

    for column, bound in enumerate(bounds):
        values = states[:, column]
        if not isinstance(bound, tuple):
            np.testing.assert_array_equal(values, bound)
            continue
        low, high = bound
        width = high - low
        # Gymnasium's range: [low, high); for Acrobot, rounded to float32 and closed.
        if task_id == "Acrobot-v1":
            assert values.min() >= np.float32(low) and values.max() <= np.float32(high), column
        else:
            assert values.min() >= low and values.max() < high, column

        assert _ks_distance_to_uniform(values, low, high) < 1.95 / math.sqrt(n), column

        mean_error = abs(values.mean() - (low + high) / 2)
        assert mean_error < 5 * width / math.sqrt(12 * n), column
        # Var of the sample variance for a uniform: (mu4 - sigma^4) / n, mu4 = width^4 / 80.
        variance_error = abs(values.var() - width**2 / 12)
        assert variance_error < 5 * math.sqrt((1 / 80 - 1 / 144) * width**4 / n), column

    random_columns = [i for i, bound in enumerate(bounds) if isinstance(bound, tuple)]
    if len(random_columns) > 1:
        correlation = np.corrcoef(states[:, random_columns], rowvar=False)
        off_diagonal = correlation[~np.eye(len(random_columns), dtype=bool)]
        assert np.abs(off_diagonal).max() < 5 / math.sqrt(n)


def test_acrobot_reset_state_is_float32():
    """Gymnasium rounds Acrobot's reset state to float32; envfleet's state holds those values."""
    pool = envfleet.make_gymnasium("Acrobot-v1", num_envs=100, seed=0)
    try:
        pool.reset()
        states = pool.get_state()["state"]
        np.testing.assert_array_equal(states.astype(np.float32).astype(np.float64), states)
    finally:
        pool.close()


@pytest.mark.parametrize("task_id", sorted(RESET_BOUNDS))
def test_reset_states_are_reproducible_and_distinct(make_pool, task_id):
    """Same seed, same states; other seeds, other envs and later episodes draw new ones."""
    pool = make_pool(task_id, num_envs=64, seed=0)
    pool.reset(seed=5)
    first = pool.get_state()["state"]
    pool.reset(seed=5)
    np.testing.assert_array_equal(pool.get_state()["state"], first)

    random_columns = [i for i, b in enumerate(RESET_BOUNDS[task_id]) if isinstance(b, tuple)]
    first = first[:, random_columns]
    assert len(np.unique(first, axis=0)) == len(first)
    pool.reset(seed=6)
    second = pool.get_state()["state"][:, random_columns]
    assert not np.any(np.all(second == first, axis=1))
    pool.reset()
    assert not np.any(np.all(pool.get_state()["state"][:, random_columns] == second, axis=1))
