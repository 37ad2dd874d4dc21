"""snapshot() / restore() / fork(): whole envs saved as bytes and continued exactly.

The guarantee, per family: a pool steps a while, snapshots every env, and keeps stepping with
recorded actions; a second pool made with another seed (so nothing but the snapshot can make them
agree) restores the snapshots, after a trip through pickle, and steps with the same actions: every
observation, reward, flag, elapsed_step and episode statistic is identical, bit for bit, for 1000
steps, autoresets (which draw from the env's random stream) included. The same across processes
(a spawned interpreter restores pickled snapshots), and for forks (copies of one env stepped with
the same actions stay equal to it).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from snapshot_checks import (
    NUM_ENVS,
    assert_continues_in_another_process,
    assert_same,
    random_actions,
    run,
)

import envfleet

STEPS = 1000


def _check_continues_exactly(make_pool, task_id, warmup=40, **options):
    original = make_pool(task_id, num_envs=NUM_ENVS, seed=1, episode_stats=True, **options)
    copy = make_pool(task_id, num_envs=NUM_ENVS, seed=2, episode_stats=True, **options)
    actions = random_actions(original, warmup + STEPS)
    original.reset()
    run(original, actions[:warmup])
    snapshots = original.snapshot()
    assert len(snapshots) == NUM_ENVS and all(isinstance(s, bytes) for s in snapshots)
    reference = run(original, actions[warmup:])
    copy.reset()
    copy.restore(pickle.loads(pickle.dumps(snapshots)))
    assert_same(run(copy, actions[warmup:]), reference)
    # The original, restored from its own snapshots, repeats itself too.
    original.restore(snapshots)
    assert_same(run(original, actions[warmup:]), reference)
    return reference


CLASSIC_CONTROL = ["CartPole-v1", "Acrobot-v1", "MountainCar-v0", "Pendulum-v1"]
TOY_TEXT = ["FrozenLake-v1", "Taxi-v3", "CliffWalkingSlippery-v1", "Blackjack-v1"]
MUJOCO = ["HalfCheetah-v5", "Ant-v5", "Hopper-v5", "Humanoid-v5", "Reacher-v4", "Swimmer-v5"]
# Every Control Suite task the extension registers (tasks other branches add are covered too).
CONTROL_SUITE = list(envfleet.registry.families()["dm_control"])


@pytest.mark.slow  # 1000 steps per task after a restore
@pytest.mark.parametrize("task_id", [*CLASSIC_CONTROL, "MountainCarContinuous-v0"])
def test_classic_control_continues_exactly(make_pool, task_id):
    _check_continues_exactly(make_pool, task_id)


@pytest.mark.slow  # 1000 steps per task after a restore
@pytest.mark.parametrize("task_id", TOY_TEXT)
def test_toy_text_continues_exactly(make_pool, task_id):
    _check_continues_exactly(make_pool, task_id)


@pytest.mark.slow  # 1000 steps per task after a restore
@pytest.mark.parametrize("task_id", MUJOCO)
def test_mujoco_continues_exactly(make_pool, task_id):
    # Short time limits: the 1000 steps cross many resets, which draw the reset noise.
    _check_continues_exactly(make_pool, task_id, max_episode_steps=150)


@pytest.mark.slow  # 1000 steps per task after a restore
def test_atari_continues_exactly_with_sticky_actions(make_pool):
    # Pong-v5: sticky actions (p = 0.25) draw from the env's stream every frame.
    reference = _check_continues_exactly(make_pool, "Pong-v5", warmup=30)
    assert any(row[1].any() for row in reference)  # points were scored: the game moved


@pytest.mark.slow  # 1000 steps per task after a restore
def test_atari_episodic_life_continues_exactly(make_pool):
    # Breakout: lives lost, games over and new games, with their statistics, within the 1000.
    reference = _check_continues_exactly(
        make_pool,
        "Breakout-v5",
        warmup=30,
        episodic_life=True,
        reward_clip=True,
        max_episode_steps=400,
    )
    assert sum(row[2].sum() for row in reference) >= 3


@pytest.mark.slow  # 1000 steps per task after a restore
@pytest.mark.parametrize("task_id", CONTROL_SUITE)
def test_control_suite_continues_exactly(make_pool, task_id):
    # Each task's per-episode values (Reacher's and Finger's targets, Fish's, Point Mass's gains)
    # differ between the two pools' seeds; only the snapshot makes them agree. A short time limit
    # crosses resets within the 1000 steps (QuadrupedEscape's: fewer of them, each reset searches
    # its terrain for a free height, ~40 ms).
    time_limit = 8.0 if task_id == "QuadrupedEscape-v1" else 2.0
    _check_continues_exactly(
        make_pool, task_id, warmup=30, time_limit=time_limit, flat_observation=True
    )


def test_control_suite_snapshots_through_the_dm_env_pool():
    # The dm_env facade: a restored Reacher (target and all) repeats the original's TimeSteps.
    original = envfleet.make_dm("ReacherHard-v1", num_envs=NUM_ENVS, seed=1, time_limit=2.0)
    copy = envfleet.make_dm("ReacherHard-v1", num_envs=NUM_ENVS, seed=2, time_limit=2.0)
    try:
        rng = np.random.default_rng(0)
        actions = rng.uniform(-1, 1, (300, NUM_ENVS, 2))
        original.reset()
        for batch in actions[:20]:
            original.step(batch)
        snapshots = pickle.loads(pickle.dumps(original.snapshot()))
        copy.reset()
        copy.restore(snapshots)
        for batch in actions[20:]:
            want, got = original.step(batch), copy.step(batch)
            np.testing.assert_array_equal(got.step_type, want.step_type)
            np.testing.assert_array_equal(got.reward, want.reward)
            np.testing.assert_array_equal(got.discount, want.discount)
            for name in want.observation._fields:
                np.testing.assert_array_equal(
                    getattr(got.observation, name), getattr(want.observation, name)
                )
    finally:
        original.close()
        copy.close()


def test_restore_into_other_envs_and_a_subset(make_pool):
    source = make_pool("CartPole-v1", num_envs=4, seed=5)
    target = make_pool("CartPole-v1", num_envs=4, seed=6)
    source.reset()
    run(source, random_actions(source, 10))
    snapshots = source.snapshot([3, 0])
    actions = random_actions(source, 200, seed=1)[:, :2]
    reference = run(source, actions, env_id=[3, 0])
    # Env 3's snapshot into env 1, env 0's into env 2, of a pool never reset: they step.
    target.restore(snapshots, env_id=[1, 2])
    assert_same(run(target, actions, env_id=[1, 2]), reference)


def test_fork_copies_one_env_into_many(make_pool):
    pool = make_pool("Pong-v5", num_envs=4, seed=3)
    pool.reset()
    run(pool, random_actions(pool, 20))
    pool.fork(2, [0, 1, 3])
    same = np.full((300, 4), 3)  # the same action for every env, 300 steps
    for obs, reward, term, trunc, elapsed in run(pool, same):
        for env in (0, 1, 3):
            np.testing.assert_array_equal(obs[env], obs[2])
            assert reward[env] == reward[2] and elapsed[env] == elapsed[2]
            assert term[env] == term[2] and trunc[env] == trunc[2]


def test_async_pool_snapshots_envs_not_in_flight(make_pool):
    pool = make_pool("CartPole-v1", num_envs=4, batch_size=2, seed=0)
    pool.async_reset()
    _, _, _, _, info = pool.recv()
    done = info["env_id"]
    with pytest.raises(RuntimeError, match="in flight"):
        pool.snapshot()
    snapshots = pool.snapshot(done)
    pool.restore(snapshots[::-1], env_id=done)


@pytest.mark.slow  # 1000 steps per task after a restore
@pytest.mark.parametrize(
    ("task_id", "options"), [("Pong-v5", {}), ("HalfCheetah-v5", {"max_episode_steps": 100})]
)
def test_snapshots_continue_exactly_in_another_process(task_id, options):
    assert_continues_in_another_process(task_id, options, warmup=20, steps=STEPS)


def test_a_snapshot_of_another_task_or_options_is_refused_before_any_env_changes(make_pool):
    cartpole = make_pool("CartPole-v1", num_envs=2, seed=0)
    sutton = make_pool("CartPole-v1", num_envs=2, seed=0, sutton_barto_reward=True)
    acrobot = make_pool("Acrobot-v1", num_envs=2, seed=0)
    for pool in (cartpole, sutton, acrobot):
        pool.reset()
    snapshots = cartpole.snapshot()
    before = acrobot.get_state()["state"].copy()
    with pytest.raises(ValueError, match="of task 'CartPole-v1', this pool's is 'Acrobot-v1'"):
        acrobot.restore(snapshots)
    np.testing.assert_array_equal(acrobot.get_state()["state"], before)
    with pytest.raises(ValueError, match="sutton_barto_reward=False in the snapshot, True here"):
        sutton.restore(snapshots)
    # One bad snapshot among good ones changes none of the envs.
    state = sutton.get_state()["state"].copy()
    with pytest.raises(ValueError, match="snapshot 1 "):
        sutton.restore([sutton.snapshot([0])[0], snapshots[1]])
    np.testing.assert_array_equal(sutton.get_state()["state"], state)
    with pytest.raises(ValueError, match="not an envfleet snapshot"):
        cartpole.restore([b"junk", snapshots[1]])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        cartpole.restore([snapshots[0][:-3], snapshots[1]])
    with pytest.raises(ValueError, match="expected 2 snapshots"):
        cartpole.restore(snapshots[:1])
    with pytest.raises(TypeError, match="must be bytes"):
        cartpole.restore(["text", snapshots[1]])
    with pytest.raises(IndexError):
        cartpole.fork(5, [0])


def test_envs_without_snapshots_say_so(make_pool):
    # The test env without snapshots (every family's envs have them).
    pool = make_pool("Counting-v0", num_envs=1, snapshots=False)
    pool.reset()
    with pytest.raises(RuntimeError, match="does not support snapshots"):
        pool.snapshot()
