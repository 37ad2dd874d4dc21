"""Each autoreset mode as exact arrays of the CountingEnv (episode_length=2), sync and async."""

from __future__ import annotations

import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

A = np.array([1, 2, 3], dtype=np.int64)


def test_next_step_resets_on_the_step_after_the_end(make_counting):
    pool = make_counting(num_envs=3, episode_length=2)
    assert pool.metadata["autoreset_mode"] == AutoresetMode.NEXT_STEP
    obs, info = pool.reset(seed=0)
    np.testing.assert_array_equal(obs[:, 0], [0, 0, 0])
    np.testing.assert_array_equal(info["elapsed_step"], [0, 0, 0])

    obs, rew, term, trunc, info = pool.step(A)
    np.testing.assert_array_equal(obs[:, :2], [[1, 1], [1, 2], [1, 3]])
    np.testing.assert_array_equal(rew, [1, 1, 1])
    np.testing.assert_array_equal(term, [False] * 3)

    obs, rew, term, trunc, info = pool.step(A)
    np.testing.assert_array_equal(obs[:, 0], [2, 2, 2])
    np.testing.assert_array_equal(term, [True] * 3)
    np.testing.assert_array_equal(trunc, [False] * 3)
    np.testing.assert_array_equal(info["elapsed_step"], [2, 2, 2])

    # The action is ignored; the env resets: reward 0, flags false, elapsed 0.
    obs, rew, term, trunc, info = pool.step(A)
    np.testing.assert_array_equal(obs[:, :2], np.zeros((3, 2)))
    np.testing.assert_array_equal(rew, [0, 0, 0])
    np.testing.assert_array_equal(term | trunc, [False] * 3)
    np.testing.assert_array_equal(info["elapsed_step"], [0, 0, 0])
    np.testing.assert_array_equal(info["reset_count"], [2, 2, 2])


def test_same_step_returns_the_reset_obs_and_the_final_obs_in_info(make_counting):
    pool = make_counting(num_envs=2, episode_length=2, autoreset_mode=AutoresetMode.SAME_STEP)
    assert pool.metadata["autoreset_mode"] == AutoresetMode.SAME_STEP
    pool.reset(seed=0)
    obs, rew, term, trunc, info = pool.step(A[:2])
    np.testing.assert_array_equal(info["_final_obs"], [False, False])

    obs, rew, term, trunc, info = pool.step(A[:2])
    np.testing.assert_array_equal(term, [True, True])
    np.testing.assert_array_equal(rew, [2, 2])
    np.testing.assert_array_equal(obs[:, :2], np.zeros((2, 2)))  # the new episode
    np.testing.assert_array_equal(info["elapsed_step"], [0, 0])
    np.testing.assert_array_equal(info["_final_obs"], [True, True])
    np.testing.assert_array_equal(info["final_obs"][:, :2], [[2, 1], [2, 2]])
    np.testing.assert_array_equal(info["_final_info"], [True, True])
    np.testing.assert_array_equal(info["final_info"]["elapsed_step"], [2, 2])
    np.testing.assert_array_equal(info["final_info"]["reset_count"], [1, 1])
    np.testing.assert_array_equal(info["reset_count"], [2, 2])

    obs, rew, term, trunc, info = pool.step(A[:2])
    np.testing.assert_array_equal(obs[:, 0], [1, 1])
    np.testing.assert_array_equal(info["_final_obs"], [False, False])


def test_same_step_reset_mask_keeps_gymnasiums_masks(make_counting):
    """reset(options={"reset_mask": ...}) in same_step mode (it raised AttributeError on the
    nested final_info): full-length arrays, each key's own mask kept, as SyncVectorEnv's _add_info
    gives them (a key present only for the reset rows)."""
    pool = make_counting(num_envs=3, episode_length=2, autoreset_mode="same_step")
    pool.reset(seed=0)
    pool.step(A)
    obs, *_ = pool.step(A)  # every env ends and starts over on this step
    pool.step(A)
    obs, info = pool.reset(options={"reset_mask": np.array([True, False, True])})
    np.testing.assert_array_equal(obs[:, 0], [0, 1, 0])  # env 1 keeps its last observation
    np.testing.assert_array_equal(info["_reset_count"], [True, False, True])
    np.testing.assert_array_equal(info["reset_count"], [3, 0, 3])
    np.testing.assert_array_equal(info["_env_id"], [True, False, True])
    # A reset ends no episode: the final keys are there, masked off on every row.
    assert info["final_obs"].shape == (3, 3)
    np.testing.assert_array_equal(info["_final_obs"], [False] * 3)
    np.testing.assert_array_equal(info["_final_info"], [False] * 3)
    np.testing.assert_array_equal(info["final_info"]["_reset_count"], [False] * 3)
    assert "__final_obs" not in info and "__final_info" not in info
    obs, rew, term, trunc, info = pool.step(A)
    np.testing.assert_array_equal(term, [False, True, False])  # env 1's episode ends
    np.testing.assert_array_equal(obs[:, 0], [1, 0, 1])
    np.testing.assert_array_equal(info["final_obs"][1, 0], 2)


def test_disabled_raises_on_a_finished_env_until_reset_mask(make_counting):
    pool = make_counting(num_envs=2, episode_length=2, autoreset_mode="disabled")
    pool.reset(seed=0)
    pool.step(A[:2])
    # Env 0 is one step ahead: reset env 1 through the mask.
    pool.step(A[:2])
    with pytest.raises(RuntimeError, match="episode has ended"):
        pool.step(A[:2])
    options = {"reset_mask": np.array([False, True])}
    obs, info = pool.reset(options=options)
    assert list(options) == ["reset_mask"]  # the caller's dict is not mutated
    np.testing.assert_array_equal(obs[:, 0], [2, 0])  # env 0 keeps its last observation
    np.testing.assert_array_equal(info["_reset_count"], [False, True])
    np.testing.assert_array_equal(info["reset_count"], [0, 2])
    with pytest.raises(RuntimeError, match="env 0"):
        pool.step(A[:2])
    obs, *_ = pool.step(A[1:2], env_id=[1])
    np.testing.assert_array_equal(obs[:, 0], [1])


def test_terminated_and_truncated_both_true_on_the_last_allowed_step(make_counting):
    pool = make_counting(num_envs=1, episode_length=3, max_episode_steps=3)
    pool.reset()
    for _ in range(2):
        pool.step(A[:1])
    _, _, term, trunc, _ = pool.step(A[:1])
    assert term[0] and trunc[0]


def test_truncation_alone_at_max_episode_steps(make_counting):
    pool = make_counting(num_envs=2, episode_length=10, max_episode_steps=2)
    assert pool.envfleet_spec.max_episode_steps == 2
    pool.reset()
    pool.step(A[:2])
    _, _, term, trunc, info = pool.step(A[:2])
    np.testing.assert_array_equal(term, [False, False])
    np.testing.assert_array_equal(trunc, [True, True])
    np.testing.assert_array_equal(info["elapsed_step"], [2, 2])


@pytest.mark.parametrize("mode", ["next_step", "same_step"])
def test_async_mode_follows_the_same_rules(make_counting, mode):
    pool = make_counting(
        num_envs=4, batch_size=2, num_threads=2, episode_length=2, autoreset_mode=mode
    )
    pool.async_reset()
    counts = {}
    for _ in range(40):
        obs, rew, term, trunc, info = pool.recv()
        assert obs.shape == (2, 3)
        ids = info["env_id"]
        assert len(set(ids.tolist())) == 2
        for row, env in enumerate(ids):
            env = int(env)
            seen_before = env in counts
            expected = counts.get(env, 0)
            assert obs[row, 0] == expected
            if mode == "next_step":  # counts 0, 1, 2 (terminated), 0 (reset), ...
                assert term[row] == (expected == 2)
                counts[env] = 0 if expected == 2 else expected + 1
            else:  # counts 0, 1, 0 (terminated, with the final obs), 1, ...
                assert term[row] == info["_final_obs"][row] == (expected == 0 and seen_before)
                counts[env] = 1 - expected
        pool.send(np.ones(2, dtype=np.int64), ids)
    assert sorted(counts) == [0, 1, 2, 3]
