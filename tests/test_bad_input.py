"""Every bad input of DESIGN §2 "Errors" raises a clear exception before any env is touched."""

from __future__ import annotations

import numpy as np
import pytest

import envfleet


@pytest.fixture
def pool(make_counting):
    pool = make_counting(num_envs=3)
    pool.reset()
    return pool


def counts(pool):
    return pool.get_state()["count"][:, 0].tolist()


def test_wrong_action_shape(pool):
    with pytest.raises(ValueError, match=r"shape \[3\], got \[2\]"):
        pool.step(np.zeros(2, dtype=np.int64))
    with pytest.raises(ValueError, match="shape"):
        pool.step(np.zeros((3, 1), dtype=np.int64))
    assert counts(pool) == [0, 0, 0]


def test_wrong_action_dtype(pool):
    with pytest.raises(TypeError, match="integers"):
        pool.step(np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError):
        pool.step(np.array(["a", "b", "c"]))
    assert counts(pool) == [0, 0, 0]


def test_other_integer_dtypes_and_lists_are_accepted(pool):
    pool.step(np.zeros(3, dtype=np.int32))
    pool.step(np.zeros(3, dtype=np.uint8))
    pool.step([0, 1, 2])
    assert counts(pool) == [3, 3, 3]


def test_discrete_action_out_of_range(pool):
    with pytest.raises(ValueError, match=r"action 4 of row 1 is out of range \[0, 4\)"):
        pool.step(np.array([0, 4, 0]))
    with pytest.raises(ValueError, match="out of range"):
        pool.step(np.array([-1, 0, 0]))
    assert counts(pool) == [0, 0, 0]


def test_continuous_action_with_nan():
    pool = envfleet.make_gymnasium("Pendulum-v1", num_envs=2)
    try:
        pool.reset()
        with pytest.raises(ValueError, match="NaN"):
            pool.step(np.array([[0.0], [np.nan]], dtype=np.float32))
        with pytest.raises(TypeError, match="real numbers"):
            pool.step(np.array([[True], [False]]))
        pool.step(np.array([[0.5], [1]], dtype=np.float64))  # converted to float32
    finally:
        pool.close()


def test_env_id_out_of_range_or_repeated(pool):
    with pytest.raises(IndexError, match=r"env_id 3 is out of range \[0, 3\)"):
        pool.step(np.zeros(1, dtype=np.int64), env_id=[3])
    with pytest.raises(IndexError):
        pool.reset(env_id=[-1])
    with pytest.raises(ValueError, match="env_id 1 is repeated"):
        pool.step(np.zeros(2, dtype=np.int64), env_id=[1, 1])
    with pytest.raises(TypeError, match="integers"):
        pool.step(np.zeros(1, dtype=np.int64), env_id=[0.5])
    assert counts(pool) == [0, 0, 0]


def test_recv_with_nothing_in_flight(make_counting):
    sync = make_counting(num_envs=2)
    sync.reset()
    with pytest.raises(RuntimeError, match="nothing in flight"):
        sync.recv()
    asynchronous = make_counting(num_envs=4, batch_size=2)
    with pytest.raises(RuntimeError, match="in flight"):
        asynchronous.recv()


def test_resending_an_env_in_flight(make_counting):
    pool = make_counting(num_envs=4, batch_size=2)
    pool.async_reset(env_id=[0])
    with pytest.raises(RuntimeError, match="env 0 is in flight"):
        pool.async_reset(env_id=[0])


def test_step_before_reset(make_counting):
    pool = make_counting(num_envs=2)
    with pytest.raises(RuntimeError, match="reset"):
        pool.step(np.zeros(2, dtype=np.int64))


def test_step_after_close(pool):
    pool.close()
    with pytest.raises(RuntimeError, match="closed"):
        pool.step(np.zeros(3, dtype=np.int64))
    with pytest.raises(RuntimeError, match="closed"):
        pool.recv()


def test_unknown_task_id_suggests_close_matches():
    with pytest.raises(ValueError, match="'CartPole-v1'"):
        envfleet.make_gymnasium("CartPole-v2")
    with pytest.raises(ValueError, match="unknown task id"):
        envfleet.make_spec("NoSuchEnv-v0")


def test_unknown_keyword_lists_the_accepted_ones():
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'gravity'.*sutton_barto"):
        envfleet.make_gymnasium("CartPole-v1", gravity=9.8)


def test_option_of_the_wrong_type():
    with pytest.raises(TypeError, match="sutton_barto_reward"):
        envfleet.make_gymnasium("CartPole-v1", sutton_barto_reward=1)
    with pytest.raises(TypeError, match="num_envs must be an int"):
        envfleet.make_gymnasium("CartPole-v1", num_envs=2.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"num_envs": 0}, "num_envs must be >= 1"),
        ({"num_envs": 2, "batch_size": 3}, "batch_size"),
        ({"num_threads": -1}, "num_threads"),
        ({"max_episode_steps": 0}, "max_episode_steps"),
        ({"autoreset_mode": "sometimes"}, "autoreset_mode"),
        ({"seed": -1}, "seed"),
        ({"num_envs": 2, "seed": [1, 2, 3]}, "expected 2 seeds"),
    ],
)
def test_bad_pool_keywords(kwargs, message):
    with pytest.raises(ValueError, match=message):
        envfleet.make_gymnasium("CartPole-v1", **kwargs)


def test_bad_seed_type(pool):
    with pytest.raises(TypeError, match="seed"):
        pool.reset(seed="abc")
    with pytest.raises(ValueError, match="expected 3 seeds"):
        pool.reset(seed=[1, 2])


def test_set_state_takes_the_parts_in_order_or_by_name(pool):
    pool.set_state(np.array([[3.0], [4.0], [5.0]]))
    assert counts(pool) == [3, 4, 5]
    pool.set_state(count=np.array([[1.0]]), env_id=[2])
    assert counts(pool) == [3, 4, 1]
    with pytest.raises(TypeError, match="missing the parts"):
        pool.set_state()
    with pytest.raises(TypeError, match="unexpected or repeated part 'qpos'"):
        pool.set_state(qpos=np.zeros((3, 1)))
    with pytest.raises(TypeError, match="takes the parts"):
        pool.set_state(np.zeros((3, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match=r"count must have shape \(envs, 1\)"):
        pool.set_state(np.zeros((3, 2)))
    assert counts(pool) == [3, 4, 1]


def test_a_state_of_the_wrong_size_is_refused_by_the_engine():
    # The engine checks every family's state size against the spec's state_layout.
    pool = envfleet.make_gymnasium("CartPole-v1", num_envs=1)
    try:
        with pytest.raises(ValueError, match=r"CartPole-v1 state has 4 values \(state\), got 3"):
            pool._native.set_state(np.zeros((1, 3)), None)
    finally:
        pool.close()
