"""Gymnasium's vector wrappers over one env of each family, made with `gymnasium.make_vec`.

Each wrapped pool runs beside a twin: an unwrapped pool of the same task and seed, stepped with
the same actions. What the wrapper returns is checked against what it must have made of the
twin's results.
"""

from __future__ import annotations

import gymnasium
import imageio.v3 as iio
import numpy as np
import pytest
from gymnasium.wrappers import vector as vw

import envfleet

# One task per family; Pendulum for classic control's Box actions.
FAMILY_TASKS = ["CartPole-v1", "Pendulum-v1", "Pong-v5", "HalfCheetah-v5"]
BOX_ACTION_TASKS = ["Pendulum-v1", "HalfCheetah-v5"]
NUM_ENVS = 2
# Short episodes, so that every test sees episodes end.
LIMIT = 12


@pytest.fixture
def make_twins():
    """make_twins(task_id): (a `gymnasium.make_vec` pool, an envfleet pool), same task and seed."""
    pools = []

    def make(task_id):
        made = gymnasium.make_vec(
            f"envfleet/{task_id}", num_envs=NUM_ENVS, seed=5, max_episode_steps=LIMIT
        )
        twin = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=5, max_episode_steps=LIMIT)
        pools.extend([made, twin])
        return made, twin

    yield make
    for pool in pools:
        pool.close()


def actions_of(space, steps):
    """`steps` batched actions drawn from a seeded copy of `space`."""
    space.seed(0)
    return [space.sample() for _ in range(steps)]


@pytest.mark.parametrize("task_id", FAMILY_TASKS)
def test_make_vec_gives_the_envfleet_pool(make_twins, task_id):
    made, twin = make_twins(task_id)
    assert isinstance(made, envfleet.gymnasium_pool.GymnasiumPool)
    np.testing.assert_array_equal(made.reset()[0], twin.reset()[0])
    for actions in actions_of(made.action_space, 5):
        np.testing.assert_array_equal(made.step(actions)[0], twin.step(actions)[0])


@pytest.mark.parametrize("task_id", FAMILY_TASKS)
def test_record_episode_statistics(make_twins, task_id):
    made, twin = make_twins(task_id)
    env = vw.RecordEpisodeStatistics(made)
    env.reset()
    twin.reset()
    returns = np.zeros(NUM_ENVS)
    episodes = 0
    for actions in actions_of(env.action_space, 2 * LIMIT + 1):
        _, reward, terminated, truncated, info = env.step(actions)
        returns += twin.step(actions)[1]
        done = terminated | truncated
        if done.any():
            np.testing.assert_array_equal(info["_episode"], done)
            np.testing.assert_allclose(info["episode"]["r"][done], returns[done], rtol=1e-6)
            assert (info["episode"]["l"][done] <= LIMIT).all()
            returns[done] = 0
            episodes += int(done.sum())
    assert episodes >= NUM_ENVS


@pytest.mark.parametrize("task_id", FAMILY_TASKS)
def test_normalize_observation_and_reward(make_twins, task_id):
    made, twin = make_twins(task_id)
    env = vw.NormalizeReward(vw.NormalizeObservation(made), gamma=0.9)
    obs_rms, return_rms = env.env.obs_rms, env.return_rms
    env.reset()
    twin.reset()
    for actions in actions_of(env.action_space, LIMIT + 3):
        obs, reward, *_ = env.step(actions)
        raw_obs, raw_reward, *_ = twin.step(actions)
        expected = (raw_obs - obs_rms.mean) / np.sqrt(obs_rms.var + env.env.epsilon)
        np.testing.assert_allclose(obs, expected.astype(obs.dtype), rtol=1e-5, atol=1e-5)
        expected_reward = raw_reward / np.sqrt(return_rms.var + env.epsilon)
        np.testing.assert_allclose(reward, expected_reward, rtol=1e-6)
    assert obs_rms.count > LIMIT * NUM_ENVS


@pytest.mark.filterwarnings("ignore:.*precision lowered:UserWarning")
@pytest.mark.parametrize("task_id", BOX_ACTION_TASKS)
def test_clip_and_rescale_action(make_twins, task_id):
    made, twin = make_twins(task_id)
    low, high = twin.single_action_space.low, twin.single_action_space.high
    env = vw.ClipAction(vw.RescaleAction(made, min_action=-0.5, max_action=0.5))
    env.reset()
    twin.reset()
    rng = np.random.default_rng(0)
    for _ in range(LIMIT + 3):
        actions = rng.uniform(-1.0, 1.0, size=env.action_space.shape).astype(np.float32)
        # ClipAction clips to [-0.5, 0.5], RescaleAction maps that onto [low, high].
        clipped = np.clip(actions, -0.5, 0.5)
        rescaled = low + (clipped + 0.5) * (high - low)
        obs, *_ = env.step(actions)
        # The wrappers round the rescaled action differently in the last bit.
        twin_obs = twin.step(rescaled.astype(np.float32))[0]
        np.testing.assert_allclose(obs, twin_obs, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("task_id", FAMILY_TASKS)
def test_transform_observation(make_twins, task_id):
    made, twin = make_twins(task_id)
    space = made.single_observation_space
    scaled = gymnasium.spaces.Box(-np.inf, np.inf, space.shape, np.float32)
    env = vw.TransformObservation(
        made,
        func=lambda obs: obs.astype(np.float32) * 0.5,
        observation_space=gymnasium.vector.utils.batch_space(scaled, NUM_ENVS),
        single_observation_space=scaled,
    )
    np.testing.assert_array_equal(env.reset()[0], twin.reset()[0].astype(np.float32) * 0.5)
    for actions in actions_of(env.action_space, LIMIT + 3):
        obs, *_ = env.step(actions)
        np.testing.assert_array_equal(obs, twin.step(actions)[0].astype(np.float32) * 0.5)


@pytest.mark.parametrize("task_id", FAMILY_TASKS)
def test_dict_info_to_list(make_twins, task_id):
    made, twin = make_twins(task_id)
    env = vw.DictInfoToList(made)
    _, infos = env.reset()
    twin.reset()
    for actions in actions_of(env.action_space, LIMIT + 1):
        *_, infos = env.step(actions)
        *_, info = twin.step(actions)
        assert isinstance(infos, list) and len(infos) == NUM_ENVS
        for i, row in enumerate(infos):
            assert row.keys() == info.keys()
            for key, values in info.items():
                np.testing.assert_array_equal(row[key], values[i])


def test_record_video_of_an_atari_pool(tmp_path):
    env = vw.RecordVideo(
        gymnasium.make_vec("envfleet/Pong-v5", num_envs=NUM_ENVS, seed=0),
        video_folder=str(tmp_path / "videos"),
        episode_trigger=lambda episode: episode == 0,
        video_length=8,
    )
    env.reset(seed=0)
    pictures = [np.stack(env.env.render())]
    for actions in actions_of(env.action_space, 7):
        env.step(actions)
        pictures.append(np.stack(env.env.render()))
    env.close()
    (video,) = (tmp_path / "videos").glob("*.mp4")
    frames = iio.imread(video)
    # Two 210x160 pictures side by side, 8 frames, at the spec's 15 frames/s.
    assert frames.shape == (8, 210, 320, 3)
    # H.264 is lossy: the decoded frames are close to the pool's pictures, not equal.
    tiled = np.concatenate([pictures[-1][0], pictures[-1][1]], axis=1).astype(float)
    assert np.abs(frames[-1].astype(float) - tiled).mean() < 8.0


@pytest.mark.parametrize("task_id", ["Counting-v0"])
def test_record_video_refuses_a_task_that_cannot_render(task_id):
    pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS)
    # What RecordVideo (and every Gymnasium wrapper) reads to know that the pool cannot render.
    assert pool.render_mode is None and pool.metadata["render_modes"] == []
    with pytest.raises(ValueError, match="render") as raised:
        vw.RecordVideo(pool, video_folder="videos")
    # Gymnasium's RecordVideo refuses in __init__ before it sets `recorded_frames`, which its
    # __del__ reads: the half-made wrapper (the `self` of the refusing frame) gets the empty list
    # a made one starts with, so that collecting it raises nothing.
    refusal = next(entry for entry in reversed(raised.traceback) if entry.name == "__init__")
    refusal.frame.f_locals["self"].recorded_frames = []
    pool.close()
