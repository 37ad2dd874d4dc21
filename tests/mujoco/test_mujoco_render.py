"""MuJoCo pictures against Gymnasium's render() on the same state, and the rendering keywords.

envfleet renders with MuJoCo's own renderer on a headless EGL context it makes in C++, one per
rendering thread; Gymnasium renders with the same renderer through MuJoCo's Python bindings
(MUJOCO_GL=egl, set by conftest.py before Gymnasium makes its context). Both draw the same scene
with the same OpenGL implementation (here Mesa's llvmpipe), so pictures are compared exactly
(tolerance zero). Each test keeps a Gymnasium twin per env with the env's state copied in, and
compares after a reset and after steps with the same actions (the physics is aligned bit for bit:
test_mujoco_alignment.py).
"""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import envfleet

SIZE = {"width": 96, "height": 64}
NUM_ENVS = 2
NUM_STEPS = 4

# Tasks with the model's "track" camera (HalfCheetah, Hopper) and with the free camera set up by
# their DEFAULT_CAMERA_CONFIG (InvertedPendulum, Reacher, Pusher), v4 and v5.
CASES = [
    ("HalfCheetah-v5", {}),
    ("Hopper-v4", {}),
    ("InvertedPendulum-v5", {}),
    ("Reacher-v5", {}),
    ("Pusher-v5", {}),
    ("HalfCheetah-v5", {"camera_id": -1}),
    ("Ant-v5", {"camera_name": "track"}),
    ("InvertedPendulum-v5", {"default_camera_config": {"distance": 3.0, "elevation": -10.0}}),
    ("Hopper-v5", {"camera_id": -1, "default_camera_config": {"lookat": np.array([0, 0, 0.5])}}),
]


def _case_id(case):
    task_id, options = case
    return task_id + "".join(f"-{name}" for name in options)


def _assert_pictures_equal(pictures, twins, where):
    for env_id, twin in enumerate(twins):
        expected = twin.render()
        differing = int(np.any(pictures[env_id] != expected, axis=-1).sum())
        assert differing == 0, f"{where} env {env_id}: {differing} of {expected.size // 3} differ"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_pictures_match_gymnasium(make_pool, make_reference, load_state, case):
    task_id, options = case
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=0, render_mode="rgb_array", **SIZE, **options)
    twins = [make_reference(task_id, render_mode="rgb_array", **SIZE, **options) for _ in range(2)]
    pool.reset()
    state = pool.get_state()
    for env_id, twin in enumerate(twins):
        load_state(twin, state["qpos"][env_id], state["qvel"][env_id])
    _assert_pictures_equal(pool.render(), twins, f"{task_id} reset")

    rng = np.random.default_rng(0)
    space = pool.single_action_space
    for step in range(NUM_STEPS):
        actions = rng.uniform(space.low, space.high, (NUM_ENVS, *space.shape)).astype(np.float32)
        pool.step(actions)
        for env_id, twin in enumerate(twins):
            twin.step(actions[env_id])
        _assert_pictures_equal(pool.render(), twins, f"{task_id} step {step}")


def test_spec_sizes_and_frame_rate(make_pool, make_reference):
    pool = make_pool("HalfCheetah-v5", num_envs=1, width=120, height=80)
    assert pool.envfleet_spec.render_shape == (80, 120, 3)
    reference = make_reference("HalfCheetah-v5")
    assert pool.metadata["render_fps"] == reference.metadata["render_fps"]
    assert envfleet.make_spec("HalfCheetah-v5").render_shape == (480, 480, 3)


@pytest.mark.parametrize("num_threads", [1, 2])
def test_threads_give_the_same_pictures(make_pool, num_threads):
    """Each rendering thread has its own GL context; where an env is drawn changes nothing."""
    one = make_pool("Hopper-v5", num_envs=4, seed=1, num_threads=1, **SIZE)
    many = make_pool("Hopper-v5", num_envs=4, seed=1, num_threads=num_threads, **SIZE)
    one.reset()
    many.reset()
    for _ in range(3):
        actions = np.full((4, 3), 0.5, dtype=np.float32)
        one.step(actions)
        many.step(actions)
        np.testing.assert_array_equal(many.render(), one.render())


def test_bad_rendering_options_raise(make_pool):
    with pytest.raises(ValueError, match="either camera_id or camera_name"):
        make_pool("HalfCheetah-v5", camera_id=0, camera_name="track")
    with pytest.raises(ValueError, match="camera_id 5"):
        make_pool("HalfCheetah-v5", camera_id=5)
    with pytest.raises(ValueError, match="unknown camera attribute 'zoom'"):
        make_pool("HalfCheetah-v5", default_camera_config={"zoom": 2.0})
    with pytest.raises(ValueError, match="'lookat' takes 3"):
        make_pool("HalfCheetah-v5", default_camera_config={"lookat": [0.0, 1.0]})
    with pytest.raises(ValueError, match="width and height"):
        make_pool("HalfCheetah-v5", width=0)


@pytest.mark.parametrize(
    ("platform", "message"),
    [("osmesa", "libOSMesa"), ("glfw", "MUJOCO_GL=glfw: envfleet renders headless")],
)
def test_a_platform_that_cannot_render_says_why_and_the_rest_works(platform, message):
    """OSMesa is not installed on this machine kind; glfw needs a window. Stepping still works."""
    code = (
        "import numpy as np, envfleet\n"
        "pool = envfleet.make_gymnasium('HalfCheetah-v5', num_envs=2, seed=0)\n"
        "pool.reset()\n"
        "pool.step(np.zeros((2, 6), dtype=np.float32))\n"
        "try:\n"
        "    pool.render()\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    env = dict(os.environ, MUJOCO_GL=platform)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert message in out.stdout
