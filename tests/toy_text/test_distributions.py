"""The random draws of envfleet's toy-text envs have Gymnasium's probabilities.

tests/toy_text/test_alignment.py replays envfleet's draws in Gymnasium and checks everything
around them exactly; this file checks the draws themselves. Each test sets many envs to one
state (or resets them), draws once per env, and compares the counts of the outcomes with
Gymnasium's probabilities (its table P, its initial-state distribution, its deck):
- a two-outcome frequency within 5 standard errors of its probability;
- several outcomes: Pearson's chi-square statistic below the 0.01% critical value of its
  degrees of freedom (Wilson-Hilferty's approximation), and every outcome seen.
The seeds are fixed, so the tests are deterministic; a correct sampler passes such bounds on
fresh seeds with overwhelming probability.
"""

from __future__ import annotations

import math

import gymnasium
import numpy as np

NUM_ENVS = 4000
# The standard normal's 0.01% upper quantile.
Z_CRITICAL = 3.719


def _assert_chi_square_fits(counts: np.ndarray, probabilities: np.ndarray) -> None:
    """Pearson's test of `counts` against `probabilities` (Wilson-Hilferty critical value)."""
    expected = counts.sum() * probabilities
    assert (counts > 0).all(), counts
    statistic = float(((counts - expected) ** 2 / expected).sum())
    dof = len(counts) - 1
    critical = dof * (1 - 2 / (9 * dof) + Z_CRITICAL * math.sqrt(2 / (9 * dof))) ** 3
    assert statistic < critical, (statistic, critical, counts, expected)


def _one_step_outcomes(make_pool, task_id, options, state, action) -> tuple[np.ndarray, ...]:
    """(next states, info["prob"]) of NUM_ENVS envs all stepped once with `action` from `state`."""
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=3, **options)
    pool.reset()
    pool.set_state(*(np.full((NUM_ENVS, 1), value, dtype=np.float64) for value in state))
    obs, _, _, _, info = pool.step(np.full(NUM_ENVS, action))
    return obs, info["prob"]


def _assert_step_matches_table(make_pool, task_id, options, state, action) -> None:
    """The outcomes of `action` from `state` follow Gymnasium's P[state][action]."""
    table = gymnasium.make(task_id, **options).unwrapped.P[state[0]][action]
    next_states = [s for _, s, _, _ in table]
    assert len(set(next_states)) == len(table), "the chosen state must tell the outcomes apart"
    obs, prob = _one_step_outcomes(make_pool, task_id, options, state, action)
    counts = np.array([(obs == s).sum() for s in next_states])
    assert counts.sum() == NUM_ENVS
    for (p, s, _, _), count in zip(table, counts, strict=True):
        assert count == 0 or (prob[obs == s] == p).all()
    _assert_chi_square_fits(counts, np.array([p for p, _, _, _ in table]))


def test_frozen_lake_slips_with_success_rate(make_pool):
    # Tile 6 (row 1, col 2), action down: slips left into a hole, down, or right into a hole.
    _assert_step_matches_table(make_pool, "FrozenLake-v1", {"success_rate": 0.6}, (6,), 1)


def test_frozen_lake_default_slips_are_thirds(make_pool):
    _assert_step_matches_table(make_pool, "FrozenLake-v1", {}, (6,), 1)


def test_rainy_taxi_moves_aside_with_probability_one_tenth(make_pool):
    # Taxi at (2, 2), passenger at R, destination G, moving north: three distinct cells.
    state = ((2 * 5 + 2) * 5 + 0) * 4 + 1
    _assert_step_matches_table(make_pool, "Taxi-v3", {"is_rainy": True}, (state, 0), 1)


def test_slippery_cliff_walking_moves_are_thirds(make_pool):
    # Row 1, col 5, moving up: left, up or right.
    _assert_step_matches_table(make_pool, "CliffWalkingSlippery-v1", {}, (1 * 12 + 5,), 0)


def test_taxi_starts_uniformly_on_gymnasium_initial_states(make_pool):
    pool = make_pool("Taxi-v3", num_envs=NUM_ENVS, seed=0)
    starts = np.concatenate([pool.reset(seed=seed)[0] for seed in range(5)])
    initial = gymnasium.make("Taxi-v3").unwrapped.initial_state_distrib
    support = np.flatnonzero(initial)
    assert np.isin(starts, support).all()
    counts = np.array([(starts == s).sum() for s in support])
    _assert_chi_square_fits(counts, initial[support])


def test_frozen_lake_starts_uniformly_on_start_tiles(make_pool):
    desc = ["SFFH", "FSFF", "HFFG"]
    pool = make_pool("FrozenLake-v1", num_envs=NUM_ENVS, seed=0, desc=desc)
    starts, _ = pool.reset()
    assert set(np.unique(starts)) == {0, 5}
    _assert_chi_square_fits(np.array([(starts == 0).sum(), (starts == 5).sum()]), np.full(2, 0.5))


def test_fickle_passenger_is_fickle_in_three_episodes_of_ten(make_pool):
    pool = make_pool("Taxi-v3", num_envs=NUM_ENVS, seed=0, fickle_passenger=True)
    pool.reset()
    fickle = pool.get_state()["fickle_step"][:, 0]
    standard_error = math.sqrt(0.3 * 0.7 / NUM_ENVS)
    assert abs(fickle.mean() - 0.3) < 5 * standard_error


def test_fickle_passenger_picks_another_destination_uniformly(make_pool):
    # Passenger aboard at (2, 2) bound for G (1), fickle step pending; moving south changes it.
    state = ((2 * 5 + 2) * 5 + 4) * 4 + 1
    obs, prob = _one_step_outcomes(make_pool, "Taxi-v3", {"fickle_passenger": True}, (state, 1), 0)
    destinations = obs % 4
    assert (obs // 4 == ((3 * 5 + 2) * 5 + 4)).all() and (prob == 1.0).all()
    counts = np.array([(destinations == d).sum() for d in range(4)])
    assert counts[1] == 0
    _assert_chi_square_fits(counts[[0, 2, 3]], np.full(3, 1 / 3))


def test_blackjack_deals_from_gymnasiums_deck(make_pool):
    pool = make_pool("Blackjack-v1", num_envs=NUM_ENVS, seed=0)
    pool.reset()
    state = pool.get_state()
    cards = np.concatenate([state["player"][:, :2], state["dealer"][:, :2]]).ravel()
    assert (state["player"][:, 2:] == 0).all() and (state["dealer"][:, 2:] == 0).all()
    deck = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10])
    counts = np.array([(cards == value).sum() for value in range(1, 11)])
    _assert_chi_square_fits(counts, np.array([(deck == value).mean() for value in range(1, 11)]))
