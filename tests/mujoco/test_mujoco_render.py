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

import ctypes
import os
import subprocess
import sys

import gymnasium
import numpy as np
import pytest
from gymnasium.wrappers import AddRenderObservation, FrameStackObservation

import envfleet

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

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


_RENDER_IN_A_PROCESS = (
    "import sys, numpy as np, envfleet\n"
    "pool = envfleet.make_gymnasium('HalfCheetah-v5', num_envs=2, seed=0, width=96, height=64)\n"
    "pool.reset()\n"
    "pool.step(np.full((2, 6), 0.5, dtype=np.float32))\n"
    "try:\n"
    "    np.save(sys.argv[1], pool.render())\n"
    "except RuntimeError as error:\n"
    "    print(error)\n"
)


def _render_in_a_process(platform, tmp_path):
    """(pictures or None, what the process printed) of a pool rendered with MUJOCO_GL=platform."""
    out_file = tmp_path / f"{platform}.npy"
    env = dict(os.environ, MUJOCO_GL=platform)
    out = subprocess.run(
        [sys.executable, "-c", _RENDER_IN_A_PROCESS, str(out_file)],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    return (np.load(out_file) if out_file.exists() else None), out.stdout


def _osmesa_loads():
    for name in ("libOSMesa.so.8", "libOSMesa.so"):
        try:
            ctypes.CDLL(name)
            return True
        except OSError:
            pass
    return False


def test_glfw_says_why_it_cannot_render_and_the_rest_works(tmp_path):
    """glfw needs a window: render() says so; stepping worked before it."""
    pictures, printed = _render_in_a_process("glfw", tmp_path)
    assert pictures is None
    assert "MUJOCO_GL=glfw: envfleet renders headless" in printed


def test_osmesa_renders_as_egl_or_says_what_to_install(tmp_path):
    """MUJOCO_GL=osmesa where libOSMesa loads (apt install libosmesa6): the pictures equal EGL's
    (both are Mesa's llvmpipe). Where it does not (this machine kind's image as it comes): render()
    raises the error naming the library and the package, and stepping works."""
    pictures, printed = _render_in_a_process("osmesa", tmp_path)
    if _osmesa_loads():
        egl_pictures, _ = _render_in_a_process("egl", tmp_path)
        assert pictures is not None, printed
        np.testing.assert_array_equal(pictures, egl_pictures)
    else:
        assert pictures is None
        assert "libOSMesa" in printed and "apt install libosmesa6" in printed


# ---- Pixel observations: Gymnasium's AddRenderObservation, then FrameStackObservation -----------


class _PixelTwin:
    """Gymnasium's AddRenderObservation(render_only=pixels_only), then FrameStackObservation for
    frame_stack > 1, over Gymnasium's env, put at the start of each episode the pool's env starts.

    The free camera is set up by an env's first picture, and AddRenderObservation's constructor
    resets the env (unseeded) and draws one: the first episode's state is set and drawn before the
    wrappers are made. The wrappers draw their reset picture before set_state() can put the pool's
    state in, so each episode's first observation is made again from the set state (the picture,
    and with pixels_only=False the env's own observation under "state") and the stack refilled with
    it, as FrameStackObservation pads it.
    """

    def __init__(self, make_reference, task_id, frame_stack, pixels_only, options):
        self.base = make_reference(task_id, render_mode="rgb_array", **SIZE, **options)
        self.frame_stack = frame_stack
        self.pixels_only = pixels_only
        self.wrapped = None

    def start_episode(self, qpos, qvel):
        _make_current(self.base)
        if self.wrapped is None:
            self.base.reset(seed=0)
            self.base.unwrapped.set_state(qpos, qvel)
            self.base.unwrapped.render()
            self.wrapped = AddRenderObservation(self.base, render_only=self.pixels_only)
            if self.frame_stack > 1:
                self.wrapped = FrameStackObservation(self.wrapped, self.frame_stack)
        self.wrapped.reset(seed=0)
        self.base.unwrapped.set_state(qpos, qvel)
        first = self.base.unwrapped.render()
        if not self.pixels_only:
            first = {"state": self.base.unwrapped._get_obs(), "pixels": first}
        if self.frame_stack == 1:
            return first
        self.wrapped.obs_queue.clear()
        self.wrapped.obs_queue.extend([first] * self.frame_stack)
        queue = list(self.wrapped.obs_queue)
        if self.pixels_only:
            return np.stack(queue)
        return {key: np.stack([obs[key] for obs in queue]) for key in first}

    def step(self, action):
        _make_current(self.base)
        return self.wrapped.step(action)[0]


def _row(obs, env_id):
    """Env env_id's observation of a batch (a Dict observation's arrays)."""
    return (
        {key: value[env_id] for key, value in obs.items()} if isinstance(obs, dict) else obs[env_id]
    )


def _assert_observations_equal(actual, expected, where):
    """Equal observations: arrays, or dicts with the same keys and equal arrays."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict) and sorted(actual) == sorted(expected), where
        for key, value in expected.items():
            np.testing.assert_array_equal(actual[key], value, err_msg=f"{where} {key}")
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=where)


PIXEL_CASES = [
    ("HalfCheetah-v5", 1, True, {}),
    ("InvertedPendulum-v5", 3, True, {}),
    # The free camera's sky fills the corners: the case that caught twins' GL objects freed in
    # another twin's context (conftest.close_reference).
    ("Hopper-v5", 2, True, {"camera_id": -1}),
    # pixels_only=False: the pictures with the state vector, stacked alike.
    ("HalfCheetah-v5", 1, False, {}),
    ("Hopper-v5", 2, False, {}),
]


@pytest.mark.parametrize(("task_id", "frame_stack", "pixels_only", "options"), PIXEL_CASES)
def test_pixel_observations_match_gymnasiums_wrappers(
    make_pool, make_reference, task_id, frame_stack, pixels_only, options
):
    """Every observation equals AddRenderObservation(render_only=pixels_only)'s (then
    FrameStackObservation's, oldest first, padded with the first one), through episode ends and
    NEXT_STEP autoresets; so do the observation spaces."""
    pool = make_pool(
        task_id, num_envs=NUM_ENVS, seed=0, from_pixels=True, frame_stack=frame_stack,
        pixels_only=pixels_only, max_episode_steps=5, **SIZE, **options,
    )  # fmt: skip
    twins = [
        _PixelTwin(make_reference, task_id, frame_stack, pixels_only, options)
        for _ in range(NUM_ENVS)
    ]

    def start_episode(env_id):
        state = pool.get_state(env_id=[env_id])
        return twins[env_id].start_episode(state["qpos"][0], state["qvel"][0])

    obs, _ = pool.reset()
    for env_id in range(NUM_ENVS):
        _assert_observations_equal(_row(obs, env_id), start_episode(env_id), "reset")
    assert pool.single_observation_space == twins[0].wrapped.observation_space
    rng = np.random.default_rng(0)
    space = pool.single_action_space
    episode_over = np.zeros(NUM_ENVS, dtype=bool)
    autoresets = 0
    for step in range(12):
        actions = rng.uniform(space.low, space.high, (NUM_ENVS, *space.shape)).astype(np.float32)
        obs, _, terminated, truncated, _ = pool.step(actions)
        assert pool.observation_space.contains(obs)
        for env_id, twin in enumerate(twins):
            if episode_over[env_id]:
                expected = start_episode(env_id)
                autoresets += 1
            else:
                expected = twin.step(actions[env_id])
            _assert_observations_equal(_row(obs, env_id), expected, f"step {step}")
        episode_over = terminated | truncated
    assert autoresets >= NUM_ENVS


def _dm_dict(observation):
    """The pixels and state fields of a dm_env observation, as the Gymnasium pool's dict."""
    return {"pixels": observation.pixels, "state": observation.state}


def test_pixels_with_the_state_in_every_facade(make_pool, make_reference):
    """from_pixels with pixels_only=False in each facade, against the Gymnasium pool (whose
    observations match Gymnasium's wrappers above): dm_env's observation has one field per key,
    "pixels" and "state" (as for the Control Suite's dicts), with their specs; gymnasium.make's
    single env has AddRenderObservation's space and the pool's env-0 observations; same_step's
    final_obs and SB3's terminal_observation are the dicts of the last step, equal to the
    next_step pool's."""
    options = dict(seed=3, from_pixels=True, pixels_only=False, max_episode_steps=2, **SIZE)
    actions = np.full((NUM_ENVS, 6), 0.3, dtype=np.float32)
    gym_pool = make_pool("HalfCheetah-v5", num_envs=NUM_ENVS, **options)
    dm_pool = envfleet.make_dm("HalfCheetah-v5", num_envs=NUM_ENVS, **options)
    same_step = make_pool(
        "HalfCheetah-v5", num_envs=NUM_ENVS, autoreset_mode="same_step", **options
    )
    sb3 = envfleet.make_sb3("HalfCheetah-v5", num_envs=NUM_ENVS, **options)
    single = gymnasium.make("envfleet/HalfCheetah-v5", disable_env_checker=True, **options)
    try:
        reference = AddRenderObservation(
            make_reference("HalfCheetah-v5", render_mode="rgb_array", **SIZE), render_only=False
        )
        assert single.observation_space == reference.observation_space
        assert gym_pool.single_observation_space == reference.observation_space
        spec = dm_pool.observation_spec()
        assert spec._fields[:3] == ("pixels", "state", "env_id")
        assert spec.pixels.shape == (SIZE["height"], SIZE["width"], 3)
        assert spec.pixels.dtype == np.uint8
        assert spec.state.shape == reference.observation_space["state"].shape

        obs, info = gym_pool.reset()
        assert "state" not in info
        _assert_observations_equal(_dm_dict(dm_pool.reset().observation), obs, "dm reset")
        _assert_observations_equal(same_step.reset()[0], obs, "same_step reset")
        _assert_observations_equal(sb3.reset(), obs, "sb3 reset")
        _assert_observations_equal(single.reset()[0], _row(obs, 0), "single reset")
        for step in range(2):
            obs, _, _, truncated, info = gym_pool.step(actions)
            assert "state" not in info
            dm_obs = _dm_dict(dm_pool.step(actions).observation)
            _assert_observations_equal(dm_obs, obs, f"dm step {step}")
            _assert_observations_equal(
                single.step(actions[0])[0], _row(obs, 0), f"single step {step}"
            )
            same_obs, _, _, _, same_info = same_step.step(actions)
            sb3.step_async(actions)
            sb3_obs, _, dones, sb3_infos = sb3.step_wait()
            _assert_observations_equal(sb3_obs, same_obs, f"sb3 step {step}")
        # The episodes end on the second step (max_episode_steps=2).
        assert truncated.all() and dones.all()
        assert "state" not in same_info["final_info"]
        _assert_observations_equal(same_info["final_obs"], obs, "final_obs")
        for env_id in range(NUM_ENVS):
            _assert_observations_equal(
                sb3_infos[env_id]["terminal_observation"], _row(obs, env_id), "terminal_observation"
            )
    finally:
        dm_pool.close()
        sb3.close()
        single.close()


def test_pixels_only_needs_from_pixels(make_pool):
    with pytest.raises(ValueError, match="pixels_only=False needs from_pixels=True"):
        make_pool("HalfCheetah-v5", pixels_only=False)


def test_frame_stack_needs_from_pixels(make_pool):
    with pytest.raises(ValueError, match="frame_stack"):
        make_pool("HalfCheetah-v5", frame_stack=4)
