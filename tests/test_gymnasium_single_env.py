"""`gymnasium.make("envfleet/<id>")`: one env on the engine with Gymnasium's single-env API, and
`gymnasium.make_vec` with the "sync" and "async" modes built from it."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import envfleet
from envfleet.single_env import SingleEnv

STEPS = 300


def actions(space: gymnasium.Space, count: int) -> list:
    space.seed(0)
    return [space.sample() for _ in range(count)]


@pytest.mark.parametrize("task_id", ["CartPole-v1", "Pendulum-v1", "Pong-v5", "Hopper-v5"])
def test_make_gives_a_gymnasium_env_with_the_reference_spaces(task_id: str) -> None:
    env = gymnasium.make(f"envfleet/{task_id}")
    assert isinstance(env, gymnasium.Env) and not isinstance(env, gymnasium.vector.VectorEnv)
    assert isinstance(env.unwrapped, SingleEnv)
    spec = envfleet.make_spec(task_id)
    assert env.observation_space == spec.observation_space
    assert env.action_space == spec.action_space
    env.close()


# The checker's advice on unbounded or asymmetric Box spaces: Gymnasium's own envs get it too.
@pytest.mark.filterwarnings("ignore:.*WARN. (A Box observation|For Box action):UserWarning")
@pytest.mark.parametrize("task_id", ["CartPole-v1", "Pendulum-v1"])
def test_gymnasium_env_checker_passes(task_id: str) -> None:
    env = gymnasium.make(f"envfleet/{task_id}")
    check_env(env.unwrapped, skip_render_check=True)
    env.close()


@pytest.mark.parametrize("task_id", ["CartPole-v1", "Pendulum-v1", "Hopper-v5"])
def test_steps_are_row_0_of_a_one_env_pool(task_id: str) -> None:
    # The same engine: a single env and a pool of one, same seed and actions, are bit-identical
    # step by step, resetting (the single env by hand) where an episode ends.
    env = gymnasium.make(f"envfleet/{task_id}")
    pool = envfleet.make_gymnasium(task_id, num_envs=1, autoreset_mode="same_step")
    obs, info = env.reset(seed=7)
    pool_obs, pool_info = pool.reset(seed=7)
    np.testing.assert_array_equal(obs, pool_obs[0])
    assert info["env_id"] == 0
    for action in actions(env.action_space, STEPS):
        obs, reward, terminated, truncated, info = env.step(action)
        pool_obs, pool_reward, pool_term, pool_trunc, pool_info = pool.step(np.asarray([action]))
        assert isinstance(reward, float) and type(terminated) is bool and type(truncated) is bool
        assert (reward, terminated, truncated) == (
            float(pool_reward[0]),
            bool(pool_term[0]),
            bool(pool_trunc[0]),
        )
        if terminated or truncated:
            np.testing.assert_array_equal(obs, pool_info["final_obs"][0])
            assert info["elapsed_step"] == pool_info["final_info"]["elapsed_step"][0]
            obs, info = env.reset()
        assert info["elapsed_step"] == pool_info["elapsed_step"][0]
        np.testing.assert_array_equal(obs, pool_obs[0])
    env.close()
    pool.close()


def test_an_episode_truncates_at_the_task_limit_and_then_needs_a_reset() -> None:
    env = gymnasium.make("envfleet/Pendulum-v1")
    env.reset(seed=0)
    limit = envfleet.make_spec("Pendulum-v1").max_episode_steps
    flags = [env.step(np.zeros(1, np.float32))[2:4] for _ in range(limit)]
    assert flags == [(False, False)] * (limit - 1) + [(False, True)]
    with pytest.raises(RuntimeError, match="episode has ended and autoreset is disabled"):
        env.step(np.zeros(1, np.float32))
    env.reset()
    assert env.step(np.zeros(1, np.float32))[2:4] == (False, False)
    env.close()


def test_pool_keywords_are_refused_with_the_way_to_a_pool() -> None:
    with pytest.raises(TypeError) as raised:
        gymnasium.make("envfleet/CartPole-v1", num_envs=4)
    # Gymnasium adds the kwargs it passed after the message.
    assert str(raised.value).startswith(
        "gymnasium.make('envfleet/CartPole-v1') makes one env and takes no pool keywords "
        "(num_envs); use gymnasium.make_vec or envfleet.make_gymnasium"
    )


def test_task_options_and_render_mode_pass_through() -> None:
    env = gymnasium.make("envfleet/Pong-v5", render_mode="rgb_array", img_height=42)
    obs, _ = env.reset(seed=0)
    assert obs.shape == (4, 42, 84)
    picture = env.render()
    pool = envfleet.make_gymnasium("Pong-v5", num_envs=1, img_height=42)
    pool.reset(seed=0)
    np.testing.assert_array_equal(picture, pool.render()[0])
    env.close()
    pool.close()


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_make_vec_sync_and_async_step_the_single_envs(mode: str) -> None:
    # Gymnasium's vector envs seed env i with seed + i: each row is that single env's.
    vec = gymnasium.make_vec("envfleet/CartPole-v1", num_envs=2, vectorization_mode=mode)
    singles = [gymnasium.make("envfleet/CartPole-v1") for _ in range(2)]
    obs, _ = vec.reset(seed=3)
    for i, single in enumerate(singles):
        np.testing.assert_array_equal(obs[i], single.reset(seed=3 + i)[0])
    for action in actions(vec.single_action_space, 5):
        obs, *_ = vec.step(np.array([action, action]))
        for i, single in enumerate(singles):
            np.testing.assert_array_equal(obs[i], single.step(action)[0])
    vec.close()
    for single in singles:
        single.close()


def test_make_vec_default_mode_is_still_an_envfleet_pool() -> None:
    vec = gymnasium.make_vec("envfleet/CartPole-v1", num_envs=4)
    assert isinstance(vec, envfleet.gymnasium_pool.GymnasiumPool)
    vec.close()
