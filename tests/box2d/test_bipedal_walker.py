"""Alignment of envfleet's BipedalWalker with Gymnasium's, to the last bit, from the same seed
(the scheme: tests/box2d/alignment.py), and its spaces and determinism.

The walker's world lives as long as the env and is emptied and refilled at each reset, as
Gymnasium's is, so the comparison runs over several episodes per env: every reset must rebuild
the same terrain (hardcore: stumps, pits and stairs) in a world with the same history.
"""

from __future__ import annotations

from typing import Any

import gymnasium
import numpy as np
import pytest

from .alignment import (
    assert_episodes_match,
    assert_spaces_and_limits_match,
    assert_threads_do_not_matter,
    case_id,
    pool_and_references,
)

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

ALIGNMENT_CASES: list[tuple[str, dict[str, Any]]] = [
    ("BipedalWalker-v3", {}),
    ("BipedalWalkerHardcore-v3", {}),
    # A short time limit, so that truncations are compared too.
    ("BipedalWalker-v3", {"max_episode_steps": 150}),
]

NUM_ENVS = 4
NUM_STEPS = 800
SEED = 13


@pytest.mark.parametrize("case", ALIGNMENT_CASES, ids=case_id)
def test_episodes_match_gymnasium_from_the_same_seed(make_pool, case):
    task_id, options = case
    pool, refs = pool_and_references(make_pool, task_id, options, NUM_ENVS, SEED)
    rng = np.random.default_rng(0)

    def policy(obs: np.ndarray) -> np.ndarray:
        # Random motor commands, beyond [-1, 1] at times (Gymnasium clips them).
        return rng.uniform(-1.2, 1.2, size=(NUM_ENVS, 4)).astype(np.float32)

    outcomes = assert_episodes_match(pool, refs, policy, NUM_STEPS)
    # Falls (-100) were compared, and the time limit where it is short.
    assert outcomes["crashed"] > 0
    if "max_episode_steps" in options:
        assert outcomes["truncated"] > 0


@pytest.mark.parametrize("task_id", ["BipedalWalker-v3", "BipedalWalkerHardcore-v3"])
def test_spaces_and_limits_are_gymnasiums(make_pool, task_id):
    assert_spaces_and_limits_match(make_pool(task_id, num_envs=2), gymnasium.make(task_id))


def test_trajectories_do_not_depend_on_num_threads(make_pool):
    assert_threads_do_not_matter(
        make_pool,
        "BipedalWalkerHardcore-v3",
        16,
        150,
        lambda rng: rng.uniform(-1, 1, size=(16, 4)).astype(np.float32),
    )
