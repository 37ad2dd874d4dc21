"""RLlib's PPO (new API stack) trains on `envfleet/CartPole-v1` with two env runners on a local
Ray cluster: each runner steps its own envfleet pool, seeded by RLlib per runner, and the
return improves. A creator registered with RLlib gives runners distinct streams unseeded."""

from __future__ import annotations

import sys

import numpy as np
import pytest

pytest.importorskip("ray.rllib", reason="RLlib is not installed: pip install '.[ray]'")
pytest.importorskip("torch", reason="RLlib's PPO needs torch: pip install '.[ray]'")

from ray import cloudpickle
from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.env.single_agent_env_runner import SingleAgentEnvRunner
from ray.tune.registry import register_env

import envfleet
from envfleet.gymnasium_pool import GymnasiumPool
from envfleet.ray import RLlibEnvCreator

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


# RLlib re-registers its own Gymnasium id for every runner it makes in this process.
@pytest.mark.filterwarnings("ignore:.*Overriding environment rllib-single-agent-env-v0")
def test_registered_creator_gives_each_runner_its_own_streams_without_a_seed(ray_cluster):
    register_env("envfleet-cartpole", RLlibEnvCreator("CartPole-v1", max_episode_steps=50))
    config = (
        PPOConfig()
        .environment("envfleet-cartpole")
        .env_runners(
            num_envs_per_env_runner=ENVS_PER_RUNNER, gym_env_vectorize_mode="vector_entry_point"
        )
    )
    first_obs = []
    for worker_index in (1, 2):
        runner = SingleAgentEnvRunner(config=config, worker_index=worker_index)
        try:
            pool = runner.env.unwrapped
            assert type(pool) is GymnasiumPool
            assert (pool.num_envs, pool.envfleet_spec.max_episode_steps) == (ENVS_PER_RUNNER, 50)
            episodes = runner.sample(num_episodes=ENVS_PER_RUNNER, random_actions=True)
            assert all(episode.is_done for episode in episodes)
            assert max(len(episode) for episode in episodes) <= 50
            first_obs.append(np.stack([episode.get_observations(0) for episode in episodes]))
        finally:
            runner.stop()
    assert not np.array_equal(first_obs[0], first_obs[1])


def test_creator_seed_and_options_reach_the_pool():
    creator = RLlibEnvCreator("CartPole-v1", seed=9)
    pool = creator({"num_envs": 3})
    reference = envfleet.make_gymnasium("CartPole-v1", num_envs=3, seed=9)
    np.testing.assert_array_equal(pool.reset()[0], reference.reset()[0])
    with pytest.raises(TypeError, match="unexpected keyword"):
        creator({"num_envs": 3, "no_such_option": 1})
    pool.close()
    reference.close()
