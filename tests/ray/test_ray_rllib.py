"""RLlib's PPO (new API stack) trains on `envfleet/CartPole-v1` with two env runners on a local
Ray cluster: each runner steps its own envfleet pool, seeded by RLlib per runner, and the
return improves."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("ray.rllib", reason="RLlib is not installed: pip install '.[ray]'")
pytest.importorskip("torch", reason="RLlib's PPO needs torch: pip install '.[ray]'")

from ray import cloudpickle
from ray.rllib.algorithms.ppo import PPOConfig

import envfleet
from envfleet.gymnasium_pool import GymnasiumPool

ENVS_PER_RUNNER = 4
RUNNERS = 2
SEED = 3
ITERATIONS = 4

# The callbacks and probes below run in the env runners: ship them by value, as this test
# module is not importable there.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _record_episode_start(episode, env_runner, env_index, **kwargs) -> None:
    """Keeps the first observation of each env's first episode, and counts episodes."""
    first = env_runner.__dict__.setdefault("envfleet_first_obs", {})
    first.setdefault(env_index, np.asarray(episode.get_observations(0)))


def _record_episode_end(env_runner, **kwargs) -> None:
    env_runner.envfleet_episodes = getattr(env_runner, "envfleet_episodes", 0) + 1


def _runner_report(env_runner) -> dict:
    """What one env runner stepped: its env, its seed, its episodes, its first observations."""
    first = getattr(env_runner, "envfleet_first_obs", {})
    return {
        "worker_index": env_runner.worker_index,
        "env_type": type(env_runner.env.unwrapped),
        "num_envs": env_runner.env.unwrapped.num_envs,
        "episodes": getattr(env_runner, "envfleet_episodes", 0),
        "first_obs": np.stack([first[i] for i in sorted(first)]),
    }


def test_ppo_trains_on_envfleet_pools_in_two_env_runners(ray_cluster):
    config = (
        PPOConfig()
        .environment("envfleet/CartPole-v1")
        .env_runners(
            num_env_runners=RUNNERS,
            num_envs_per_env_runner=ENVS_PER_RUNNER,
            gym_env_vectorize_mode="vector_entry_point",
        )
        .training(train_batch_size_per_learner=1000, minibatch_size=250, num_epochs=6, lr=0.001)
        .callbacks(on_episode_start=_record_episode_start, on_episode_end=_record_episode_end)
        .debugging(seed=SEED)
    )
    algo = config.build_algo()
    try:
        returns = [algo.train()["env_runners"]["episode_return_mean"] for _ in range(ITERATIONS)]
        reports = algo.env_runner_group.foreach_env_runner(_runner_report, local_env_runner=False)
    finally:
        algo.stop()

    assert sorted(report["worker_index"] for report in reports) == [1, 2]
    for report in reports:
        assert report["env_type"] is GymnasiumPool
        assert report["num_envs"] == ENVS_PER_RUNNER
        assert report["episodes"] > 0
        # RLlib reseeds runner w with seed + w at its first reset: the runner's first
        # observations are those of an envfleet pool reset with that seed.
        reference = envfleet.make_gymnasium("CartPole-v1", num_envs=ENVS_PER_RUNNER)
        expected, _ = reference.reset(seed=SEED + report["worker_index"])
        reference.close()
        np.testing.assert_array_equal(report["first_obs"], expected)
    assert not np.array_equal(reports[0]["first_obs"], reports[1]["first_obs"])
    print("episode_return_mean per iteration:", returns)
    assert returns[-1] > 1.5 * returns[0]
