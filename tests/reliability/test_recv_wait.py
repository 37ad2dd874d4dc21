"""A waiting recv(): its timeout raises TimeoutError, and signals (Ctrl-C) interrupt it."""

from __future__ import annotations

import os
import signal
import threading

import numpy as np
import pytest

import envfleet


@pytest.fixture
def waiting_pool(make_counting):
    """An async pool with 2 envs whose next step is being run by the workers and takes a second
    (the caller has nothing left to run itself, so recv() can only wait)."""
    pool = make_counting(num_envs=3, batch_size=2, num_threads=3, step_sleep_us=1_000_000)
    pool.async_reset()
    *_, info = pool.recv()
    pool.send(np.zeros(2, dtype=np.int64), env_id=info["env_id"])
    threading.Event().wait(0.1)  # the workers take both steps
    return pool


def test_recv_timeout_raises_and_keeps_the_batch(waiting_pool):
    with pytest.raises(TimeoutError, match=r"timed out after 0\.05 s"):
        waiting_pool.recv(timeout=0.05)
    assert waiting_pool._native.in_flight == 3  # nothing was taken
    obs, *_, info = waiting_pool.recv(timeout=60)
    assert len(obs) == 2 and waiting_pool._native.in_flight == 1


def test_recv_timeout_zero_returns_a_ready_batch(make_counting):
    pool = make_counting(num_envs=3, batch_size=2)
    pool.async_reset()
    obs, *_ = pool.recv(timeout=0)  # the caller runs the queued resets itself
    assert obs.shape == (2, 3)


@pytest.mark.parametrize(
    ("timeout", "error"), [(-1, ValueError), (float("nan"), ValueError), ("1", TypeError)]
)
def test_bad_timeouts(make_counting, timeout, error):
    pool = make_counting(num_envs=3, batch_size=2)
    pool.async_reset()
    with pytest.raises(error, match="timeout"):
        pool.recv(timeout=timeout)
    assert pool._native.in_flight == 3


def test_ctrl_c_interrupts_a_waiting_recv(waiting_pool):
    # SIGINT as a script has it, Python's own handler and not blocked: in a whole test run, a
    # library loaded by an earlier test can have taken it over or blocked it in this thread (the
    # full suite failed this test; alone it passed).
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    previous_mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            waiting_pool.recv()
    finally:
        timer.join()
        signal.pthread_sigmask(signal.SIG_SETMASK, previous_mask)
        signal.signal(signal.SIGINT, previous)
    # The interrupt came out of the wait: the batch was not taken, and a later recv() gets it.
    assert waiting_pool._native.in_flight == 3
    obs, *_ = waiting_pool.recv()
    assert len(obs) == 2


def test_a_python_signal_handler_runs_during_recv(waiting_pool):
    class Alarm(Exception):
        pass

    def on_alarm(signum, frame):
        raise Alarm

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        with pytest.raises(Alarm):
            waiting_pool.recv()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert waiting_pool._native.in_flight == 3


def test_dm_recv_timeout():
    pool = envfleet.make_dm(
        "Counting-v0", num_envs=3, batch_size=2, num_threads=3, step_sleep_us=1_000_000
    )
    try:
        pool.async_reset()
        timestep = pool.recv()
        pool.send(np.zeros(2, dtype=np.int64), env_id=timestep.observation.env_id)
        threading.Event().wait(0.1)
        with pytest.raises(TimeoutError):
            pool.recv(timeout=0.01)
    finally:
        pool.close()
