"""Alignment of envfleet's MuJoCo envs with Gymnasium 1.4's, step by step.

Each test runs an envfleet pool and, beside every env of the pool, a Gymnasium env made with
`gymnasium.make` (so with its TimeLimit). Whenever an envfleet env starts an episode (the first
reset and every NEXT_STEP autoreset), its qpos and qvel (Pusher's and Reacher's goal and object
positions included) are copied into the Gymnasium env with Gymnasium's set_state; from there both
are stepped with the same random actions (some beyond the action bounds, which neither clips).
Observation, reward, terminated, truncated and every info key Gymnasium returns are compared at
atol=1e-6; the reset observation and reset info are compared too, and after every step qpos and
qvel exactly.

envfleet links the libmujoco that Gymnasium's `mujoco` package loads and repeats Gymnasium's call
sequence and NumPy's arithmetic, so on the machines this was run on every value is equal to the
last bit (max abs difference 0 for all 22 ids); the 1e-6 tolerance leaves room for a BLAS whose
small-vector dot product rounds differently (np.linalg.norm).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pytest

import envfleet

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

TASK_IDS = envfleet.registry.families()["mujoco"]
ATOL = 1e-6
NUM_ENVS = 2
NUM_STEPS = 1000
# Runs with non-default options are shorter: they check that the options are honoured.
NUM_STEPS_WITH_OPTIONS = 300


def _asset(name: str) -> str:
    import gymnasium.envs.mujoco

    return os.path.join(os.path.dirname(gymnasium.envs.mujoco.__file__), "assets", name)


# Every option of a task at a non-default value somewhere, the model file given as a path.
OPTION_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "Ant-v4",
        {
            "use_contact_forces": True,
            "terminate_when_unhealthy": False,
            "exclude_current_positions_from_observation": False,
            "ctrl_cost_weight": 0.3,
            "contact_cost_weight": 1e-3,
            "healthy_reward": 2.0,
            "healthy_z_range": (0.3, 0.9),
            "contact_force_range": (-0.5, 0.5),
            "reset_noise_scale": 0.2,
            "xml_file": _asset("ant.xml"),
        },
    ),
    (
        "Ant-v5",
        {
            "include_cfrc_ext_in_observation": False,
            "main_body": 2,
            "frame_skip": 3,
            "forward_reward_weight": 2.0,
            "healthy_z_range": [0.3, 0.9],
        },
    ),
    (
        "HalfCheetah-v4",
        {
            "forward_reward_weight": 2.0,
            "ctrl_cost_weight": 0.3,
            "reset_noise_scale": 0.2,
            "exclude_current_positions_from_observation": False,
        },
    ),
    ("HalfCheetah-v5", {"frame_skip": 2, "xml_file": _asset("half_cheetah.xml")}),
    (
        "Hopper-v4",
        {
            "healthy_state_range": (-50.0, 50.0),
            "healthy_z_range": (0.8, 2.0),
            "healthy_angle_range": (-0.3, 0.3),
            "terminate_when_unhealthy": False,
            "forward_reward_weight": 2.0,
            "ctrl_cost_weight": 0.01,
            "healthy_reward": 0.5,
            "reset_noise_scale": 0.02,
            "exclude_current_positions_from_observation": False,
        },
    ),
    ("Hopper-v5", {"frame_skip": 2, "terminate_when_unhealthy": False}),
    (
        "Humanoid-v4",
        {
            "forward_reward_weight": 2.0,
            "ctrl_cost_weight": 0.2,
            "healthy_reward": 1.0,
            "terminate_when_unhealthy": False,
            "healthy_z_range": (0.9, 2.1),
            "reset_noise_scale": 0.05,
            "exclude_current_positions_from_observation": False,
        },
    ),
    (
        "Humanoid-v5",
        {
            "include_cinert_in_observation": False,
            "include_cvel_in_observation": False,
            "contact_cost_weight": 1e-5,
            "contact_cost_range": (0.0, 5.0),
            "frame_skip": 3,
        },
    ),
    (
        "HumanoidStandup-v5",
        {
            "include_qfrc_actuator_in_observation": False,
            "include_cfrc_ext_in_observation": False,
            "exclude_current_positions_from_observation": False,
            "uph_cost_weight": 2.0,
            "ctrl_cost_weight": 0.2,
            "impact_cost_weight": 1e-6,
            "impact_cost_range": (-1.0, 1e-3),
            "reset_noise_scale": 0.05,
        },
    ),
    ("InvertedDoublePendulum-v5", {"healthy_reward": 5.0, "reset_noise_scale": 0.2}),
    ("InvertedPendulum-v5", {"reset_noise_scale": 0.05, "frame_skip": 4}),
    (
        "Pusher-v5",
        {"reward_near_weight": 1.0, "reward_dist_weight": 2.0, "reward_control_weight": 0.5},
    ),
    ("Reacher-v5", {"reward_dist_weight": 2.0, "reward_control_weight": 0.5}),
    (
        "Swimmer-v4",
        {
            "forward_reward_weight": 2.0,
            "ctrl_cost_weight": 0.01,
            "reset_noise_scale": 0.2,
            "exclude_current_positions_from_observation": False,
        },
    ),
    ("Swimmer-v5", {"frame_skip": 2}),
    (
        "Walker2d-v4",
        {
            "terminate_when_unhealthy": False,
            "healthy_reward": 0.5,
            "healthy_z_range": (0.7, 2.1),
            "healthy_angle_range": (-1.2, 1.2),
        },
    ),
    (
        "Walker2d-v5",
        {
            "ctrl_cost_weight": 0.01,
            "forward_reward_weight": 2.0,
            "reset_noise_scale": 0.02,
            "xml_file": _asset("walker2d.xml"),
        },
    ),
]
CASES = [(task_id, {}) for task_id in TASK_IDS] + OPTION_CASES


def _case_id(case: tuple[str, dict[str, Any]]) -> str:
    task_id, options = case
    return task_id + ("-options" if options else "")


def _actions(low: np.ndarray, high: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One float32 action per env, uniform over the bounds widened by 10% on each side."""
    margin = 0.1 * (high - low)
    return rng.uniform(low - margin, high + margin, size=(NUM_ENVS, *low.shape)).astype(np.float32)


def _assert_close(actual: Any, expected: Any, where: str) -> None:
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=0,
        atol=ATOL,
        err_msg=where,
    )


def _start_episode(load_state, pool, reference, env_id: int, obs, info, where: str) -> None:
    """Copies env `env_id`'s state into `reference`; checks the reset observation and info."""
    state = pool.get_state(env_id=[env_id])
    load_state(reference, state["qpos"][0], state["qvel"][0])
    _assert_close(obs[env_id], reference.unwrapped._get_obs(), where + " reset obs")
    for key, value in reference.unwrapped._get_reset_info().items():
        _assert_close(info[key][env_id], value, f"{where} reset info {key}")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_trajectories_match_gymnasium(make_pool, make_reference, load_state, case):
    task_id, options = case
    pool = make_pool(task_id, num_envs=NUM_ENVS, num_threads=2, seed=0, **options)
    references = [make_reference(task_id, **options) for _ in range(NUM_ENVS)]
    space = pool.single_action_space
    rng = np.random.default_rng(1234)

    # The same spaces; the info keys are Gymnasium's step info keys (plus the engine's).
    assert pool.single_observation_space == references[0].observation_space
    assert space == references[0].action_space
    references[0].reset(seed=0)
    gym_keys = set(references[0].step(space.sample())[4])
    obs, info = pool.reset()
    assert set(info) - {"env_id", "elapsed_step"} == gym_keys

    for env_id, reference in enumerate(references):
        _start_episode(load_state, pool, reference, env_id, obs, info, f"{task_id} env {env_id}")

    episode_over = np.zeros(NUM_ENVS, dtype=bool)
    ends = 0
    num_steps = NUM_STEPS_WITH_OPTIONS if options else NUM_STEPS
    for step in range(num_steps):
        actions = _actions(space.low, space.high, rng)
        obs, reward, terminated, truncated, info = pool.step(actions)
        for env_id, reference in enumerate(references):
            where = f"{task_id} {options} env {env_id} step {step}"
            if episode_over[env_id]:
                # NEXT_STEP autoreset: a fresh episode, whose state the twin takes over.
                _start_episode(load_state, pool, reference, env_id, obs, info, where)
                continue
            expected = reference.step(actions[env_id].copy())
            expected_obs, expected_reward, expected_terminated, expected_truncated, gym_info = (
                expected
            )
            _assert_close(obs[env_id], expected_obs, where + " obs")
            _assert_close(reward[env_id], expected_reward, where + " reward")
            assert bool(terminated[env_id]) == expected_terminated, where
            assert bool(truncated[env_id]) == expected_truncated, where
            for key, value in gym_info.items():
                _assert_close(info[key][env_id], value, f"{where} info {key}")
            ends += int(expected_terminated or expected_truncated)
        # The physics is the same libmujoco calls (mj_step, or for the Euler and implicit
        # integrators mj_step1 then mj_step2 in parts), so the state is equal to the last bit.
        state = pool.get_state()
        for env_id, reference in enumerate(references):
            if not episode_over[env_id]:
                where = f"{task_id} {options} env {env_id} step {step} state"
                np.testing.assert_array_equal(
                    state["qpos"][env_id], reference.unwrapped.data.qpos, where
                )
                np.testing.assert_array_equal(
                    state["qvel"][env_id], reference.unwrapped.data.qvel, where
                )
        episode_over = terminated | truncated

    # Full-length runs go through episode ends (a time limit at least).
    assert ends > 0 or options


# Per-env options at reset: for each id that declares some, every one of them at the non-default
# value the OPTION_CASES of its task (either version) give it.
_OPTION_VALUES: dict[str, dict[str, Any]] = {}
for _task_id, _options in OPTION_CASES:
    _OPTION_VALUES.setdefault(_task_id.split("-")[0], {}).update(_options)
RESET_OPTION_CASES = [
    (task_id, {k: _OPTION_VALUES[task_id.split("-")[0]][k] for k in reset_options})
    for task_id in TASK_IDS
    if (reset_options := envfleet.make_spec(task_id).reset_options)
]
NUM_STEPS_AFTER_RESET_OPTIONS = 200


@pytest.mark.parametrize("case", RESET_OPTION_CASES, ids=_case_id)
def test_reset_options_match_gymnasium_made_with_them(make_pool, make_reference, load_state, case):
    # A pool of default envs gives env 1 the task's reset options (every one of them, at
    # non-default values) at a reset. From there env 1 runs as Gymnasium's env constructed with
    # those values and exactly as a pool made with them; env 0 as before, as Gymnasium's default.
    task_id, options = case
    pool = make_pool(task_id, num_envs=NUM_ENVS, seed=3)
    made_with = make_pool(task_id, num_envs=NUM_ENVS, seed=3, **options)
    references = [make_reference(task_id), make_reference(task_id, **options)]
    space = pool.single_action_space
    rng = np.random.default_rng(5)
    pool.reset()
    obs, info = pool.reset(env_id=[1], options=options)
    obs, info = pool.reset(env_id=[0, 1])  # the values hold over later resets too
    made_with.reset()
    made_with.reset(env_id=[1])
    made_obs, _ = made_with.reset(env_id=[0, 1])
    np.testing.assert_array_equal(obs[1], made_obs[1])
    for env_id, reference in enumerate(references):
        _start_episode(load_state, pool, reference, env_id, obs, info, f"{task_id} env {env_id}")
    episode_over = np.zeros(NUM_ENVS, dtype=bool)
    for step in range(NUM_STEPS_AFTER_RESET_OPTIONS):
        actions = _actions(space.low, space.high, rng)
        obs, reward, terminated, truncated, info = pool.step(actions)
        made = made_with.step(actions)
        for k, value in enumerate((obs, reward, terminated, truncated)):
            np.testing.assert_array_equal(value[1], made[k][1], f"{task_id} step {step}")
        for env_id, reference in enumerate(references):
            where = f"{task_id} {options if env_id else {}} env {env_id} step {step}"
            if episode_over[env_id]:
                _start_episode(load_state, pool, reference, env_id, obs, info, where)
                continue
            expected_obs, expected_reward, expected_terminated, _, gym_info = reference.step(
                actions[env_id].copy()
            )
            _assert_close(obs[env_id], expected_obs, where + " obs")
            _assert_close(reward[env_id], expected_reward, where + " reward")
            assert bool(terminated[env_id]) == expected_terminated, where
            for key, value in gym_info.items():
                _assert_close(info[key][env_id], value, f"{where} info {key}")
        episode_over = terminated | truncated
