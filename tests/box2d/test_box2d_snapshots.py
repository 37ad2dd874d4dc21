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

import pickle
from typing import Any

import numpy as np
import pytest
from snapshot_checks import (
    NUM_ENVS,
    assert_continues_in_another_process,
    assert_same,
    random_actions,
    run,
)

from .alignment import case_id

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet


def _actions(pool: Any, count: int, seed: int = 0) -> np.ndarray:
    # Beyond the upper bounds too (clipped by LunarLander and BipedalWalker, passed on by
    # CarRacing, as Gymnasium does): cars skid and leave the road.
    return random_actions(pool, count, seed, beyond=1.2)


CASES: list[tuple[str, dict[str, Any], int]] = [
    ("LunarLander-v3", {"max_episode_steps": 120}, 1000),
    ("LunarLanderContinuous-v3", {"enable_wind": True, "max_episode_steps": 120}, 1000),
    ("BipedalWalker-v3", {"max_episode_steps": 150}, 1000),
    ("BipedalWalkerHardcore-v3", {"max_episode_steps": 150}, 1000),
    ("CarRacing-v3", {"domain_randomize": True, "max_episode_steps": 90}, 400),
    ("CarRacing-v3", {"continuous": False, "max_episode_steps": 90}, 400),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_box2d_continues_exactly_after_restore(make_pool, case):
    task_id, options, steps = case
    car_racing = task_id.startswith("CarRacing")
    render = {"render_mode": "rgb_array"} if car_racing else {}
    make = dict(num_envs=NUM_ENVS, episode_stats=True, **options, **render)
    original = make_pool(task_id, seed=1, **make)
    copy = make_pool(task_id, seed=2, **make)
    limit = options["max_episode_steps"]
    warmup = 2 * limit + limit // 3  # mid-way through each env's third episode
    actions = _actions(original, warmup + steps)
    original.reset()
    if car_racing:  # env 1 keeps its colours for one reset: they travel in the snapshot
        original.reset(env_id=[1], options={"randomize": False})
    run(original, actions[:warmup])
    snapshots = original.snapshot()
    render_every = 25 if car_racing else 0
    reference = run(original, actions[warmup:], render_every=render_every)
    # The copy's envs lived other episodes (other seeds and actions): other world histories.
    copy.reset()
    run(copy, _actions(copy, limit + 7, seed=9))
    copy.restore(pickle.loads(pickle.dumps(snapshots)))
    assert_same(run(copy, actions[warmup:], render_every=render_every), reference)
    original.restore(snapshots)
    assert_same(run(original, actions[warmup:], render_every=render_every), reference)
    assert sum((row[2] | row[3]).sum() for row in reference) >= NUM_ENVS  # autoresets


def test_snapshots_of_fresh_and_just_reset_envs(make_pool):
    # A snapshot of an env never reset (its world new), and one taken right at a reset.
    source = make_pool("BipedalWalker-v3", num_envs=2, seed=3)
    target = make_pool("BipedalWalker-v3", num_envs=2, seed=4)
    fresh = source.snapshot()
    target.reset()
    run(target, _actions(target, 60))
    target.restore(fresh)
    actions = _actions(source, 200, seed=1)
    source.reset(seed=8)
    target.reset(seed=8)
    assert_same(run(target, actions), run(source, actions))
    just_reset = source.reset(seed=5)[0]
    snapshots = source.snapshot()
    reference = run(source, actions)
    target.restore(snapshots)
    assert_same(run(target, actions), reference)
    assert just_reset.shape == (2, 24)


def test_fork_copies_a_walker_into_the_other_envs(make_pool):
    pool = make_pool("BipedalWalkerHardcore-v3", num_envs=4, seed=3)
    pool.reset()
    run(pool, _actions(pool, 70))
    pool.fork(2, [0, 1, 3])
    same = np.repeat(_actions(pool, 300, seed=4)[:, :1], 4, axis=1)
    for row in run(pool, same):
        for values in row:
            for env in (0, 1, 3):
                np.testing.assert_array_equal(values[env], values[2])


@pytest.mark.parametrize(
    ("task_id", "options"),
    [
        ("BipedalWalkerHardcore-v3", {"max_episode_steps": 150}),
        ("CarRacing-v3", {"max_episode_steps": 60}),
    ],
)
def test_box2d_snapshots_continue_exactly_in_another_process(task_id, options):
    steps = 1000 if task_id.startswith("Bipedal") else 150
    assert_continues_in_another_process(task_id, options, warmup=170, steps=steps, beyond=1.2)


def test_a_corrupt_box2d_snapshot_is_refused(make_pool):
    pool = make_pool("LunarLander-v3", num_envs=2, seed=0)
    pool.reset()
    run(pool, _actions(pool, 5))
    snapshots = pool.snapshot()
    with pytest.raises(ValueError, match="truncated or corrupt"):
        pool.restore([snapshots[0][:-3], snapshots[1]])
