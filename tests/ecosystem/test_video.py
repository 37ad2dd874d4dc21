"""Videos of every family that renders: Gymnasium's vector RecordVideo and SB3's VecVideoRecorder.

Each test records a short video of a pool, decodes it and checks its size (the recorders tile the
envs' pictures: Gymnasium side by side, SB3 in a grid) and each decoded frame against the pool's
own pictures of that moment, tiled the same way. H.264 is lossy, so frames are compared by their
mean absolute difference (under 8 of 255), not exactly; the pictures themselves are checked
exactly against the reference envs in each family's render tests. Decoding may drop the last frame
of a clip (its duration is rounded to the frame rate), so a video holds all its frames or all but
the last.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import gymnasium
import imageio.v3 as iio
import numpy as np
import pytest
from gymnasium.wrappers import vector as vw
from stable_baselines3.common.vec_env import VecVideoRecorder
from stable_baselines3.common.vec_env.base_vec_env import tile_images

import envfleet

pytestmark = pytest.mark.slow  # records videos with Gymnasium's and SB3's recorders

# One task per family, with a picture of each kind (Pendulum: the torque arrow), and the options
# that keep MuJoCo's pictures small.
VIDEO_TASKS = ["CartPole-v1", "Pendulum-v1", "Pong-v5", "HalfCheetah-v5"]
OPTIONS = {"HalfCheetah-v5": {"width": 128, "height": 96}}
NUM_ENVS = 2
FRAMES = 6
# The largest mean absolute difference of a decoded frame from the pictures it was made of.
H264_TOLERANCE = 8.0


def _decoded(folder: Path) -> np.ndarray:
    (video,) = folder.glob("*.mp4")
    return iio.imread(video)


def _side_by_side(pictures: np.ndarray) -> np.ndarray:
    return np.concatenate(list(pictures), axis=1)


def _assert_video_of(
    frames: np.ndarray, pictures: list[np.ndarray], tile: Callable[[np.ndarray], np.ndarray]
) -> None:
    """`frames` (decoded) show `pictures` (one (envs, h, w, 3) array per frame), tiled by `tile`."""
    assert len(pictures) - 1 <= len(frames) <= len(pictures)
    for frame, envs_pictures in zip(frames, pictures, strict=False):
        tiled = tile(envs_pictures).astype(float)
        assert frame.shape == tiled.shape
        assert np.abs(frame.astype(float) - tiled).mean() < H264_TOLERANCE


@pytest.mark.parametrize("task_id", VIDEO_TASKS)
def test_gymnasium_record_video(tmp_path, task_id):
    pool = gymnasium.make_vec(
        f"envfleet/{task_id}", num_envs=NUM_ENVS, seed=0, **OPTIONS.get(task_id, {})
    )
    env = vw.RecordVideo(
        pool,
        video_folder=str(tmp_path),
        episode_trigger=lambda episode: episode == 0,
        video_length=FRAMES,
    )
    env.reset(seed=0)
    env.action_space.seed(0)
    pictures = [pool.render()]
    for _ in range(FRAMES - 1):
        env.step(env.action_space.sample())
        pictures.append(pool.render())
    env.close()
    # One frame per reset and step, the envs side by side.
    _assert_video_of(_decoded(tmp_path), pictures, _side_by_side)


@pytest.mark.parametrize("task_id", VIDEO_TASKS)
def test_sb3_vec_video_recorder(tmp_path, task_id):
    venv = envfleet.make_sb3(task_id, num_envs=NUM_ENVS, seed=0, **OPTIONS.get(task_id, {}))
    env = VecVideoRecorder(
        venv, str(tmp_path), record_video_trigger=lambda step: step == 0, video_length=FRAMES
    )
    env.reset()
    pictures = [venv.pool.render()]
    for _ in range(FRAMES - 1):
        env.step(np.array([venv.action_space.sample() for _ in range(NUM_ENVS)]))
        pictures.append(venv.pool.render())
    env.close()
    # One frame per reset and step, the envs in SB3's grid (two envs: one above the other).
    _assert_video_of(_decoded(tmp_path), pictures, lambda envs: tile_images(list(envs)))
