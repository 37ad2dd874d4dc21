"""snapshot() / restore() / fork() of the Box2D envs: continuation bit for bit.

A Box2D env's snapshot is its episode's recipe (cpp/envfleet/box2d/replay.h): the reset's random
stream, the world's history as the reset found it (BipedalWalker and CarRacing keep one world
for the env's life, as Gymnasium does, and its broad phase's free list orders the contacts), and
the actions since; a restore replays the episode without drawing pictures. The checks: a pool
steps through several episodes (short time limits), snapshots every env, and keeps stepping with
recorded actions; a second pool made with another seed, whose envs lived other episodes (other
worlds' histories), restores the snapshots after a trip through pickle and steps with the same
actions: every observation, reward, flag, elapsed_step and episode statistic is identical for
1000 steps (CarRacing: 400 steps, and render() pictures too), autoresets included. The same for
the original restored from its own snapshots, in a spawned process, and for forks.
"""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import numpy as np
import pytest

import envfleet

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

NUM_ENVS = 3


def _actions(pool: Any, count: int, seed: int = 0) -> np.ndarray:
    space = pool.single_action_space
    rng = np.random.default_rng(seed)
    if hasattr(space, "n"):
        return rng.integers(space.n, size=(count, pool.num_envs))
    # Beyond the upper bounds too (clipped by LunarLander and BipedalWalker, passed on by
    # CarRacing, as Gymnasium does): cars skid and leave the road.
    low, high = space.low, space.high * 1.2
    return rng.uniform(low, high, size=(count, pool.num_envs, *space.shape)).astype(space.dtype)


def _run(pool: Any, actions: np.ndarray, render_every: int = 0) -> list[list[np.ndarray]]:
    rows = []
    for step, batch in enumerate(actions):
        obs, reward, term, trunc, info = pool.step(batch)
        row = [np.array(obs), reward.copy(), term.copy(), trunc.copy()]
        row.append(info["elapsed_step"].copy())
        if "lap_finished" in info:
            row.append(info["lap_finished"].copy())
        if "episode" in info:
            row += [info["episode"]["r"].copy(), info["episode"]["l"].copy()]
        if render_every and step % render_every == 0:
            row.append(pool.render())
        rows.append(row)
    return rows


def _assert_same(rows: list[list[np.ndarray]], reference: list[list[np.ndarray]]) -> None:
    assert len(rows) == len(reference)
    for step, (row, ref) in enumerate(zip(rows, reference, strict=True)):
        assert len(row) == len(ref), f"step {step}: episode statistics differ"
        for got, want in zip(row, ref, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=f"step {step}")


CASES: list[tuple[str, dict[str, Any], int]] = [
    ("LunarLander-v3", {"max_episode_steps": 120}, 1000),
    ("LunarLanderContinuous-v3", {"enable_wind": True, "max_episode_steps": 120}, 1000),
    ("BipedalWalker-v3", {"max_episode_steps": 150}, 1000),
    ("BipedalWalkerHardcore-v3", {"max_episode_steps": 150}, 1000),
    ("CarRacing-v3", {"domain_randomize": True, "max_episode_steps": 90}, 400),
    ("CarRacing-v3", {"continuous": False, "max_episode_steps": 90}, 400),
]


@pytest.mark.parametrize(
    "case", CASES, ids=lambda case: case[0] + "".join(f"-{k}={v}" for k, v in case[1].items())
)
def test_box2d_continues_exactly_after_restore(case):
    task_id, options, steps = case
    car_racing = task_id.startswith("CarRacing")
    render = {"render_mode": "rgb_array"} if car_racing else {}
    make = dict(num_envs=NUM_ENVS, episode_stats=True, **options, **render)
    original = envfleet.make_gymnasium(task_id, seed=1, **make)
    copy = envfleet.make_gymnasium(task_id, seed=2, **make)
    try:
        limit = options["max_episode_steps"]
        warmup = 2 * limit + limit // 3  # mid-way through each env's third episode
        actions = _actions(original, warmup + steps)
        original.reset()
        if car_racing:  # env 1 keeps its colours for one reset: they travel in the snapshot
            original.reset(env_id=[1], options={"randomize": False})
        _run(original, actions[:warmup])
        snapshots = original.snapshot()
        render_every = 25 if car_racing else 0
        reference = _run(original, actions[warmup:], render_every)
        # The copy's envs lived other episodes (other seeds and actions): other world histories.
        copy.reset()
        _run(copy, _actions(copy, limit + 7, seed=9))
        copy.restore(pickle.loads(pickle.dumps(snapshots)))
        _assert_same(_run(copy, actions[warmup:], render_every), reference)
        original.restore(snapshots)
        _assert_same(_run(original, actions[warmup:], render_every), reference)
        assert sum((row[2] | row[3]).sum() for row in reference) >= NUM_ENVS  # autoresets
    finally:
        original.close()
        copy.close()


def test_snapshots_of_fresh_and_just_reset_envs():
    # A snapshot of an env never reset (its world new), and one taken right at a reset.
    source = envfleet.make_gymnasium("BipedalWalker-v3", num_envs=2, seed=3)
    target = envfleet.make_gymnasium("BipedalWalker-v3", num_envs=2, seed=4)
    try:
        fresh = source.snapshot()
        target.reset()
        _run(target, _actions(target, 60))
        target.restore(fresh)
        actions = _actions(source, 200, seed=1)
        source.reset(seed=8)
        target.reset(seed=8)
        _assert_same(_run(target, actions), _run(source, actions))
        just_reset = source.reset(seed=5)[0]
        snapshots = source.snapshot()
        reference = _run(source, actions)
        target.restore(snapshots)
        _assert_same(_run(target, actions), reference)
        assert just_reset.shape == (2, 24)
    finally:
        source.close()
        target.close()


def test_fork_copies_a_walker_into_the_other_envs():
    pool = envfleet.make_gymnasium("BipedalWalkerHardcore-v3", num_envs=4, seed=3)
    try:
        pool.reset()
        _run(pool, _actions(pool, 70))
        pool.fork(2, [0, 1, 3])
        same = np.repeat(_actions(pool, 300, seed=4)[:, :1], 4, axis=1)
        for row in _run(pool, same):
            for values in row:
                for env in (0, 1, 3):
                    np.testing.assert_array_equal(values[env], values[2])
    finally:
        pool.close()


def _restore_in_a_new_process(task_id, options, snapshots, actions):
    """Runs in a spawned interpreter: a fresh pool restores the pickled snapshots and steps."""
    pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=77, **options)
    pool.restore(pickle.loads(snapshots))
    rows = _run(pool, actions)
    pool.close()
    return rows


@pytest.mark.parametrize(
    ("task_id", "options"),
    [
        ("BipedalWalkerHardcore-v3", {"max_episode_steps": 150}),
        ("CarRacing-v3", {"max_episode_steps": 60}),
    ],
)
def test_box2d_snapshots_continue_exactly_in_another_process(task_id, options):
    pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=4, **options)
    steps = 1000 if task_id.startswith("Bipedal") else 150
    try:
        actions = _actions(pool, 170 + steps)
        pool.reset()
        _run(pool, actions[:170])
        snapshots = pickle.dumps(pool.snapshot())
        reference = _run(pool, actions[170:])
    finally:
        pool.close()
    with multiprocessing.get_context("spawn").Pool(1) as workers:
        rows = workers.apply(
            _restore_in_a_new_process, (task_id, options, snapshots, actions[170:])
        )
    _assert_same(rows, reference)


def test_a_corrupt_box2d_snapshot_is_refused():
    pool = envfleet.make_gymnasium("LunarLander-v3", num_envs=2, seed=0)
    try:
        pool.reset()
        _run(pool, _actions(pool, 5))
        snapshots = pool.snapshot()
        with pytest.raises(ValueError, match="truncated or corrupt"):
            pool.restore([snapshots[0][:-3], snapshots[1]])
    finally:
        pool.close()
