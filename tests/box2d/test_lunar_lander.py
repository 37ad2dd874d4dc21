"""Alignment of envfleet's LunarLander with Gymnasium's, to the last bit, from the same seed
(the scheme: tests/box2d/alignment.py), and its spaces, options and determinism."""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import pytest
from gymnasium.envs.box2d.lunar_lander import heuristic

import envfleet

from .alignment import (
    assert_episodes_match,
    assert_spaces_and_limits_match,
    assert_threads_do_not_matter,
    case_id,
    pool_and_references,
)

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

ALIGNMENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("LunarLander-v3", {}),
    ("LunarLander-v3", {"enable_wind": True}),
    ("LunarLander-v3", {"enable_wind": True, "wind_power": 5.0, "turbulence_power": 0.5}),
    ("LunarLander-v3", {"gravity": -4.0}),
    ("LunarLanderContinuous-v3", {}),
    ("LunarLanderContinuous-v3", {"enable_wind": True}),
    # A short time limit, so that truncations are compared too.
    ("LunarLander-v3", {"max_episode_steps": 200}),
]

NUM_ENVS = 4
NUM_STEPS = 1200
SEED = 11


@pytest.mark.parametrize("case", ALIGNMENT_CASES, ids=case_id)
def test_episodes_match_gymnasium_from_the_same_seed(make_pool, case):
    task_id, options = case
    pool, refs = pool_and_references(make_pool, task_id, options, NUM_ENVS, SEED)
    continuous = isinstance(pool.single_action_space, gymnasium.spaces.Box)
    rng = np.random.default_rng(0)

    def policy(obs: np.ndarray) -> np.ndarray:
        # Gymnasium's heuristic lander for the even envs (landings, leg contacts, rest), random
        # actions for the odd ones (crashes, flights off screen; continuous ones beyond [-1, 1]).
        actions = [
            heuristic(ref, obs[i])
            if i % 2 == 0
            else (rng.uniform(-1.5, 1.5, size=2) if continuous else rng.integers(0, 4))
            for i, ref in enumerate(refs)
        ]
        return np.array(actions, dtype=np.float32 if continuous else np.int64)

    outcomes = assert_episodes_match(pool, refs, policy, NUM_STEPS)
    # Landings (+100, the lander at rest) and crashes (-100) were both compared, and the time
    # limit where it is short.
    assert outcomes["finished"] > 0 and outcomes["crashed"] > 0
    if "max_episode_steps" in options:
        assert outcomes["truncated"] > 0


@pytest.mark.parametrize("task_id", ["LunarLander-v3", "LunarLanderContinuous-v3"])
def test_spaces_and_limits_are_gymnasiums(make_pool, task_id):
    assert_spaces_and_limits_match(make_pool(task_id, num_envs=2), gymnasium.make(task_id))


@pytest.mark.parametrize("gravity", [-12.0, 0.0, 1.0])
def test_gravity_outside_gymnasiums_range_is_rejected(gravity):
    with pytest.raises(ValueError, match="gravity"):
        envfleet.make("LunarLander-v3", gravity=gravity)


def test_trajectories_do_not_depend_on_num_threads(make_pool):
    assert_threads_do_not_matter(
        make_pool,
        "LunarLander-v3",
        32,
        200,
        lambda rng: rng.integers(0, 4, size=32),
        enable_wind=True,
    )
