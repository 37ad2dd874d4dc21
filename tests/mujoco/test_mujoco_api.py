"""The MuJoCo envs' declarations, options, state access and determinism.

- Spec: spaces, time limit, reward threshold and the keyword options (names and defaults) are
  Gymnasium 1.4's, for every id; the state layout is (qpos, qvel).
- Options: wrong types and unknown keywords raise TypeError; values that cannot be honoured
  (a model file that is missing or not MuJoCo XML, a range without two values, frame_skip 0, a
  body id out of range) raise ValueError when the pool is made, naming the problem.
- State: get_state() / set_state() round-trip, set_state() on some envs only leaves the others
  alone, and set_state() mid-episode continues exactly as Gymnasium's set_state().
- Determinism: the same seed and actions give the same trajectories with 1 or 2 threads, and in
  async mode.
"""

from __future__ import annotations

import inspect

import gymnasium
import numpy as np
import pytest

import envfleet
from envfleet.spec import camera_config_text

TASK_IDS = envfleet.registry.families()["mujoco"]
# The rendering keywords: MujocoEnv's (width, height, camera_id, camera_name, which Gymnasium's
# task classes pass on in **kwargs), default_camera_config, a dict in Gymnasium and text in
# envfleet's options (compared below), and the pixel observations Gymnasium gives with wrappers
# (from_pixels, frame_stack, pixels_only: test_mujoco_render.py).
RENDERING_KEYWORDS = {
    *("width", "height", "camera_id", "camera_name", "default_camera_config"),
    *("from_pixels", "frame_stack", "pixels_only"),
}


def _plain(value):
    """Tuples and lists of numbers alike, for comparing option defaults."""
    return [float(v) for v in value] if isinstance(value, (tuple, list)) else value


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_spec_and_options_are_gymnasiums(make_reference, task_id):
    spec = envfleet.make_spec(task_id)
    reference = make_reference(task_id)
    assert spec.observation_space == reference.observation_space
    assert spec.action_space == reference.action_space
    assert spec.max_episode_steps == gymnasium.spec(task_id).max_episode_steps
    assert spec.reward_threshold == gymnasium.spec(task_id).reward_threshold
    model = reference.unwrapped.model
    assert spec.state_layout == (("qpos", model.nq), ("qvel", model.nv))

    # Every keyword of Gymnasium's constructor (but rendering's), with its default.
    parameters = inspect.signature(type(reference.unwrapped).__init__).parameters
    expected = {
        name: _plain(parameter.default)
        for name, parameter in parameters.items()
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        and name != "self"
        and name not in RENDERING_KEYWORDS
    }
    options = {name: _plain(value) for name, value in spec.options.items()}
    assert {name: v for name, v in options.items() if name not in RENDERING_KEYWORDS} == expected
    # The default camera is the task's DEFAULT_CAMERA_CONFIG (none for Swimmer).
    module = inspect.getmodule(type(reference.unwrapped))
    default_camera = getattr(module, "DEFAULT_CAMERA_CONFIG", {})
    assert options["default_camera_config"] == camera_config_text(default_camera)
    assert (options["width"], options["height"]) == (480, 480)


@pytest.mark.parametrize(
    ("task_id", "options"),
    [
        ("Ant-v5", {"healthy_z_range": 0.5}),
        ("Ant-v5", {"frame_skip": 2.5}),
        ("Hopper-v5", {"xml_file": 3}),
        ("Humanoid-v5", {"terminate_when_unhealthy": "yes"}),
        ("Reacher-v5", {"reward_dist_weight": "1"}),
        ("Ant-v5", {"use_contact_forces": True}),
        ("HalfCheetah-v4", {"xml_file": "half_cheetah.xml"}),
        ("InvertedPendulum-v4", {"reset_noise_scale": 0.1}),
    ],
)
def test_bad_option_types_and_names_raise_type_error(task_id, options):
    with pytest.raises(TypeError, match=next(iter(options))):
        envfleet.make_gymnasium(task_id, **options)


def test_bad_model_files_raise_value_error_when_made(tmp_path):
    corrupt = tmp_path / "corrupt.xml"
    corrupt.write_text("<mujoco><worldbody><body><geom type='nonsense'/></body>")
    with pytest.raises(ValueError, match=r"does_not_exist\.xml does not exist"):
        envfleet.make_gymnasium("Ant-v5", xml_file="does_not_exist.xml")
    with pytest.raises(ValueError, match=r"/no/such/dir/ant\.xml does not exist"):
        envfleet.make_gymnasium("Ant-v4", xml_file="/no/such/dir/ant.xml")
    with pytest.raises(ValueError, match=r"MuJoCo cannot load .*corrupt\.xml"):
        envfleet.make_gymnasium("Hopper-v5", xml_file=str(corrupt), num_envs=4)
    with pytest.raises(ValueError, match="does not exist"):
        envfleet.make_spec("Swimmer-v5", xml_file=str(tmp_path))


@pytest.mark.parametrize(
    ("task_id", "options", "message"),
    [
        ("Ant-v5", {"healthy_z_range": (0.1,)}, "healthy_z_range must hold 2 values"),
        ("Hopper-v5", {"frame_skip": 0}, "frame_skip must be >= 1"),
        ("Ant-v5", {"main_body": 99}, "main_body must be a body id"),
        ("Reacher-v5", {"xml_file": "ant.xml"}, "no body named 'fingertip'"),
    ],
)
def test_options_that_cannot_be_honoured_raise_value_error(task_id, options, message):
    with pytest.raises(ValueError, match=message):
        envfleet.make_gymnasium(task_id, **options)


@pytest.mark.parametrize("task_id", ["Ant-v5", "Humanoid-v4", "Pusher-v4", "Reacher-v5"])
def test_set_state_mid_episode_continues_as_gymnasium(
    make_pool, make_reference, load_state, task_id
):
    """Both sides share a history, then both take the same new state with their set_state()."""
    pool = make_pool(task_id, num_envs=1, seed=3)
    reference = make_reference(task_id)
    rng = np.random.default_rng(3)
    space = pool.single_action_space
    pool.reset()
    state = pool.get_state()
    load_state(reference, state["qpos"][0], state["qvel"][0])
    for step in range(40):
        action = rng.uniform(space.low, space.high).astype(np.float32)
        if step == 10:
            # A new state for both, derived from the current one.
            state = pool.get_state()
            qpos = state["qpos"] + rng.uniform(-0.02, 0.02, size=state["qpos"].shape)
            qvel = state["qvel"] * 0.5
            pool.set_state(qpos, qvel)
            reference.unwrapped.set_state(qpos[0], qvel[0])
            np.testing.assert_array_equal(pool.get_state()["qpos"], qpos)
            np.testing.assert_array_equal(pool.get_state()["qvel"], qvel)
        obs, reward, terminated, truncated, _ = pool.step(action[None])
        expected_obs, expected_reward, expected_terminated, _, _ = reference.step(action)
        np.testing.assert_allclose(obs[0], expected_obs, rtol=0, atol=1e-6)
        np.testing.assert_allclose(reward[0], expected_reward, rtol=0, atol=1e-6)
        if terminated[0] or truncated[0]:
            assert expected_terminated == terminated[0]
            break


def test_set_state_round_trip_and_partial(make_pool):
    """set_state(get_state()) changes no trajectory; set_state on some envs leaves the others."""
    untouched = make_pool("Walker2d-v5", num_envs=3, seed=5)
    touched = make_pool("Walker2d-v5", num_envs=3, seed=5)
    untouched.reset()
    touched.reset()
    actions = np.random.default_rng(5).uniform(-1, 1, size=(30, 3, 6)).astype(np.float32)
    for step, action in enumerate(actions):
        if step == 10:
            touched.set_state(**touched.get_state())
        if step == 20:
            before = touched.get_state()
            qpos = before["qpos"][[0, 2]] + 0.01
            touched.set_state(qpos, before["qvel"][[0, 2]], env_id=[0, 2])
            after = touched.get_state()
            np.testing.assert_array_equal(after["qpos"][[0, 2]], qpos)
            np.testing.assert_array_equal(after["qpos"][1], before["qpos"][1])
            np.testing.assert_array_equal(after["qvel"], before["qvel"])
        ours, theirs = touched.step(action), untouched.step(action)
        if step < 20:
            for a, b in zip(ours[:4], theirs[:4], strict=True):
                np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_array_equal(ours[0][1], theirs[0][1])


def _trajectory(make_pool, task_id: str, **kwargs) -> list:
    pool = make_pool(task_id, num_envs=4, seed=11, **kwargs)
    space = pool.single_action_space
    rng = np.random.default_rng(11)
    outputs = [pool.reset()[0].copy()]
    for _ in range(150):
        actions = rng.uniform(space.low, space.high, size=(4, *space.shape)).astype(np.float32)
        obs, reward, terminated, truncated, info = pool.step(actions)
        outputs += [obs.copy(), reward.copy(), terminated.copy(), truncated.copy()]
        outputs += [np.copy(value) for key, value in sorted(info.items())]
    return outputs


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_same_trajectories_with_one_or_two_threads(make_pool, task_id):
    one = _trajectory(make_pool, task_id, num_threads=1)
    two = _trajectory(make_pool, task_id, num_threads=2)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("task_id", ["Humanoid-v5", "HalfCheetah-v5"])
def test_partial_steps_match_with_one_or_two_threads(make_pool, task_id):
    """Steps of random subsets of the envs, in random order: with two threads a step runs in
    parts (its physics steps, halves of them for HalfCheetah) and envs move between threads;
    every row is as with one."""
    outputs = []
    for num_threads in (1, 2):
        pool = make_pool(task_id, num_envs=8, num_threads=num_threads, seed=3)
        space = pool.single_action_space
        rng = np.random.default_rng(0)
        rows = [pool.reset()[0].copy()]
        for _ in range(150):
            ids = rng.permutation(8)[: rng.integers(1, 9)]
            actions = rng.uniform(space.low, space.high, size=(len(ids), *space.shape))
            obs, reward, terminated, truncated, info = pool.step(actions.astype(np.float32), ids)
            rows += [obs.copy(), reward.copy(), terminated.copy(), info["env_id"].copy()]
        outputs.append(rows)
    for a, b in zip(*outputs, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("task_id", ["Ant-v5", "Hopper-v4"])
def test_async_mode_gives_each_env_its_sync_trajectory(make_pool, task_id):
    """Async (batch_size 2 of 4): each env, stepped with actions of its own, goes where it goes in
    sync mode, whatever order the batches come back in."""
    sync = make_pool(task_id, num_envs=4, seed=2)
    asynchronous = make_pool(task_id, num_envs=4, batch_size=2, num_threads=2, seed=2)
    space = sync.single_action_space
    actions = np.random.default_rng(2).uniform(space.low, space.high, size=(60, 4, *space.shape))
    actions = actions.astype(np.float32)
    expected = [sync.reset()[0].copy()] + [sync.step(action)[0].copy() for action in actions]

    # Every env is sent its next action as soon as its result is back (the actions repeat past
    # the end, so that batch_size envs are always in flight), until each is checked throughout.
    asynchronous.async_reset()
    received = np.zeros(4, dtype=int)
    while received.min() < len(expected):
        obs, _, _, _, info = asynchronous.recv()
        ids = info["env_id"]
        for row, env_id in enumerate(ids):
            if received[env_id] < len(expected):
                np.testing.assert_array_equal(obs[row], expected[received[env_id]][env_id])
            received[env_id] += 1
        asynchronous.send(actions[(received[ids] - 1) % len(actions), ids], env_id=ids)
