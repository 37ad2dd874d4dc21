"""The dm_env pool: dm_env's own EnvironmentTestMixin run on each env of a batch, and an
ACME-style environment loop over batched TimeSteps.

dm_env's contract is for one environment: `OneEnvOfBatch` presents env i of a pool as a
`dm_env.Environment` (its row of each batched TimeStep; reward and discount None on FIRST steps,
as dm_env requires) by stepping the pool with `env_id=[i]`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import dm_env
import numpy as np
import pytest
from absl.testing import absltest
from dm_env import specs, test_utils

import envfleet

POOL_SIZE = 3


class OneEnvOfBatch(dm_env.Environment):
    """Env `index` of an envfleet dm_env pool, as a single dm_env.Environment."""

    def __init__(self, pool: Any, index: int) -> None:
        self.pool = pool
        self.index = index
        self.started = False

    def reset(self) -> dm_env.TimeStep:
        self.started = True
        return self._row(self.pool.reset(env_id=[self.index]))

    def step(self, action: Any) -> dm_env.TimeStep:
        if not self.started:  # dm_env: stepping a fresh environment starts an episode
            return self.reset()
        return self._row(self.pool.step(np.asarray(action)[None], env_id=[self.index]))

    def observation_spec(self) -> Any:
        return self.pool.observation_spec()

    def action_spec(self) -> specs.Array:
        return self.pool.action_spec()

    def reward_spec(self) -> specs.Array:
        return self.pool.reward_spec()

    def discount_spec(self) -> specs.BoundedArray:
        return self.pool.discount_spec()

    def close(self) -> None:
        self.pool.close()

    @staticmethod
    def _row(batch: dm_env.TimeStep) -> dm_env.TimeStep:
        step_type = dm_env.StepType(int(batch.step_type[0]))
        first = step_type is dm_env.StepType.FIRST
        return dm_env.TimeStep(
            step_type=step_type,
            reward=None if first else batch.reward[0],
            discount=None if first else batch.discount[0],
            observation=type(batch.observation)(*(field[0] for field in batch.observation)),
        )


def random_actions(spec: specs.Array, count: int, seed: int) -> list[np.ndarray]:
    """`count` actions within `spec` (a DiscreteArray or a BoundedArray)."""
    rng = np.random.default_rng(seed)
    if isinstance(spec, specs.DiscreteArray):
        return [np.asarray(rng.integers(spec.num_values), dtype=spec.dtype) for _ in range(count)]
    return [rng.uniform(spec.minimum, spec.maximum).astype(spec.dtype) for _ in range(count)]


class _PoolEnvTest(test_utils.EnvironmentTestMixin):
    """dm_env's conformance tests on env INDEX of a POOL_SIZE pool of TASK with OPTIONS."""

    TASK = ""
    OPTIONS: ClassVar[dict[str, Any]] = {}
    INDEX = 0

    def make_object_under_test(self) -> OneEnvOfBatch:
        pool = envfleet.make_dm(self.TASK, num_envs=POOL_SIZE, seed=1, **self.OPTIONS)
        return OneEnvOfBatch(pool, self.INDEX)

    def make_action_sequence(self):
        # Long enough for every case below to reach the end of an episode.
        yield from random_actions(self.environment.action_spec(), 40, seed=self.INDEX)

    def test_an_episode_ends_within_the_action_sequence(self):
        self.reset_environment()
        steps = [self.step_environment(a) for a in self.make_action_sequence()]
        assert any(step.last() for step in steps)


class CartPoleFirstEnvTest(_PoolEnvTest, absltest.TestCase):
    TASK, OPTIONS, INDEX = "CartPole-v1", {}, 0


class CountingLastEnvTest(_PoolEnvTest, absltest.TestCase):
    TASK, OPTIONS, INDEX = "Counting-v0", {"episode_length": 3}, POOL_SIZE - 1


class PongTruncatedEnvTest(_PoolEnvTest, absltest.TestCase):
    TASK, OPTIONS, INDEX = "Pong-v5", {"max_episode_steps": 15}, 1


class HalfCheetahTruncatedEnvTest(_PoolEnvTest, absltest.TestCase):
    TASK, OPTIONS, INDEX = "HalfCheetah-v5", {"max_episode_steps": 15}, 1


@pytest.mark.parametrize("task_id", ["CartPole-v1", "Pendulum-v1", "Pong-v5", "HalfCheetah-v5"])
def test_acme_style_loop_over_batched_timesteps(task_id, make_pool):
    """An actor/environment loop as ACME runs it, over all envs at once; per-env episode returns
    and lengths are checked against a Gymnasium pool of the same task and seed, stepped with the
    same actions."""
    env = envfleet.make_dm(task_id, num_envs=POOL_SIZE, seed=2, max_episode_steps=20)
    twin = make_pool(task_id, num_envs=POOL_SIZE, seed=2, max_episode_steps=20)
    actions = random_actions(env.action_spec(), 50, seed=0)
    episode_return = np.zeros(POOL_SIZE)
    episode_length = np.zeros(POOL_SIZE, dtype=int)
    finished: list[tuple[int, float, int]] = []
    timestep = env.reset()
    twin.reset()
    twin_returns, twin_lengths = np.zeros(POOL_SIZE), np.zeros(POOL_SIZE, dtype=int)
    twin_finished: list[tuple[int, float, int]] = []
    for action in actions:
        batch = np.stack([action] * POOL_SIZE)
        timestep = env.step(batch)
        _, reward, terminated, truncated, _ = twin.step(batch)
        first = timestep.step_type == dm_env.StepType.FIRST
        episode_return = np.where(first, 0.0, episode_return + timestep.reward)
        episode_length = np.where(first, 0, episode_length + 1)
        for i in np.flatnonzero(timestep.step_type == dm_env.StepType.LAST):
            finished.append((int(i), float(episode_return[i]), int(episode_length[i])))
            # dm_env's discount: 0 where the episode terminated, 1 at a time limit.
            assert timestep.discount[i] == (0.0 if terminated[i] else 1.0)
        twin_returns += reward
        twin_lengths += 1
        for i in np.flatnonzero(terminated | truncated):
            twin_finished.append((int(i), float(twin_returns[i]), int(twin_lengths[i])))
            twin_returns[i], twin_lengths[i] = 0.0, -1  # the autoreset step is not counted
    env.close()
    assert len(finished) >= POOL_SIZE
    assert finished == twin_finished
