"""Every Control Suite task of envfleet against dm_control's own environment, step by step.

Each test resets both, copies dm_control's state after its reset (physics and the task's
per-episode values) into envfleet with set_state, then steps both with the same random actions
through a whole episode (1000 control steps for every task so far), comparing the observation
dicts, rewards, and where the episode ends (dm_control's LAST step is envfleet's truncation or
termination). Both run MuJoCo's same calls in the same order on the same model, so values agree to
ATOL (they are bitwise equal here; the tolerance only absorbs libm differences in the reward's
sigmoids, which NumPy computes with its own exp/log).
"""

from __future__ import annotations

import numpy as np
import pytest
import suite_reference as ref

import envfleet
from envfleet.dm_control_tasks import TASK_IDS

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

ATOL = 1e-9
RTOL = 1e-9
UNLIMITED_STEPS = 1000


def _make(task_id: str, **kwargs):
    return envfleet.make_gymnasium(task_id, num_envs=1, seed=1, **kwargs)


def _assert_obs_equal(obs: dict, expected: dict, where: str) -> None:
    assert list(obs) == list(expected), where
    for key, value in expected.items():
        np.testing.assert_allclose(
            obs[key][0], value, rtol=RTOL, atol=ATOL, err_msg=f"{where}: {key}"
        )


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_a_whole_episode_matches_dm_control(task_id):
    env = ref.load(task_id, seed=3)
    pool = _make(task_id)
    pool.reset()
    timestep = env.reset()
    pool.set_state(**ref.state(task_id, env))
    rng = np.random.default_rng(7)
    # LQR has no time limit (dm_control's is infinite): its first UNLIMITED_STEPS steps.
    limit = pool.envfleet_spec.max_episode_steps or UNLIMITED_STEPS
    steps = 0
    while steps < limit:
        action = ref.random_action(env.action_spec(), rng)
        timestep = env.step(action)
        obs, reward, terminated, truncated, _ = pool.step(action[None])
        steps += 1
        where = f"{task_id} step {steps}"
        _assert_obs_equal(obs, timestep.observation, where)
        np.testing.assert_allclose(reward[0], timestep.reward, rtol=RTOL, atol=ATOL, err_msg=where)
        assert bool(terminated[0] or truncated[0]) == timestep.last(), where
        if timestep.last():
            assert bool(terminated[0]) == (timestep.discount == 0.0), where
            break
    assert steps == limit
    pool.close()


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_spaces_follow_dm_control_specs(task_id):
    env = ref.load(task_id)
    spec = envfleet.make_spec(task_id)
    observation_spec = env.observation_spec()
    assert list(spec.observation_space.spaces) == list(observation_spec)
    for key, array_spec in observation_spec.items():
        space = spec.observation_space[key]
        assert space.shape == array_spec.shape, key
        assert space.dtype == array_spec.dtype, key
    action_spec = env.action_spec()
    assert spec.action_space.dtype == action_spec.dtype
    assert spec.action_space.shape == action_spec.shape
    np.testing.assert_array_equal(spec.action_space.low, action_spec.minimum)
    np.testing.assert_array_equal(spec.action_space.high, action_spec.maximum)


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_flat_observation_concatenates_in_the_suites_order(task_id):
    env = ref.load(task_id, seed=3, flat_observation=True)
    pool = _make(task_id, flat_observation=True)
    pool.reset()
    env.reset()
    pool.set_state(**ref.state(task_id, env))
    rng = np.random.default_rng(0)
    for _ in range(5):
        action = ref.random_action(env.action_spec(), rng)
        timestep = env.step(action)
        obs, *_ = pool.step(action[None])
        np.testing.assert_allclose(obs[0], timestep.observation["observations"], atol=ATOL)
    assert pool.single_observation_space.shape == timestep.observation["observations"].shape
    pool.close()


@pytest.mark.parametrize("frame_skip", [2, 3])
def test_frame_skip_repeats_the_action_and_sums_rewards(frame_skip):
    task_id = "CartpoleSwingup-v1"
    env = ref.load(task_id, seed=5)
    pool = _make(task_id, frame_skip=frame_skip)
    pool.reset()
    env.reset()
    pool.set_state(**ref.state(task_id, env))
    rng = np.random.default_rng(1)
    steps = 0
    while True:
        action = ref.random_action(env.action_spec(), rng)
        total = 0.0
        for _ in range(frame_skip):
            timestep = env.step(action)
            total += timestep.reward
            if timestep.last():
                break
        obs, reward, terminated, truncated, _ = pool.step(action[None])
        steps += 1
        _assert_obs_equal(obs, timestep.observation, f"step {steps}")
        np.testing.assert_allclose(reward[0], total, rtol=RTOL, atol=ATOL)
        assert bool(truncated[0]) == timestep.last()
        if timestep.last():
            break
    # 1000 control steps: ceil(1000 / frame_skip) env steps, the last one short where needed.
    assert steps == -(-1000 // frame_skip) == pool.envfleet_spec.max_episode_steps
    pool.close()


@pytest.mark.parametrize("time_limit", [1.0, 2.5])
def test_time_limit_option_counts_control_steps_as_dm_control(time_limit):
    task_id = "PendulumSwingup-v1"
    env = ref.load(task_id, time_limit=time_limit)
    env.reset()
    steps = 0
    while not env.step(np.zeros(1)).last():
        steps += 1
    assert envfleet.make_spec(task_id, time_limit=time_limit).max_episode_steps == steps + 1


def test_the_dm_env_facade_gives_dm_controls_keys_step_types_and_discounts():
    task_id = "CartpoleBalance-v1"
    env = ref.load(task_id, seed=2, time_limit=0.3)
    pool = envfleet.make_dm(task_id, num_envs=1, seed=0, time_limit=0.3)
    first = pool.reset()
    assert first.step_type[0] == 0
    observation_spec = env.observation_spec()
    for key, array_spec in observation_spec.items():
        assert getattr(pool.observation_spec(), key).shape == array_spec.shape
        assert getattr(first.observation, key).shape == (1, *array_spec.shape)
        assert getattr(first.observation, key).dtype == array_spec.dtype
    env.reset()
    pool._native.set_state(np.concatenate(list(ref.state(task_id, env).values()), axis=1), None)
    rng = np.random.default_rng(0)
    for _ in range(30):
        action = ref.random_action(env.action_spec(), rng)
        expected = env.step(action)
        got = pool.step(action[None])
        assert got.step_type[0] == expected.step_type
        assert got.discount[0] == expected.discount
        np.testing.assert_allclose(got.reward[0], expected.reward, atol=ATOL)
        for key in observation_spec:
            np.testing.assert_allclose(getattr(got.observation, key)[0], expected.observation[key])
    # After LAST both start over with FIRST.
    assert pool.step(np.zeros((1, 1))).step_type[0] == env.step(np.zeros(1)).step_type == 0
    pool.close()


def test_state_round_trip_continues_the_episode_exactly():
    task_id = "AcrobotSwingup-v1"
    pool = envfleet.make_gymnasium(task_id, num_envs=2, seed=4)
    pool.reset()
    rng = np.random.default_rng(0)
    for _ in range(20):
        pool.step(rng.uniform(-1, 1, (2, 1)))
    saved = pool.get_state()
    actions = rng.uniform(-1, 1, (30, 2, 1))
    first = [pool.step(a)[0] for a in actions]
    pool.set_state(**saved)
    second = [pool.step(a)[0] for a in actions]
    for a, b in zip(first, second, strict=True):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
    pool.close()


def test_escape_state_carries_the_terrain():
    # Env 0's state written into env 1, which drew another terrain, continues env 0's episode
    # there: the state's bump draws rebuild env 0's heightfield in env 1's model.
    pool = envfleet.make_gymnasium("QuadrupedEscape-v1", num_envs=2, seed=4)
    pool.reset()
    state = pool.get_state()
    assert not np.array_equal(state["task"][0], state["task"][1])
    pool.set_state(**{name: np.repeat(value[:1], 2, axis=0) for name, value in state.items()})
    rng = np.random.default_rng(1)
    for _ in range(100):
        obs = pool.step(np.repeat(rng.uniform(-1, 1, (1, 12)), 2, axis=0))[0]
        for key, value in obs.items():
            np.testing.assert_array_equal(value[0], value[1], err_msg=key)
    pool.close()


def test_every_listed_id_is_a_dm_control_task_and_the_extension_agrees():
    from dm_control import suite

    from envfleet.dm_control_tasks import DOMAIN_TASK

    assert set(DOMAIN_TASK.values()) <= set(suite.ALL_TASKS)
    module = envfleet.registry.family_module(TASK_IDS[0])
    assert sorted(module.env_ids()) == sorted(TASK_IDS)


def _trajectory(task_id: str, steps: int, **kwargs) -> list:
    pool = envfleet.make_gymnasium(task_id, num_envs=4, seed=9, **kwargs)
    obs, _ = pool.reset()
    rng = np.random.default_rng(3)
    rows = [obs]
    for _ in range(steps):
        rows.append(pool.step(rng.uniform(-1, 1, (4, *pool.single_action_space.shape))))
    pool.close()
    return rows


def _assert_same(a, b) -> None:
    if isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _assert_same(a[key], b[key])
    elif isinstance(a, (tuple, list)):
        for x, y in zip(a, b, strict=True):
            _assert_same(x, y)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "task_id",
    [
        "CartpoleSwingup-v1",
        "AcrobotSwingup-v1",
        "ManipulatorInsertPeg-v1",
        "StackerStack4-v1",
        "LqrLqr62-v1",
        "QuadrupedEscape-v1",
        "DogFetch-v1",
    ],
)
def test_trajectories_do_not_depend_on_num_threads(task_id):
    _assert_same(_trajectory(task_id, 50, num_threads=1), _trajectory(task_id, 50, num_threads=2))


def test_partial_steps_leave_the_other_envs_alone():
    pool = envfleet.make_gymnasium("PendulumSwingup-v1", num_envs=3, seed=0)
    obs, _ = pool.reset()
    before = {k: v.copy() for k, v in obs.items()}
    pool.step(np.ones((1, 1)), env_id=np.array([1]))
    state = pool.get_state()
    after = pool.get_state(env_id=[0, 2])
    np.testing.assert_array_equal(after["qvel"], state["qvel"][[0, 2]])
    # Env 1 moved; envs 0 and 2 did not (their velocities were zero at reset).
    assert np.all(state["qvel"][[0, 2]] == 0) and state["qvel"][1, 0] != 0
    assert before["orientation"].shape == (3, 2)
    pool.close()


def test_same_step_autoreset_returns_the_final_observation_as_a_dict():
    pool = envfleet.make_gymnasium(
        "CartpoleBalance-v1", num_envs=2, seed=0, time_limit=0.05, autoreset_mode="same_step"
    )
    pool.reset()
    for _ in range(5):
        obs, reward, terminated, truncated, info = pool.step(np.zeros((2, 1)))
    assert truncated.all()
    assert set(info["final_obs"]) == {"position", "velocity"}
    assert info["final_obs"]["position"].shape == (2, 3)
    assert not np.array_equal(info["final_obs"]["position"], obs["position"])
    pool.close()


def test_gymnasium_make_gives_one_env_with_dict_observations():
    import gymnasium

    env = gymnasium.make("envfleet/WalkerWalk-v1")
    obs, _ = env.reset(seed=0)
    assert env.observation_space.contains(obs)
    obs, reward, terminated, truncated, _ = env.step(env.action_space.sample())
    assert env.observation_space.contains(obs) and obs["height"].shape == ()
    env.close()


@pytest.mark.parametrize("task_id", ["LqrLqr21-v1", "LqrLqr62-v1"])
def test_lqr_ends_with_discount_zero_where_dm_control_terminates(task_id):
    # From a state of norm ~1e-9 one zero-action step keeps the norm below LQR's 1e-6 tolerance.
    env = ref.load(task_id, seed=2)
    env.reset()
    env.physics.data.qpos[:] = 1e-9
    env.physics.forward()
    state = ref.state(task_id, env)
    pool = _make(task_id)
    pool.reset()
    pool.set_state(**state)
    dm = envfleet.make_dm(task_id, num_envs=1, seed=0)
    dm.reset()
    dm._native.set_state(np.concatenate(list(state.values()), axis=1), None)
    action = np.zeros(env.action_spec().shape)
    expected = env.step(action)
    assert expected.last() and expected.discount == 0.0
    obs, reward, terminated, truncated, _ = pool.step(action[None])
    assert terminated[0] and not truncated[0]
    np.testing.assert_allclose(reward[0], expected.reward, rtol=RTOL, atol=ATOL)
    _assert_obs_equal(obs, expected.observation, task_id)
    got = dm.step(action[None])
    assert got.step_type[0] == 2 and got.discount[0] == 0.0
    pool.close()
    dm.close()


def test_lqr_draws_each_envs_model_once_from_its_stream():
    task_id = "LqrLqr62-v1"
    pool = envfleet.make_gymnasium(task_id, num_envs=3, seed=0)
    pool.reset()
    stiffness = pool.get_state()["task"]
    # dm_control's range, a different model per env, kept over later resets.
    assert np.all((stiffness >= 15) & (stiffness < 25))
    assert len({tuple(row) for row in stiffness}) == 3
    pool.reset()
    for _ in range(5):
        pool.step(np.zeros((3, 2)))
    np.testing.assert_array_equal(pool.get_state()["task"], stiffness)
    # The pool's seed and the env's index fix it.
    again = envfleet.make_gymnasium(task_id, num_envs=3, seed=0)
    again.reset()
    np.testing.assert_array_equal(again.get_state()["task"], stiffness)
    other = envfleet.make_gymnasium(task_id, num_envs=3, seed=1)
    other.reset()
    assert not np.array_equal(other.get_state()["task"], stiffness)
    for p in (pool, again, other):
        p.close()
