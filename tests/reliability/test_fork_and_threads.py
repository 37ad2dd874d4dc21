"""Processes and threads: a pool across os.fork(), many pools on many threads, one pool on two."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

import envfleet

ACTIONS = [np.array([0, 1, 1, 0]), np.array([1, 1, 0, 0]), np.array([1, 0, 1, 0])]


def cartpole_run(pool, steps=60):
    """The observations of `steps` steps with fixed actions, after a reset with seed 3."""
    out = [pool.reset(seed=3)[0].copy()]
    for i in range(steps):
        out.append(pool.step(ACTIONS[i % len(ACTIONS)])[0].copy())
    return np.stack(out)


def async_run(pool, batches=40):
    """Runs `batches` recv/send rounds of an async pool; checks each batch's env ids."""
    pool.async_reset()
    for _ in range(batches):
        obs, *_, info = pool.recv()
        ids = info["env_id"]
        assert len(obs) == pool.batch_size and len(set(ids.tolist())) == pool.batch_size
        pool.send(np.zeros(pool.batch_size, dtype=np.int64), env_id=ids)


def child_uses_its_own_pools(inherited) -> int:
    """Runs in the forked child; returns its exit code (0: every check passed)."""
    try:
        inherited.recv()
    except RuntimeError as error:
        if "fork" not in str(error):
            return 2
    else:
        return 3
    async_pool = envfleet.make_gymnasium("CartPole-v1", num_envs=4, batch_size=2, num_threads=2)
    async_run(async_pool)
    async_pool.close()
    first = envfleet.make_gymnasium("CartPole-v1", num_envs=4, num_threads=2)
    expected = cartpole_run(first)
    first.close()
    again = envfleet.make_gymnasium("CartPole-v1", num_envs=4, num_threads=2)
    return 0 if np.array_equal(cartpole_run(again), expected) else 4


@pytest.mark.parametrize("batch_size", [4, 2], ids=["sync", "async"])
def test_fork_child_makes_its_own_pools_and_the_parent_is_unaffected(make_pool, batch_size):
    parent = make_pool("CartPole-v1", num_envs=4, batch_size=batch_size, num_threads=2)
    if batch_size == 4:
        parent.reset(seed=3)
        parent.step(ACTIONS[0])
    else:
        async_run(parent, batches=5)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = child_uses_its_own_pools(parent)
            del parent  # the inherited pool is abandoned, never joined
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

    if batch_size == 2:
        parent.recv()  # the parent's in-flight envs were untouched by the child
        parent.recv()
        async_run(parent)
        return
    # The parent's pool goes on exactly as an identical pool that never saw a fork.
    twin = make_pool("CartPole-v1", num_envs=4, num_threads=2)
    twin.reset(seed=3)
    twin.step(ACTIONS[0])
    for i in range(30):
        np.testing.assert_array_equal(parent.step(ACTIONS[i % 3])[0], twin.step(ACTIONS[i % 3])[0])


def test_several_pools_on_several_threads(make_pool):
    expected = cartpole_run(make_pool("CartPole-v1", num_envs=4, num_threads=2))
    results, errors = {}, []

    def run(index):
        try:
            pool = envfleet.make_gymnasium("CartPole-v1", num_envs=4, num_threads=2)
            results[index] = cartpole_run(pool, steps=60)
            pool.close()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for index in range(6):
        np.testing.assert_array_equal(results[index], expected)


def test_one_pool_from_two_threads_at_once_is_refused(make_counting):
    pool = make_counting(num_envs=3, batch_size=2, num_threads=3, step_sleep_us=1_000_000)
    pool.async_reset()
    *_, info = pool.recv()
    pool.send(np.zeros(2, dtype=np.int64), env_id=info["env_id"])
    threading.Event().wait(0.05)  # the workers take both one-second steps
    received = []
    thread = threading.Thread(target=lambda: received.append(pool.recv()))
    thread.start()
    # Until the thread is inside recv(), a recv(timeout=0) here times out and changes nothing;
    # once it is, every call from here is refused.
    while True:
        try:
            pool.recv(timeout=0)
        except TimeoutError:
            threading.Event().wait(0.005)
            continue
        except RuntimeError as error:
            assert "two threads at once" in str(error)
            break
    for call in (pool.recv, pool.close, lambda: pool.step(np.zeros(2, dtype=np.int64))):
        with pytest.raises(RuntimeError, match="two threads at once"):
            call()
    thread.join()
    assert len(received) == 1 and len(received[0][0]) == 2
    # Nothing was corrupted: the pool serves every env again.
    pool.send(np.zeros(2, dtype=np.int64), env_id=received[0][4]["env_id"])
    assert len(pool.recv()[0]) == 2
