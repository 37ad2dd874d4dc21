"""An envfleet Gymnasium pool as Tianshou's vector env, driven by Tianshou's own Collector.

Tianshou steps the ready envs with `step(actions, env_id)` and resets the finished ones with
`reset(env_id=...)`; the pool's default NEXT_STEP mode never autoresets an env that was reset
explicitly, so every collected transition is a real one.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from tianshou.algorithm.algorithm_base import Policy
from tianshou.data import Batch, Collector, VectorReplayBuffer

NUM_ENVS = 4


class CountingPolicy(Policy):
    """Plays action (steps so far) mod 4 in Counting-v0: it depends on the observation."""

    def forward(self, batch: Any, state: Any = None, **kwargs: Any) -> Batch:
        return Batch(act=batch.obs[:, 0].astype(np.int64) % 4, state=state)


def test_collector_gets_exact_counting_episodes(make_counting):
    # Counting-v0: reward = steps so far, terminated at step 5: every episode returns 15.
    pool = make_counting(num_envs=NUM_ENVS, seed=0, episode_length=5)
    buffer = VectorReplayBuffer(1000, NUM_ENVS)
    collector = Collector(CountingPolicy(pool.single_action_space), pool, buffer)
    stats = collector.collect(n_step=400, reset_before_collect=True)
    assert stats.n_collected_steps == 400
    assert stats.n_collected_episodes == 400 // 5
    np.testing.assert_array_equal(stats.lens, np.full(80, 5))
    np.testing.assert_array_equal(stats.returns, np.full(80, 15.0))
    data = buffer.sample(0)[0]
    assert len(data) == 400
    np.testing.assert_array_equal(data.obs_next[:, 0], data.obs[:, 0] + 1)
    np.testing.assert_array_equal(data.obs_next[:, 1], data.act)
    np.testing.assert_array_equal(data.act, data.obs[:, 0] % 4)
    np.testing.assert_array_equal(data.terminated, data.obs_next[:, 0] == 5)
    np.testing.assert_array_equal(data.rew, data.obs_next[:, 0])
    # Each of the buffer's sub-buffers holds one env's transitions, as the info says.
    for env in range(NUM_ENVS):
        rows = buffer.buffers[env].sample(0)[0]
        np.testing.assert_array_equal(rows.info.env_id, np.full(100, env))


def test_collector_episode_statistics_on_cartpole(make_pool):
    pool = make_pool("CartPole-v1", num_envs=NUM_ENVS, seed=0)
    assert len(pool) == NUM_ENVS and not pool.is_async
    collector = Collector(
        CountingPolicy(pool.single_action_space), pool, VectorReplayBuffer(2000, NUM_ENVS)
    )
    # random=True: actions drawn from the pool's per-env action spaces, as Tianshou does.
    stats = collector.collect(n_episode=12, random=True, reset_before_collect=True)
    assert stats.n_collected_episodes == 12
    # CartPole pays 1 per step: each return is its episode's length, all within CartPole's limits.
    np.testing.assert_array_equal(stats.returns, stats.lens)
    assert stats.lens.min() >= 8 and stats.lens.max() <= 500
    assert stats.n_collected_steps == stats.lens.sum()


class ZeroTorquePolicy(Policy):
    """Applies no torque in Pendulum-v1."""

    def forward(self, batch: Any, state: Any = None, **kwargs: Any) -> Batch:
        return Batch(act=np.zeros((len(batch.obs), 1), dtype=np.float32), state=state)


def test_collector_with_box_actions_matches_the_pool_stepped_alone(make_pool):
    pool = make_pool("Pendulum-v1", num_envs=NUM_ENVS, seed=3)
    twin = make_pool("Pendulum-v1", num_envs=NUM_ENVS, seed=3)
    collector = Collector(
        ZeroTorquePolicy(pool.single_action_space), pool, VectorReplayBuffer(1000, NUM_ENVS)
    )
    stats = collector.collect(n_episode=NUM_ENVS, reset_before_collect=True)
    twin.reset()
    expected = np.zeros(NUM_ENVS)
    for _ in range(200):  # Pendulum's time limit
        expected += twin.step(np.zeros((NUM_ENVS, 1), dtype=np.float32))[1]
    np.testing.assert_array_equal(stats.lens, np.full(NUM_ENVS, 200))
    # All envs end on the same step; Tianshou lists them in env order.
    np.testing.assert_allclose(stats.returns, expected, rtol=1e-12)


def test_engine_episode_statistics_reach_the_replay_buffer(make_counting):
    # episode_stats=True: the engine's info["episode"] passes through Tianshou's collector into
    # the buffer, on the terminal transitions, equal to Tianshou's own episode statistics.
    pool = make_counting(num_envs=NUM_ENVS, seed=0, episode_length=5, episode_stats=True)
    buffer = VectorReplayBuffer(1000, NUM_ENVS)
    collector = Collector(CountingPolicy(pool.single_action_space), pool, buffer)
    stats = collector.collect(n_step=400, reset_before_collect=True)
    data = buffer.sample(0)[0]
    ended = data.info["_episode"].astype(bool)
    np.testing.assert_array_equal(ended, data.terminated)
    np.testing.assert_array_equal(data.info.episode.r[ended], stats.returns)
    np.testing.assert_array_equal(data.info.episode.l[ended], stats.lens)
    np.testing.assert_array_equal(data.info.episode.r[~ended], 0.0)
