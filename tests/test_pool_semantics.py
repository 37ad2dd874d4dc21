"""Partial steps and resets, async batching, seeding and buffer ownership, on the CountingEnv."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

import envfleet

ONES = np.ones(8, dtype=np.int64)


def test_partial_step_returns_the_named_envs_in_order(make_counting):
    pool = make_counting(num_envs=4)
    pool.reset()
    obs, rew, term, trunc, info = pool.step(np.array([3, 1]), env_id=np.array([2, 0]))
    np.testing.assert_array_equal(info["env_id"], [2, 0])
    np.testing.assert_array_equal(obs[:, :2], [[1, 3], [1, 1]])
    obs, *_ = pool.step(ONES[:4])
    np.testing.assert_array_equal(obs[:, 0], [2, 1, 2, 1])


@pytest.mark.parametrize(
    "env_id",
    [
        [2, 0],
        np.array([2, 0], dtype=np.int32),
        np.array([2, 0], dtype=">i4"),
        np.array([2, 9, 0], dtype=np.int32)[::2],
        np.array([2, 0], dtype=np.uint8),
        np.array([2, 0], dtype=np.int64),
    ],
    ids=["list", "int32", "int32-big-endian", "int32-strided", "uint8", "int64"],
)
def test_env_id_of_any_integer_dtype_and_layout_names_the_same_envs(make_counting, env_id):
    pool = make_counting(num_envs=4)
    pool.reset()
    obs, *_, info = pool.step(np.array([3, 1]), env_id=env_id)
    np.testing.assert_array_equal(info["env_id"], [2, 0])
    np.testing.assert_array_equal(obs[:, :2], [[1, 3], [1, 1]])


def test_partial_reset_by_env_id_and_by_mask(make_counting):
    pool = make_counting(num_envs=3)
    pool.reset()
    pool.step(ONES[:3])
    obs, info = pool.reset(env_id=[1])
    np.testing.assert_array_equal(info["env_id"], [1])
    np.testing.assert_array_equal(obs[:, 0], [0])
    obs, *_ = pool.step(ONES[:3])
    np.testing.assert_array_equal(obs[:, 0], [2, 1, 2])
    obs, info = pool.reset(options={"reset_mask": np.array([True, False, True])})
    np.testing.assert_array_equal(obs[:, 0], [0, 1, 0])
    np.testing.assert_array_equal(info["_env_id"], [True, False, True])


def test_async_returns_batch_size_rows_and_serves_every_env(make_counting):
    pool = make_counting(num_envs=8, batch_size=3, num_threads=2, step_sleep_us=50)
    pool.async_reset()
    served = np.zeros(8, dtype=int)
    for _ in range(60):
        obs, rew, term, trunc, info = pool.recv()
        assert obs.shape == (3, 3) and rew.shape == (3,) and info["env_id"].shape == (3,)
        assert len(np.unique(info["env_id"])) == 3
        served[info["env_id"]] += 1
        pool.send(np.zeros(3, dtype=np.int64), info["env_id"])
    assert (served > 0).all()


def test_async_step_is_send_then_recv(make_counting):
    pool = make_counting(num_envs=4, batch_size=2)
    obs, info = pool.reset()
    assert obs.shape == (2, 3)
    obs, *_, info = pool.step(np.zeros(2, dtype=np.int64), info["env_id"])
    assert obs.shape == (2, 3)


def trajectory(make_counting, num_threads, seed=7):
    pool = make_counting(num_envs=16, num_threads=num_threads, episode_length=3, seed=seed)
    rng = np.random.default_rng(0)
    rows = [pool.reset()[0].copy()]
    for _ in range(20):
        rows.append(pool.step(rng.integers(0, 4, size=16))[0].copy())
    return np.stack(rows)


def test_same_seed_same_trajectories_for_one_and_two_threads(make_counting):
    np.testing.assert_array_equal(trajectory(make_counting, 1), trajectory(make_counting, 2))


@pytest.mark.parametrize("autoreset_mode", ["NextStep", "SameStep"])
def test_steps_in_parts_give_the_whole_steps_results(make_counting, autoreset_mode):
    """Envs whose step comes in parts (3 here; MuJoCo's are its frame_skip physics steps) are
    stepped part by part over the threads, moving between threads between parts; every output is
    that of whole steps on one thread. The CountingEnv raises if a part comes out of order."""
    mode = gymnasium.vector.AutoresetMode(autoreset_mode)
    rng = np.random.default_rng(3)
    actions = rng.integers(0, 4, size=(30, 16))
    outputs = []
    for step_parts, num_threads in [(1, 1), (3, 2), (3, 3)]:
        # Sleeping parts make each request costly enough to be spread over the threads.
        pool = make_counting(
            num_envs=16,
            num_threads=num_threads,
            episode_length=3,
            seed=5,
            autoreset_mode=mode,
            step_parts=step_parts,
            step_sleep_us=20,
        )
        rows = [pool.reset()[0].copy()]
        for action in actions:
            obs, rew, term, trunc, info = pool.step(action)
            rows += [obs.copy(), rew.copy(), term.copy(), trunc.copy()]
            rows += [np.copy(info[key]) for key in ("elapsed_step", "env_id", "reset_count")]
            if mode == gymnasium.vector.AutoresetMode.SAME_STEP:
                rows += [np.copy(info["final_obs"]), np.copy(info["_final_obs"])]
        outputs.append(rows)
    for other in outputs[1:]:
        for a, b in zip(outputs[0], other, strict=True):
            np.testing.assert_array_equal(a, b)


def test_adjacent_seeds_share_no_stream(make_counting):
    a = trajectory(make_counting, 1, seed=7)[:, :, 2]
    b = trajectory(make_counting, 1, seed=8)[:, :, 2]
    assert not np.isin(a, b).any()
    assert len(np.unique(a[0])) == 16


def test_reset_seed_restarts_streams_and_accepts_per_env_lists(make_counting):
    pool = make_counting(num_envs=2)
    first, _ = pool.reset(seed=3)
    first = first.copy()
    pool.reset()
    again, _ = pool.reset(seed=3)
    np.testing.assert_array_equal(first, again)
    per_env, _ = pool.reset(seed=[11, 11])
    assert per_env[0, 2] == per_env[1, 2]
    single = make_counting(num_envs=1, seed=11)
    assert single.reset()[0][0, 2] == per_env[0, 2]
    assert make_counting(num_envs=2, seed=3).reset()[0][1, 2] == first[1, 2]


def test_kept_arrays_are_never_overwritten(make_counting):
    pool = make_counting(num_envs=2)
    kept, _ = pool.reset()
    kept_copy = kept.copy()
    for _ in range(10):
        pool.step(ONES[:2])
    np.testing.assert_array_equal(kept, kept_copy)


def test_env_exception_reaches_the_caller_and_the_pool_stays_usable(make_counting):
    pool = make_counting(num_envs=2, fail_at_step=1)
    pool.reset()
    pool.step(ONES[:2])
    with pytest.raises(RuntimeError, match="env 0 raised during step"):
        pool.step(ONES[:2])
    obs, *_, info = pool.step(ONES[:2])
    np.testing.assert_array_equal(info["elapsed_step"], [0, 0])


def test_close_is_idempotent_and_later_calls_raise(make_counting):
    pool = make_counting(num_envs=2)
    obs, _ = pool.reset()
    pool.close()
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool.step(ONES[:2])
    with pytest.raises(RuntimeError, match="closed"):
        pool.reset()
    assert obs.shape == (2, 3)  # arrays outlive the pool


def test_gymnasium_make_vec_returns_an_envfleet_pool():
    pool = gymnasium.make_vec("envfleet/CartPole-v1", num_envs=3)
    try:
        assert isinstance(pool, envfleet.gymnasium_pool.GymnasiumPool)
        assert pool.num_envs == 3
        obs, _ = pool.reset(seed=1)
        assert obs.shape == (3, 4)
    finally:
        pool.close()


def test_spaces_and_metadata(make_counting):
    pool = make_counting(num_envs=3)
    assert isinstance(pool, gymnasium.vector.VectorEnv)
    assert pool.single_action_space == gymnasium.spaces.Discrete(4)
    assert pool.action_space == gymnasium.spaces.MultiDiscrete([4, 4, 4])
    assert pool.observation_space.shape == (3, 3)
    other = make_counting(num_envs=1, autoreset_mode="same_step")
    assert pool.metadata is not other.metadata
