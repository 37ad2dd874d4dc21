"""The batched render() of every pool: one (len(env_ids), h, w, 3) uint8 array, on the pool's
threads, the same whatever the thread count, with the engine's argument checks.

The pictures' content is checked per family against the reference (tests/classic_control/
test_render.py, tests/atari/test_options.py); here CartPole serves as a cheap env that renders.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

import envfleet


def test_render_returns_one_array_with_a_row_per_env(make_pool):
    pool = make_pool("CartPole-v1", num_envs=4, seed=0)
    pool.reset()
    pictures = pool.render()
    assert isinstance(pictures, np.ndarray)
    assert pictures.shape == (4, 400, 600, 3) and pictures.dtype == np.uint8
    assert pictures.flags.c_contiguous
    # Also a Sequence of pictures, as Gymnasium's VectorEnv.render() returns (RecordVideo checks).
    assert isinstance(pictures, Sequence) and len(pictures) == 4
    # Rows follow env_ids, in the order given; env_id is the same argument under step()'s name.
    picked = pool.render(env_ids=[3, 1])
    np.testing.assert_array_equal(picked, pictures[[3, 1]])
    np.testing.assert_array_equal(pool.render(env_id=np.array([2])), pictures[[2]])
    assert pool.render(env_ids=[]).shape == (0, 400, 600, 3)
    with pytest.raises(ValueError, match="either env_ids or env_id"):
        pool.render(env_ids=[0], env_id=[0])


def test_pictures_show_each_envs_own_state(make_pool):
    pool = make_pool("CartPole-v1", num_envs=3, seed=0)
    pool.reset()
    pool.set_state(np.array([[-1.0, 0, 0, 0], [0.0, 0, 0, 0], [1.0, 0, 0, 0]]))
    pictures = pool.render()
    # The black cart body (Surface rows 85 to 115, flipped) sits at a different column in each.
    cart_rows = pictures[:, 399 - 90, :, :].sum(axis=-1) == 0
    columns = [np.flatnonzero(row).mean() for row in cart_rows]
    assert columns[0] < columns[1] < columns[2]


@pytest.mark.parametrize("num_threads", [1, 2])
def test_threads_give_the_same_pictures(make_pool, num_threads):
    reference = make_pool("Acrobot-v1", num_envs=8, seed=3, num_threads=1)
    pool = make_pool("Acrobot-v1", num_envs=8, seed=3, num_threads=num_threads)
    reference.reset()
    pool.reset()
    actions = np.arange(8) % 3
    for _ in range(5):
        reference.step(actions)
        pool.step(actions)
    np.testing.assert_array_equal(pool.render(), reference.render())


def test_async_pools_render_envs_not_in_flight(make_pool):
    pool = make_pool("CartPole-v1", num_envs=4, batch_size=2, seed=0)
    pool.async_reset()
    first = pool.recv()[-1]["env_id"]
    second = pool.recv()[-1]["env_id"]
    assert pool.render().shape == (4, 400, 600, 3)
    pool.send(np.zeros(2, dtype=np.int64), env_id=first)
    with pytest.raises(RuntimeError, match="in flight"):
        pool.render(env_ids=first)
    np.testing.assert_array_equal(pool.render(env_ids=second).shape, (2, 400, 600, 3))


def test_bad_env_ids_raise_before_drawing(make_pool):
    pool = make_pool("CartPole-v1", num_envs=3, seed=0)
    pool.reset()
    with pytest.raises(IndexError, match="out of range"):
        pool.render(env_ids=[3])
    with pytest.raises(ValueError, match="repeated"):
        pool.render(env_ids=[1, 1])
    with pytest.raises(TypeError, match="integers"):
        pool.render(env_ids=[0.5])


def test_tasks_that_cannot_render_say_so(make_pool):
    pool = make_pool("Counting-v0", num_envs=2)
    assert pool.render_mode is None and pool.metadata["render_modes"] == []
    with pytest.raises(ValueError, match="cannot render"):
        pool.render()
    with pytest.raises(ValueError, match="does not render"):
        envfleet.make_gymnasium("Counting-v0", render_mode="rgb_array")
