"""Alignment of envfleet's classic-control envs with Gymnasium, to the last bit.

Each alignment test runs an envfleet pool and, beside every env of the pool, a Gymnasium env made
with `gymnasium.make` (so with its TimeLimit). Whenever an envfleet env starts an episode (the
first reset and every NEXT_STEP autoreset), its state is copied into the Gymnasium env; from there
both are stepped with the same actions and must return identical observations, rewards and
terminated / truncated flags. The reset observation is also compared with the one Gymnasium
derives from the same state.

Every comparison is exact (np.testing.assert_array_equal, ==): the C++ reproduces Gymnasium's
arithmetic operation by operation, including NumPy 2's float32 / float64 promotion
(MountainCarContinuous, Pendulum), libm's pow for `** 2` on NumPy scalars, and NumPy's own float32
sin/cos kernel (Acrobot's reset observation comes from a float32 state).
"""

from __future__ import annotations

import inspect
from typing import Any

import gymnasium
import numpy as np
import pytest
from gymnasium.envs.registration import load_env_creator

import envfleet

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

TASK_IDS = list(envfleet.registry.families()["classic_control"])

# Every task with its default options, plus each option at a non-default value. MountainCar's goal
# velocities stay reachable (|velocity| <= 0.07) so that goal terminations are still compared.
ALIGNMENT_CASES = [(task_id, {}) for task_id in TASK_IDS] + [
    ("CartPole-v0", {"sutton_barto_reward": True}),
    ("CartPole-v1", {"sutton_barto_reward": True}),
    ("MountainCar-v0", {"goal_velocity": 0.01}),
    ("MountainCarContinuous-v0", {"goal_velocity": 0.02}),
    ("Pendulum-v1", {"g": 9.81}),
]

NUM_ENVS = 4
NUM_STEPS = 1500


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    task_id, options = case
    return task_id + "".join(f"-{name}={value}" for name, value in options.items())


def _make_reference(task_id: str, options: dict[str, Any]) -> gymnasium.Env:
    """The Gymnasium env to compare with (TimeLimit included), with its warnings silenced."""
    return gymnasium.make(task_id, disable_env_checker=True, **options)


def _load_state(env: gymnasium.Env, task_id: str, state: np.ndarray) -> np.ndarray:
    """Starts a Gymnasium episode from `state`; returns the observation Gymnasium derives from it.

    The state goes in with the dtype Gymnasium's own reset() leaves: float32 for Acrobot, float64
    for the others. The state Gymnasium's reset() draws is overwritten, so its seed is irrelevant.
    """
    env.reset()
    unwrapped = env.unwrapped
    unwrapped.state = np.array(state, dtype=np.float32 if task_id == "Acrobot-v1" else np.float64)
    if task_id == "Pendulum-v1":
        return unwrapped._get_obs()
    if task_id == "Acrobot-v1":
        return unwrapped._get_ob()
    return np.array(unwrapped.state, dtype=np.float32)


def _random_actions(space: gymnasium.Space, num_envs: int, rng: np.random.Generator) -> np.ndarray:
    """Uniformly random actions; continuous ones also go 20% beyond the bounds and sometimes sit
    exactly on them, to cover the clipping paths."""
    if isinstance(space, gymnasium.spaces.Discrete):
        return rng.integers(space.n, size=num_envs).astype(np.int64)
    low, high = float(space.low[0]), float(space.high[0])
    actions = rng.uniform(1.2 * low, 1.2 * high, size=num_envs)
    on_bound = rng.random(num_envs) < 0.1
    actions[on_bound] = rng.choice([low, high], size=int(on_bound.sum()))
    return actions.astype(np.float32).reshape(num_envs, 1)


def _actions(
    task_id: str, space: gymnasium.Space, obs: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One action per env: random half of the time, else a push along the velocity.

    The pushes pump energy into the swing, so MountainCar and Acrobot reach their goals and
    terminations are compared too.
    """
    num_envs = len(obs)
    random = _random_actions(space, num_envs, rng)
    use_random = rng.random(num_envs) < 0.5
    if task_id == "MountainCar-v0":
        pumping = np.where(obs[:, 1] >= 0, 2, 0)
    elif task_id == "Acrobot-v1":
        pumping = np.where(obs[:, 5] >= 0, 2, 0)
    elif task_id == "MountainCarContinuous-v0":
        pumping = np.where(obs[:, 1] >= 0, 1.0, -1.0).reshape(num_envs, 1)
    elif task_id == "Pendulum-v1":
        pumping = np.where(obs[:, 2] >= 0, 2.0, -2.0).reshape(num_envs, 1)
    else:
        return random
    if random.ndim == 2:
        use_random = use_random.reshape(num_envs, 1)
    return np.where(use_random, random, pumping).astype(random.dtype)


def _reference_action(action: np.ndarray) -> Any:
    """One env's action as Gymnasium takes it: a Python int or a (1,) float32 array."""
    return int(action) if action.ndim == 0 else action.copy()


@pytest.mark.parametrize("case", ALIGNMENT_CASES, ids=_case_id)
def test_trajectories_match_gymnasium(make_pool, case):
    task_id, options = case
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=0, **options)
    references = [_make_reference(task_id, options) for _ in range(NUM_ENVS)]
    rng = np.random.default_rng(1234)

    # Every env starts an episode: copy its state into its Gymnasium twin.
    obs, _ = pool.reset()
    for env_id, reference in enumerate(references):
        expected = _load_state(reference, task_id, pool.get_state(env_id=[env_id])["state"][0])
        np.testing.assert_array_equal(obs[env_id], expected)

    episode_over = np.zeros(NUM_ENVS, dtype=bool)
    counts = {"terminated": 0, "truncated": 0}
    for step in range(NUM_STEPS):
        actions = _actions(task_id, pool.single_action_space, obs, rng)
        obs, reward, terminated, truncated, _ = pool.step(actions)
        for env_id, reference in enumerate(references):
            where = f"{task_id} {options} env {env_id} step {step}"
            if episode_over[env_id]:
                # NEXT_STEP autoreset: a fresh episode, whose state the twin takes over.
                assert reward[env_id] == 0.0, where
                assert not terminated[env_id] and not truncated[env_id], where
                state = pool.get_state(env_id=[env_id])["state"][0]
                expected_obs = _load_state(reference, task_id, state)
                np.testing.assert_array_equal(obs[env_id], expected_obs, err_msg=where)
                continue
            expected = reference.step(_reference_action(actions[env_id]))
            expected_obs, expected_reward, expected_terminated, expected_truncated, _ = expected
            np.testing.assert_array_equal(obs[env_id], expected_obs, err_msg=where)
            assert reward[env_id] == expected_reward, where
            assert bool(terminated[env_id]) == expected_terminated, where
            assert bool(truncated[env_id]) == expected_truncated, where
            counts["terminated"] += int(expected_terminated)
            counts["truncated"] += int(expected_truncated)
        episode_over = terminated | truncated

    # The run went through episode ends of the kinds this task has.
    assert counts["terminated"] + counts["truncated"] > 0
    if task_id == "Pendulum-v1":
        assert counts["truncated"] > 0
    else:
        assert counts["terminated"] > 0


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_reset_observations_match_gymnasium(make_pool, task_id):
    """Many reset states: each reset observation equals the one Gymnasium derives from the state.

    Acrobot's reset state is float32, so this covers NumPy's float32 sin/cos, which differs from
    the correctly rounded float32 sin/cos on about 1 in 4000 of the angles drawn: 20000 angles
    give a handful of those.
    """
    pool = make_pool(task_id, num_envs=2000, seed=7)
    reference = _make_reference(task_id, {})
    for seed in range(5):
        obs, _ = pool.reset(seed=seed)
        for env_id, state in enumerate(pool.get_state()["state"]):
            expected = _load_state(reference, task_id, state)
            np.testing.assert_array_equal(obs[env_id], expected, err_msg=f"env {env_id}")


def _mid_episode_states(task_id: str, count: int) -> list[np.ndarray]:
    """States of a Gymnasium env after random steps, with the dtype Gymnasium keeps mid-episode
    (float32 for MountainCarContinuous, float64 for the others)."""
    reference = _make_reference(task_id, {})
    reference.reset(seed=3)
    reference.action_space.seed(3)
    rng = np.random.default_rng(3)
    states = []
    while len(states) < count:
        _, _, terminated, truncated, _ = reference.step(reference.action_space.sample())
        states.append(np.array(reference.unwrapped.state))
        if terminated or truncated or rng.random() < 0.05:
            reference.reset(seed=int(rng.integers(1 << 30)))
    return states


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_set_state_mid_episode_matches_gymnasium(make_pool, task_id):
    """set_state() with states Gymnasium reached mid-episode, then one step of both."""
    num_envs = 64
    pool = make_pool(task_id, num_envs=num_envs, seed=0)
    pool.reset()
    states = _mid_episode_states(task_id, num_envs)
    pool.set_state(np.array(states, dtype=np.float64))
    np.testing.assert_array_equal(pool.get_state()["state"], np.array(states, dtype=np.float64))

    actions = _random_actions(pool.single_action_space, num_envs, np.random.default_rng(5))
    obs, reward, terminated, _, _ = pool.step(actions)
    for env_id, state in enumerate(states):
        reference = _make_reference(task_id, {})
        reference.reset(seed=0)
        reference.unwrapped.state = state.copy()
        expected_obs, expected_reward, expected_terminated, _, _ = reference.step(
            _reference_action(actions[env_id])
        )
        where = f"{task_id} env {env_id}"
        np.testing.assert_array_equal(obs[env_id], expected_obs, err_msg=where)
        assert reward[env_id] == expected_reward, where
        assert bool(terminated[env_id]) == expected_terminated, where


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_spaces_and_limits_match_gymnasium(make_pool, task_id):
    reference = gymnasium.make(task_id)
    pool = make_pool(task_id, num_envs=2, seed=0)
    for ours, theirs in [
        (pool.single_observation_space, reference.observation_space),
        (pool.single_action_space, reference.action_space),
    ]:
        assert type(ours) is type(theirs)
        assert ours.shape == theirs.shape
        assert ours.dtype == theirs.dtype
        if isinstance(theirs, gymnasium.spaces.Discrete):
            assert ours.n == theirs.n
            assert ours.start == theirs.start
        else:
            assert ours.low.dtype == theirs.low.dtype and ours.high.dtype == theirs.high.dtype
            np.testing.assert_array_equal(ours.low, theirs.low)
            np.testing.assert_array_equal(ours.high, theirs.high)
        assert ours == theirs

    spec = envfleet.make_spec(task_id)
    assert spec.max_episode_steps == gymnasium.spec(task_id).max_episode_steps
    assert spec.reward_threshold == gymnasium.spec(task_id).reward_threshold


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_options_are_gymnasium_constructor_keywords(task_id):
    """The options are exactly the keywords of Gymnasium's constructor (but render_mode), with
    the same defaults."""
    env_class = load_env_creator(gymnasium.spec(task_id).entry_point)
    parameters = inspect.signature(env_class.__init__).parameters
    expected = {
        name: parameter.default
        for name, parameter in parameters.items()
        if name not in ("self", "render_mode")
    }
    assert envfleet.make_spec(task_id).options == expected


def _pendulum_rewards(make_pool, **options: Any) -> np.ndarray:
    pool = make_pool("Pendulum-v1", num_envs=4, seed=11, **options)
    pool.reset()
    actions = np.full((4, 1), 0.5, dtype=np.float32)
    return np.array([pool.step(actions)[1] for _ in range(20)])


def test_pendulum_gravity_changes_dynamics(make_pool):
    default = _pendulum_rewards(make_pool)
    np.testing.assert_array_equal(default, _pendulum_rewards(make_pool, g=10.0))
    assert not np.array_equal(default, _pendulum_rewards(make_pool, g=9.81))


def test_cart_pole_sutton_barto_reward(make_pool):
    for options, alive_reward, end_reward in [
        ({}, 1.0, 1.0),
        ({"sutton_barto_reward": True}, 0, -1),
    ]:
        pool = make_pool("CartPole-v1", num_envs=8, seed=0, **options)
        pool.reset()
        ended = np.zeros(8, dtype=bool)
        # Always pushing right makes every pole fall within a few dozen steps.
        for _ in range(100):
            _, reward, terminated, _, _ = pool.step(np.ones(8, dtype=np.int64))
            live = ~ended
            np.testing.assert_array_equal(reward[live & ~terminated], alive_reward)
            np.testing.assert_array_equal(reward[live & terminated], end_reward)
            ended |= terminated
            if ended.all():
                break
        assert ended.all()


@pytest.mark.parametrize("task_id", ["MountainCar-v0", "MountainCarContinuous-v0"])
def test_mountain_car_goal_velocity(make_pool, task_id):
    """From just below the goal at speed 0.05 the car reaches it: done unless 0.06 is required."""
    goal = 0.5 if task_id == "MountainCar-v0" else 0.45
    no_push = (
        np.ones(1, dtype=np.int64)
        if task_id == "MountainCar-v0"
        else np.zeros((1, 1), dtype=np.float32)
    )
    for goal_velocity, expect_done in [(0.0, True), (0.04, True), (0.06, False)]:
        pool = make_pool(task_id, num_envs=1, seed=0, goal_velocity=goal_velocity)
        pool.reset()
        pool.set_state(np.array([[goal - 0.04, 0.05]]))
        _, _, terminated, _, _ = pool.step(no_push)
        assert bool(terminated[0]) == expect_done, goal_velocity
