"""An env that raises inside the pool: EnvError names it, carries the batch, the pool goes on."""

from __future__ import annotations

import numpy as np
import pytest

import envfleet

FAIL_AT = 3


def faulty(make_counting, **kwargs):
    """A Counting pool whose envs raise from step() when their count is FAIL_AT."""
    return make_counting(fail_at_step=FAIL_AT, episode_length=100, **kwargs)


@pytest.mark.parametrize(
    ("num_threads", "step_sleep_us"),
    [(1, 0), (2, 500)],
    ids=["inline", "sharded-over-a-worker"],
)
def test_sync_step_fault(make_counting, num_threads, step_sleep_us):
    pool = faulty(make_counting, num_envs=4, num_threads=num_threads, step_sleep_us=step_sleep_us)
    pool.reset()
    pool.step(np.zeros(4, dtype=np.int64))  # measured: later requests shard when slow
    pool.set_state(np.array([[1.0], [1.0], [1.0], [FAIL_AT]]))
    with pytest.raises(envfleet.EnvError, match="env 3 raised during step") as caught:
        pool.step(np.full(4, 2))
    error = caught.value
    assert isinstance(error, RuntimeError)
    assert error.env_id == 3 and error.env_ids == [3]
    obs, reward, terminated, truncated, info = error.result
    np.testing.assert_array_equal(info["env_id"], [0, 1, 2, 3])
    np.testing.assert_array_equal(obs[:, 0], [2, 2, 2, 0])  # the others' results are intact
    np.testing.assert_array_equal(obs[:3, 1], [2, 2, 2])
    np.testing.assert_array_equal(obs[3], [0, 0, 0])
    np.testing.assert_array_equal(reward, [2, 2, 2, 0])
    np.testing.assert_array_equal(truncated, [False, False, False, True])
    np.testing.assert_array_equal(terminated, [False] * 4)

    # The pool goes on: the failed env restarts, the others continue their episodes.
    obs, *_, info = pool.step(np.zeros(4, dtype=np.int64))
    np.testing.assert_array_equal(obs[:, 0], [3, 3, 3, 0])
    np.testing.assert_array_equal(info["elapsed_step"], [3, 3, 3, 0])


def test_partial_step_fault_names_the_env_and_keeps_row_order(make_counting):
    pool = faulty(make_counting, num_envs=5)
    pool.reset()
    pool.set_state(np.array([[FAIL_AT], [FAIL_AT]]), env_id=[1, 4])
    with pytest.raises(envfleet.EnvError, match=r"env 4 raised.*envs that raised: 4 1") as caught:
        pool.step(np.zeros(3, dtype=np.int64), env_id=[4, 2, 1])
    assert caught.value.env_ids == [4, 1]
    obs, *_, info = caught.value.result
    np.testing.assert_array_equal(info["env_id"], [4, 2, 1])
    np.testing.assert_array_equal(obs[:, 0], [0, 1, 0])


def test_reset_fault_raises_and_the_env_is_retried(make_counting):
    pool = make_counting(num_envs=2, fail_on_reset=True)
    with pytest.raises(envfleet.EnvError, match="env 0 raised during reset") as caught:
        pool.reset()
    assert caught.value.env_ids == [0, 1]
    _, _, _, truncated, _ = caught.value.result
    np.testing.assert_array_equal(truncated, [True, True])
    with pytest.raises(envfleet.EnvError, match="during reset"):
        pool.step(np.zeros(2, dtype=np.int64))


@pytest.mark.parametrize("num_threads", [1, 2])
def test_async_fault_is_raised_by_the_recv_of_its_batch(make_counting, num_threads):
    pool = faulty(make_counting, num_envs=6, batch_size=3, num_threads=num_threads)
    pool.async_reset()
    counts = {}
    faults = 0
    for _ in range(40):
        try:
            obs, *_, info = pool.recv()
            failed = []
        except envfleet.EnvError as error:
            faults += 1
            obs, _, _, truncated, info = error.result
            failed = error.env_ids
            assert set(failed) <= set(info["env_id"].tolist())
            for env_id in failed:
                row = info["env_id"].tolist().index(env_id)
                assert counts[env_id] == FAIL_AT and truncated[row] and obs[row, 0] == 0
        for row, env_id in enumerate(info["env_id"].tolist()):
            if env_id in failed:
                counts[env_id] = -1  # its next row is a reset
            else:
                # Every other row continues its env's count, or restarts it after a fault.
                assert obs[row, 0] in (0, counts.get(env_id, -1) + 1)
                counts[env_id] = obs[row, 0]
        assert pool._native.in_flight == 3
        pool.send(np.ones(3, dtype=np.int64), env_id=info["env_id"])
    assert faults >= 2


def test_env_error_survives_pickling(make_counting):
    import pickle

    pool = make_counting(num_envs=1, fail_at_step=0)
    pool.reset()
    with pytest.raises(envfleet.EnvError) as caught:
        pool.step(np.zeros(1, dtype=np.int64))
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and again.env_ids == [0]


def test_dm_pool_fault_result_is_a_timestep():
    import dm_env

    pool = envfleet.make_dm("Counting-v0", num_envs=2, fail_at_step=1)
    try:
        pool.reset()
        pool.step(np.zeros(2, dtype=np.int64))
        with pytest.raises(envfleet.EnvError, match="env 0 raised during step") as caught:
            pool.step(np.zeros(2, dtype=np.int64))
        timestep = caught.value.result
        assert isinstance(timestep, dm_env.TimeStep)
        np.testing.assert_array_equal(timestep.step_type, [dm_env.StepType.LAST] * 2)
        np.testing.assert_array_equal(timestep.observation.env_id, [0, 1])
        np.testing.assert_array_equal(pool.step(np.zeros(2, dtype=np.int64)).step_type, [0, 0])
    finally:
        pool.close()
