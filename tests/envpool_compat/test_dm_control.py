"""envfleet.envpool's Control Suite ids against EnvPool 1.2.5's (its `mujoco/dmc` envs).

The same calls on both libraries, comparing what EnvPool's users read: spaces (keys, shapes,
dtypes, EnvPool's bounds), `spec.config`, array specs, dm TimeStep fields and dtypes, gym info,
step types and discounts at the time limit, frame_stack. Values differ (each library draws its
own initial states); envfleet's values are checked against dm_control in tests/control_suite.
Where the layer knowingly differs (Quadruped's `origin` in tasks dm_control gives none),
docs/from_envpool.md says so and the test leaves it out explicitly.
"""

from __future__ import annotations

import envpool
import numpy as np
import pytest

import envfleet.envpool
from envfleet import registry

from .spec_checks import assert_array_specs_match

# Every suite id envfleet has that EnvPool has too.
SUITE = [i for i in registry.families()["dm_control"] if i in set(envpool.list_all_envs())]
SAMPLE = ["CheetahRun-v1", "WalkerWalk-v1", "QuadrupedWalk-v1", "QuadrupedEscape-v1"]
POOL_SETTINGS = ("base_path",)  # where EnvPool's assets lie


def _layout(space) -> dict:
    return {
        name: (part.shape, part.dtype, float(part.low.flat[0]), float(part.high.flat[0]))
        for name, part in space.spaces.items()
    }


def test_every_suite_id_is_listed_in_envpools_spelling():
    assert SUITE and set(SUITE) <= set(envfleet.envpool.list_all_envs())


@pytest.mark.parametrize("task_id", SUITE)
def test_spec_matches_envpool(task_id):
    ours = envfleet.envpool.make_spec(task_id, num_envs=4, seed=7)
    theirs = envpool.make_spec(task_id, num_envs=4, seed=7)
    assert _layout(ours.observation_space) == _layout(theirs.observation_space)
    assert list(ours.observation_space.spaces) == list(theirs.observation_space.spaces)
    assert ours.action_space.dtype == theirs.action_space.dtype
    np.testing.assert_array_equal(ours.action_space.low, theirs.action_space.low)
    np.testing.assert_array_equal(ours.action_space.high, theirs.action_space.high)
    theirs_config = theirs.config._asdict()
    for name in POOL_SETTINGS:
        del theirs_config[name]
    assert ours.config._asdict() == theirs_config | {"base_path": ""}
    assert list(ours.config._fields) == list(theirs.config._fields)
    assert ours.reward_threshold == theirs.reward_threshold
    # EnvPool's whole config given back as keywords is accepted.
    again = envfleet.envpool.make_spec(task_id, **theirs_config)
    assert again.config._asdict() == ours.config._asdict()


@pytest.mark.parametrize("task_id", SAMPLE)
def test_array_specs_and_dm_specs_match_envpool(task_id):
    ours, theirs = envfleet.envpool.make_spec(task_id), envpool.make_spec(task_id)
    assert_array_specs_match(
        ours, theirs, has_bounds=lambda name: name.startswith("obs:") or name == "action"
    )
    assert ours.observation_spec() == theirs.observation_spec()
    assert ours.action_spec() == theirs.action_spec()


@pytest.mark.parametrize("task_id", SAMPLE)
def test_dm_timesteps_match_envpools_layout(make_ours, make_theirs, task_id):
    ours = make_ours(task_id, "dm", num_envs=2, seed=3)
    theirs = make_theirs(task_id, "dm", num_envs=2, seed=3)
    assert ours.observation_spec() == theirs.observation_spec()
    action = np.zeros((2, *ours.action_spec().shape))
    for our_ts, their_ts in (
        (ours.reset(), theirs.reset()),
        (ours.step(action), theirs.step(action)),
    ):
        assert our_ts.observation._fields == their_ts.observation._fields
        for name in ("step_type", "reward", "discount"):
            mine, other = getattr(our_ts, name), getattr(their_ts, name)
            assert (mine.dtype, mine.shape) == (other.dtype, other.shape), name
        np.testing.assert_array_equal(our_ts.step_type, their_ts.step_type)
        np.testing.assert_array_equal(our_ts.discount, their_ts.discount)
        for name in our_ts.observation._fields:
            mine, other = getattr(our_ts.observation, name), getattr(their_ts.observation, name)
            if name == "players":
                mine, other = mine.env_id, other.env_id
            assert (mine.dtype, mine.shape) == (other.dtype, other.shape), name


@pytest.mark.parametrize("task_id", SAMPLE)
def test_gym_results_match_envpools_layout(make_ours, make_theirs, task_id):
    ours, theirs = make_ours(task_id, num_envs=2), make_theirs(task_id, num_envs=2)
    (our_obs, our_info), (their_obs, their_info) = ours.reset(), theirs.reset()

    def layout(tree):
        return {
            k: layout(v) if isinstance(v, dict) else (v.dtype, v.shape) for k, v in tree.items()
        }

    assert layout(our_obs) == layout(their_obs)
    assert list(our_obs) == list(their_obs)
    assert layout(our_info) == layout(their_info)
    action = np.zeros((2, *ours.action_space.shape))
    our_step, their_step = ours.step(action), theirs.step(action)
    assert layout(our_step[0]) == layout(their_step[0])
    for mine, other in zip(our_step[1:4], their_step[1:4], strict=True):
        assert (mine.dtype, mine.shape) == (other.dtype, other.shape)
    assert layout(our_step[4]) == layout(their_step[4])


@pytest.mark.parametrize("task_id", ["CheetahRun-v1", "QuadrupedFetch-v1"])
def test_time_limit_step_types_and_discounts_match_envpool(make_ours, make_theirs, task_id):
    # max_episode_steps=3: the ending step is LAST with discount 1 (a time limit), the next one
    # FIRST with reward 0.
    ours = make_ours(task_id, "dm", num_envs=1, max_episode_steps=3)
    theirs = make_theirs(task_id, "dm", num_envs=1, max_episode_steps=3)
    ours.reset(), theirs.reset()
    action = np.zeros((1, *ours.action_spec().shape))
    for _ in range(5):
        our_ts, their_ts = ours.step(action), theirs.step(action)
        assert our_ts.step_type.tolist() == their_ts.step_type.tolist()
        assert our_ts.discount.tolist() == their_ts.discount.tolist()
        if our_ts.step_type[0] == 0:  # (EnvPool's Quadruped repeats the last reward here)
            assert our_ts.reward.tolist() == [0.0]


def test_frame_stack_stacks_each_key_as_envpool(make_ours, make_theirs):
    ours = make_ours("WalkerWalk-v1", num_envs=2, frame_stack=3)
    theirs = make_theirs("WalkerWalk-v1", num_envs=2, frame_stack=3)
    assert _layout(ours.observation_space) == _layout(theirs.observation_space)
    obs, _ = ours.reset()
    assert {k: v.shape for k, v in obs.items()} == {
        k: v.shape for k, v in theirs.reset()[0].items()
    }
    # A reset fills the stack with its observation; a step shifts it by one.
    np.testing.assert_array_equal(obs["height"][:, 0], obs["height"][:, 2])
    stepped, *_ = ours.step(np.zeros((2, 6)))
    np.testing.assert_array_equal(stepped["velocity"][:, :2], obs["velocity"][:, 1:])
    assert not np.array_equal(stepped["velocity"][:, 2], obs["velocity"][:, 2])


def test_observations_are_envfleets_task(make_ours):
    # The layer passes envfleet's (dm_control-aligned) observation on: same seed, same values.
    layer = make_ours("QuadrupedEscape-v1", num_envs=2, seed=4)
    native = envfleet.make_gymnasium("QuadrupedEscape-v1", num_envs=2, seed=4)
    (ours, _), (theirs, _) = layer.reset(), native.reset()
    action = np.full((2, 12), 0.1)
    for _ in range(3):
        for key, value in theirs.items():
            np.testing.assert_array_equal(ours[key], value, err_msg=key)
        ours, theirs = layer.step(action)[0], native.step(action)[0]
    native.close()


def test_quadruped_keys_dm_control_lacks_are_zeros(make_ours):
    # EnvPool reports every Quadruped key for every task; envfleet's walk has no rangefinder,
    # ball or target (nor origin: EnvPool computes it, the layer gives zeros; docs say so).
    obs, _ = make_ours("QuadrupedWalk-v1", num_envs=2).reset()
    for key in ("origin", "rangefinder", "ball_state", "target_position"):
        assert not obs[key].any(), key
    assert obs["torso_upright"].all()


def test_envpools_frame_skip_is_dm_controls_n_sub_steps_for_every_suite_id():
    # Ids EnvPool lacks too (the layer makes every envfleet id): dm_control's own value.
    import os

    gl = os.environ.get("MUJOCO_GL")
    os.environ["MUJOCO_GL"] = "disable"
    try:
        from dm_control import suite
    finally:
        if gl is None:
            del os.environ["MUJOCO_GL"]
        else:
            os.environ["MUJOCO_GL"] = gl
    from envfleet.dm_control_tasks import DOMAIN_TASK

    seen = set()
    for task_id, (domain, task) in DOMAIN_TASK.items():
        if domain in seen:
            continue
        seen.add(domain)
        env = suite.load(domain, task)
        sub_steps = round(env.control_timestep() / env.physics.timestep())
        assert envfleet.envpool.make_spec(task_id).config.frame_skip == sub_steps, task_id


def test_envpools_frame_skip_is_the_tasks_sub_steps():
    assert envfleet.envpool.make_spec("WalkerWalk-v1", frame_skip=10).config.frame_skip == 10
    with pytest.raises(ValueError, match="frame_skip"):
        envfleet.envpool.make_spec("WalkerWalk-v1", frame_skip=2)
    with pytest.raises(ValueError, match="task_name"):
        envfleet.envpool.make_spec("WalkerWalk-v1", task_name="run")
    # envfleet's own frame_skip (an action repeat) stays 1: 1000 env steps per episode.
    assert envfleet.envpool.make_spec("WalkerWalk-v1").envfleet_spec.max_episode_steps == 1000
