"""envfleet's toy-text pools: Gymnasium's spaces and registrations, options, determinism across
thread counts, and Blackjack's Tuple observations through every autoreset mode."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

import envfleet

TASK_IDS = list(envfleet.registry.families()["toy_text"])


@pytest.mark.parametrize("task_id", TASK_IDS)
def test_spaces_and_limits_are_gymnasiums(make_pool, task_id):
    pool = make_pool(task_id, num_envs=3)
    ref = gymnasium.make(task_id)
    assert pool.single_observation_space == ref.observation_space
    assert pool.single_action_space == ref.action_space
    reference_vector = gymnasium.vector.SyncVectorEnv([lambda: gymnasium.make(task_id)] * 3)
    assert pool.observation_space == reference_vector.observation_space
    assert pool.action_space == reference_vector.action_space
    assert pool.envfleet_spec.max_episode_steps == (ref.spec.max_episode_steps or 0)
    assert pool.envfleet_spec.reward_threshold == ref.spec.reward_threshold


def test_taxi_info_holds_prob_and_action_mask(make_pool):
    pool = make_pool("Taxi-v3", num_envs=2)
    _, info = pool.reset()
    assert info["prob"].dtype == np.float64 and info["action_mask"].shape == (2, 6)
    ref = gymnasium.make("Taxi-v3").unwrapped
    state = pool.get_state()["state"][:, 0].astype(int)
    np.testing.assert_array_equal(info["action_mask"], [ref.action_mask(s) for s in state])


def test_frozen_lake_desc_as_rows_or_lines(make_pool):
    rows = ["SFF", "FHF", "FFG"]
    as_rows = make_pool("FrozenLake-v1", num_envs=8, seed=1, desc=rows)
    as_lines = make_pool("FrozenLake-v1", num_envs=8, seed=1, desc="\n".join(rows))
    assert as_rows.single_observation_space == gymnasium.spaces.Discrete(9)
    np.testing.assert_array_equal(as_rows.reset()[0], as_lines.reset()[0])
    actions = np.arange(8) % 4
    np.testing.assert_array_equal(as_rows.step(actions)[0], as_lines.step(actions)[0])


@pytest.mark.parametrize(
    ("task_id", "state", "message"),
    [
        ("FrozenLake-v1", 16.0, r"one tile index in \[0, 16\)"),
        ("FrozenLake8x8-v1", 2.5, r"one tile index in \[0, 64\)"),
        ("CliffWalking-v1", -1.0, r"one cell index in \[0, 48\)"),
        ("CliffWalking-v1", 48.0, r"one cell index in \[0, 48\)"),
    ],
)
def test_set_state_rejects_what_is_not_a_state_index(task_id, state, message):
    pool = envfleet.make(task_id, num_envs=1)
    pool.reset()
    with pytest.raises(ValueError, match=message):
        pool.set_state(np.array([[state]]))
    pool.set_state(np.array([[3.0]]))
    np.testing.assert_array_equal(pool.get_state()["state"], [[3.0]])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"map_name": "5x5"}, "map_name"),
        ({"desc": ["SFX", "FFG"]}, "letter"),
        ({"desc": ["SF", "FFG"]}, "equal length"),
        ({"desc": ["FF", "FG"]}, "no start"),
        ({"success_rate": 1.5}, "success_rate"),
        ({"reward_schedule": [1.0, 0.0]}, "reward_schedule"),
    ],
)
def test_frozen_lake_rejects_bad_options(options, message):
    with pytest.raises(ValueError, match=message):
        envfleet.make("FrozenLake-v1", **options)


@pytest.mark.parametrize(
    ("task_id", "options"),
    [
        ("FrozenLake8x8-v1", {}),
        ("Taxi-v3", {"is_rainy": True, "fickle_passenger": True}),
        ("CliffWalkingSlippery-v1", {}),
        ("Blackjack-v1", {}),
    ],
)
def test_trajectories_do_not_depend_on_num_threads(make_pool, task_id, options):
    pools = [make_pool(task_id, num_envs=64, num_threads=n, seed=5, **options) for n in (1, 2)]
    results = [[pool.reset()[0]] for pool in pools]
    rng = np.random.default_rng(0)
    for _ in range(300):
        actions = rng.integers(0, pools[0].single_action_space.n, size=64)
        for pool, result in zip(pools, results, strict=True):
            obs, reward, terminated, truncated, _ = pool.step(actions)
            result.extend([obs, reward, terminated, truncated])
    for one, two in zip(*results, strict=True):
        np.testing.assert_array_equal(one, two)


def test_blackjack_tuple_observations_in_same_step_mode(make_pool):
    # Up to the first episode end, SAME_STEP returns in one step what NEXT_STEP returns over two:
    # the final observation (in info["final_obs"], a tuple of columns) and the next episode's
    # first, drawn from the same stream.
    next_step = make_pool("Blackjack-v1", num_envs=8, seed=2)
    same_step = make_pool("Blackjack-v1", num_envs=8, seed=2, autoreset_mode="same_step")
    for obs in (next_step.reset()[0], same_step.reset()[0]):
        assert isinstance(obs, tuple) and len(obs) == 3
    rng = np.random.default_rng(1)
    ended = np.zeros(8, dtype=bool)
    while not ended.any():
        actions = rng.integers(0, 2, size=8)
        obs, _, terminated, _, _ = next_step.step(actions)
        same_obs, _, same_terminated, _, info = same_step.step(actions)
        np.testing.assert_array_equal(same_terminated, terminated)
        ended = terminated
    assert isinstance(info["final_obs"], tuple) and isinstance(same_obs, tuple)
    np.testing.assert_array_equal(info["_final_obs"], ended)
    reset_obs, *_ = next_step.step(np.zeros(8, dtype=np.int64))
    for part, final_part, same_part, reset_part in zip(
        obs, info["final_obs"], same_obs, reset_obs, strict=True
    ):
        np.testing.assert_array_equal(final_part[ended], part[ended])
        np.testing.assert_array_equal(same_part[ended], reset_part[ended])


def test_blackjack_disabled_autoreset_resets_by_mask(make_pool):
    pool = make_pool("Blackjack-v1", num_envs=4, autoreset_mode="disabled")
    pool.reset()
    _, _, terminated, _, _ = pool.step(np.zeros(4, dtype=np.int64))  # stick: every hand ends
    assert terminated.all()
    with pytest.raises(RuntimeError, match="autoreset is disabled"):
        pool.step(np.zeros(4, dtype=np.int64))
    obs, _ = pool.reset(options={"reset_mask": np.array([True, False, True, False])})
    assert isinstance(obs, tuple) and all(part.shape == (4,) for part in obs)


def test_blackjack_dm_observations_are_tuples_with_matching_specs():
    pool = envfleet.make_dm("Blackjack-v1", num_envs=3)
    try:
        spec = pool.observation_spec().obs
        assert [part.num_values for part in spec] == [32, 11, 2]
        obs = pool.reset().observation.obs
        for part_spec, part in zip(spec, obs, strict=True):
            part_spec.validate(part[0])
            assert part.shape == (3,)
    finally:
        pool.close()
