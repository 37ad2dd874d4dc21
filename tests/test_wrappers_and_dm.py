"""Gymnasium's vector wrappers on top of an envfleet pool, and the dm_env pool."""

from __future__ import annotations

import subprocess
import sys

import dm_env
import numpy as np
import pytest
from gymnasium.wrappers import vector as vw

import envfleet


@pytest.fixture
def cartpole():
    pool = envfleet.make_gymnasium("CartPole-v1", num_envs=4, seed=0)
    yield pool
    pool.close()


@pytest.fixture
def pendulum():
    pool = envfleet.make_gymnasium("Pendulum-v1", num_envs=4, seed=0)
    yield pool
    pool.close()


def run(env, steps=600):
    env.reset(seed=1)
    for _ in range(steps):
        result = env.step(env.action_space.sample())
    return result


def test_record_episode_statistics(cartpole):
    env = vw.RecordEpisodeStatistics(cartpole)
    episodes = 0
    env.reset(seed=1)
    for _ in range(300):
        *_, info = env.step(env.action_space.sample())
        if "episode" in info:
            done = info["_episode"]
            episodes += int(done.sum())
            assert (info["episode"]["r"][done] == info["episode"]["l"][done]).all()
    assert episodes > 0


def test_normalize_observation_and_reward(cartpole):
    env = vw.NormalizeReward(vw.NormalizeObservation(cartpole))
    obs, rew, *_ = run(env)
    assert obs.shape == (4, 4) and np.isfinite(obs).all() and np.isfinite(rew).all()
    assert abs(env.env.obs_rms.mean).max() < 1.0


def test_clip_and_rescale_action(pendulum):
    env = vw.ClipAction(vw.RescaleAction(pendulum, min_action=-1.0, max_action=1.0))
    obs, *_ = run(env, steps=50)
    assert obs.shape == (4, 3)


def test_dict_info_to_list(cartpole):
    env = vw.DictInfoToList(cartpole)
    _, infos = env.reset(seed=0)
    assert isinstance(infos, list) and len(infos) == 4
    assert [info["env_id"] for info in infos] == [0, 1, 2, 3]
    *_, infos = env.step(env.action_space.sample())
    assert all(info["elapsed_step"] == 1 for info in infos)


def test_dm_pool_timesteps_and_specs():
    env = envfleet.make_dm("CartPole-v1", num_envs=3, seed=0)
    try:
        assert env.action_spec().num_values == 2
        assert env.observation_spec().obs.shape == (4,)
        ts = env.reset()
        assert (ts.step_type == dm_env.StepType.FIRST).all()
        np.testing.assert_array_equal(ts.observation.env_id, [0, 1, 2])
        saw_last = False
        for _ in range(200):
            ts = env.step(np.ones(3, dtype=np.int64))
            assert ts.observation.obs.shape == (3, 4)
            last = ts.step_type == dm_env.StepType.LAST
            # CartPole ends by termination here: discount 0 exactly where the episode ended.
            np.testing.assert_array_equal(ts.discount[last], 0.0)
            np.testing.assert_array_equal(ts.discount[~last], 1.0)
            saw_last |= last.any()
        assert saw_last
    finally:
        env.close()


def test_dm_truncation_keeps_discount_one():
    env = envfleet.make(
        "Counting-v0", env_type="dm", num_envs=1, episode_length=10, max_episode_steps=2
    )
    try:
        env.reset()
        env.step(np.zeros(1, dtype=np.int64))
        ts = env.step(np.zeros(1, dtype=np.int64))
        assert ts.step_type[0] == dm_env.StepType.LAST and ts.discount[0] == 1.0
        ts = env.step(np.zeros(1, dtype=np.int64))
        assert ts.step_type[0] == dm_env.StepType.FIRST
    finally:
        env.close()


def test_make_dispatches_on_env_type():
    with pytest.raises(ValueError, match="env_type"):
        envfleet.make("CartPole-v1", env_type="torch")
    pool = envfleet.make("CartPole-v1", env_type="gym", num_envs=2)
    assert isinstance(pool, envfleet.gymnasium_pool.GymnasiumPool)
    pool.close()


def test_import_loads_no_extension():
    # Importing envfleet loads no family module (import time itself is in benchmarks/suite.py).
    code = "import sys, envfleet; print(any(m.startswith('envfleet._') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
