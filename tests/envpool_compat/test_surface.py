"""envfleet.envpool shows EnvPool 1.2.5's surface: classes, spaces, spec, info keys and dtypes.

Each test makes the same call on EnvPool and on the layer and compares what EnvPool's users
read. Where the two libraries knowingly differ (MuJoCo info names follow Gymnasium, Atari's
`info["ram"]`), docs/from_envpool.md says so and these tests leave it out explicitly.
"""

from __future__ import annotations

import dm_env
import envpool
import gymnasium
import numpy as np
import pytest

import envfleet.envpool
from envfleet import registry

from .spec_checks import assert_array_specs_match

CLASSIC = list(registry.families()["classic_control"])
MUJOCO = list(registry.families()["mujoco"])
SAMPLE = [*CLASSIC, "Pong-v5", "Breakout-v5", "HalfCheetah-v5", "Hopper-v4", "Ant-v5"]
# Info keys EnvPool reports and envfleet does not (docs/from_envpool.md): Acrobot's
# raw state; MuJoCo's per-term info follows Gymnasium's names in envfleet.
ENVPOOL_ONLY_INFO = {"state"}


def _info_layout(info: dict) -> dict:
    return {
        key: _info_layout(value) if isinstance(value, dict) else (value.dtype, value.shape)
        for key, value in info.items()
        if key not in ENVPOOL_ONLY_INFO
    }


def test_class_relations(make_ours):
    gym_pool = make_ours("CartPole-v1", "gym", num_envs=2)
    assert isinstance(gym_pool, gymnasium.Env)
    assert isinstance(gym_pool, gymnasium.vector.VectorEnv)
    assert gym_pool.is_vector_env
    assert isinstance(make_ours("CartPole-v1", "dm"), dm_env.Environment)


@pytest.mark.parametrize("task_id", SAMPLE)
def test_single_env_spaces_match_envpool(make_ours, make_theirs, task_id):
    ours, theirs = make_ours(task_id, num_envs=3), make_theirs(task_id, num_envs=3)
    assert ours.observation_space.shape == theirs.observation_space.shape
    assert ours.observation_space.dtype == theirs.observation_space.dtype
    assert ours.single_observation_space is ours.observation_space
    assert ours.single_action_space is ours.action_space
    assert type(ours.action_space) is type(theirs.action_space)
    assert ours.action_space.shape == theirs.action_space.shape
    if isinstance(theirs.action_space, gymnasium.spaces.Discrete):
        assert ours.action_space.n == theirs.action_space.n
    else:
        np.testing.assert_array_equal(ours.action_space.low, theirs.action_space.low)
        np.testing.assert_array_equal(ours.action_space.high, theirs.action_space.high)
    assert ours.num_envs == len(ours) == 3


@pytest.mark.parametrize("task_id", [*CLASSIC, "Pong-v5", "Breakout-v5", *MUJOCO])
@pytest.mark.parametrize("given", ["defaults", "envpool_config"])
def test_spec_config_and_reward_threshold_match_envpool(task_id, given):
    theirs = envpool.make_spec(task_id, num_envs=4, seed=7)
    theirs_config = theirs.config._asdict()
    del theirs_config["base_path"]  # where EnvPool's assets lie
    # EnvPool's whole config for the id, given back as keywords: every option is accepted.
    kwargs = theirs_config if given == "envpool_config" else {"num_envs": 4, "seed": 7}
    ours = envfleet.envpool.make_spec(task_id, **kwargs)
    assert ours.reward_threshold == theirs.reward_threshold
    ours_config = ours.config._asdict()
    assert not set(theirs_config) - set(ours_config)
    assert {k: ours_config[k] for k in theirs_config} == theirs_config
    assert ours.observation_space.shape == theirs.observation_space.shape
    assert ours.action_space.shape == theirs.action_space.shape


def test_renamed_mujoco_options_reach_the_task():
    spec = envfleet.envpool.make_spec("Hopper-v5", healthy_z_min=0.5)
    assert spec.envfleet_spec.config["healthy_z_range"] == [0.5, float("inf")]
    assert spec.config.healthy_z_min == 0.5
    spec = envfleet.envpool.make_spec("Pusher-v5", dist_cost_weight=2.0)
    assert spec.envfleet_spec.config["reward_dist_weight"] == 2.0


def test_version_options_are_fixed_per_id():
    envfleet.envpool.make_spec("Ant-v5", post_constraint=True, legacy_healthy_reward=False)
    with pytest.raises(ValueError, match="post_constraint"):
        envfleet.envpool.make_spec("Ant-v5", post_constraint=False)
    with pytest.raises(TypeError, match="no_such_option"):
        envfleet.envpool.make_spec("Ant-v5", no_such_option=1)


@pytest.mark.parametrize("task_id", ["CartPole-v1", "Acrobot-v1", "Pong-v5"])
def test_info_keys_and_dtypes_match_envpool(make_ours, make_theirs, task_id):
    ours, theirs = make_ours(task_id, num_envs=2), make_theirs(task_id, num_envs=2)
    (_, our_info), (_, their_info) = ours.reset(), theirs.reset()
    assert _info_layout(our_info) == _info_layout(their_info)
    assert list(_info_layout(our_info)) == list(_info_layout(their_info))
    actions = np.zeros(2, dtype=np.int32)
    our_step, their_step = ours.step(actions), theirs.step(actions)
    for mine, other in zip(our_step[:4], their_step[:4], strict=True):
        assert (mine.dtype, mine.shape) == (other.dtype, other.shape)
    assert _info_layout(our_step[4]) == _info_layout(their_step[4])


def test_dm_timestep_layout_matches_envpool(make_ours, make_theirs):
    ours, theirs = make_ours("Pong-v5", "dm", num_envs=2), make_theirs("Pong-v5", "dm", num_envs=2)
    for our_ts, their_ts in (
        (ours.reset(), theirs.reset()),
        (ours.step(np.ones(2, np.int32)), theirs.step(np.ones(2, np.int32))),
    ):
        fields = [f for f in their_ts.observation._fields if f not in ENVPOOL_ONLY_INFO]
        assert list(our_ts.observation._fields) == fields
        for name in ("step_type", "reward", "discount"):
            assert getattr(our_ts, name).dtype == getattr(their_ts, name).dtype
        np.testing.assert_array_equal(our_ts.step_type, their_ts.step_type)
        assert our_ts.observation.players.env_id.dtype == np.int32
    assert ours.observation_spec().obs == theirs.observation_spec().obs
    assert ours.action_spec() == theirs.action_spec()


def test_seed_warns_as_envpool(make_ours):
    for env_type in ("gym", "dm"):
        with pytest.warns(UserWarning, match="abandoned"):
            make_ours("CartPole-v1", env_type).seed(1)
    with pytest.warns(UserWarning, match="ignored"):
        make_ours("CartPole-v1").reset(seed=3)


def test_step_before_reset_resets(make_ours):
    stepped = make_ours("CartPole-v1", num_envs=3, seed=5)
    reset = make_ours("CartPole-v1", num_envs=3, seed=5)
    obs, reward, terminated, truncated, info = stepped.step(np.ones(3, dtype=np.int32))
    reset_obs, reset_info = reset.reset()
    np.testing.assert_array_equal(obs, reset_obs)
    assert reward.tolist() == [0.0] * 3 and reward.dtype == np.float32
    assert not terminated.any() and not truncated.any()
    assert info["elapsed_step"].tolist() == [0, 0, 0]
    # The next step is an ordinary one.
    _, _, _, _, info = stepped.step(np.ones(3, dtype=np.int32))
    assert info["elapsed_step"].tolist() == [1, 1, 1]


def test_step_before_reset_of_some_envs(make_ours):
    pool = make_ours("CartPole-v1", num_envs=4, seed=5)
    pool.reset(np.array([1, 3]))
    _, reward, _, _, info = pool.step(np.ones(4, dtype=np.int32))
    assert info["env_id"].tolist() == [0, 1, 2, 3]
    assert info["elapsed_step"].tolist() == [0, 1, 0, 1]
    assert reward.tolist() == [0.0, 1.0, 0.0, 1.0]


def test_positional_reset_and_partial_step(make_ours):
    pool = make_ours("CartPole-v1", num_envs=4)
    obs, info = pool.reset(np.array([2, 0]))
    assert obs.shape == (2, 4) and info["env_id"].tolist() == [2, 0]
    _, _, _, _, info = pool.step(np.ones(2, dtype=np.int32), np.array([0, 2]))
    assert info["env_id"].tolist() == [0, 2]
    obs, info = pool.reset(options={"reset_mask": np.array([False, True, False, False])})
    assert info["env_id"].tolist() == [1]


def test_async_send_recv(make_ours):
    pool = make_ours("Pong-v5", num_envs=4, batch_size=2)
    assert pool.is_async
    pool.async_reset()
    seen = set()
    for _ in range(6):
        _, _, _, _, info = pool.recv()
        seen.update(info["env_id"].tolist())
        pool.send(np.ones(2, dtype=np.int32), info["env_id"])
    assert seen == {0, 1, 2, 3}


def test_actions_in_envpools_forms(make_ours):
    pool = make_ours("Pong-v5", "dm", num_envs=2)
    pool.reset()
    ids = np.arange(2, dtype=np.int32)
    with pytest.raises(RuntimeError, match="int32"):
        pool.step({"env_id": ids, "players.env_id": ids, "action": np.ones(2, np.int64)})
    ts = pool.step(
        {"env_id": ids[1:], "players": {"env_id": ids[1:]}, "action": np.ones(1, np.int32)}
    )
    assert ts.observation.env_id.tolist() == [1]
    ts = pool.step(np.ones(2))  # float actions are cast, as EnvPool casts them
    assert ts.mid().all()


def test_envpool_ids_resolve():
    assert envfleet.envpool.make_spec("TicTacToe3d-v5").observation_space.shape == (4, 84, 84)
    assert envfleet.envpool.make_spec("phys2d/CartPole-v1").reward_threshold == 475.0
    ours = envfleet.envpool.list_all_envs()
    assert "TicTacToe3d-v5" in ours and "TicTacToe3D-v5" not in ours
    assert set(ours) <= set(envpool.list_all_envs())
    with pytest.raises(AssertionError, match="not supported"):
        envfleet.envpool.make_gym("NoSuchTask-v0")


def test_frame_stack_is_envpools(make_ours, make_theirs):
    spec = envfleet.envpool.make_spec("HalfCheetah-v5", frame_stack=4)
    assert (
        spec.observation_space.shape
        == envpool.make_spec("HalfCheetah-v5", frame_stack=4).observation_space.shape
    )
    pool = make_ours("HalfCheetah-v5", num_envs=2, seed=0, frame_stack=3, max_episode_steps=3)
    plain = make_ours("HalfCheetah-v5", num_envs=2, seed=0, max_episode_steps=3)
    obs, _ = pool.reset()
    plain_obs, _ = plain.reset()
    assert obs.shape == (2, 3, 17)
    np.testing.assert_array_equal(obs, np.repeat(plain_obs[:, None], 3, axis=1))
    history = [plain_obs]
    action = np.zeros((2, 6))
    for _ in range(2):
        obs, *_ = pool.step(action)
        history.append(plain.step(action)[0])
        np.testing.assert_array_equal(obs[:, -1], history[-1])
        np.testing.assert_array_equal(obs[:, -2], history[-2])
    # The episode ends at step 3; the autoreset step refills the stack with the new first obs.
    pool.step(action), plain.step(action)
    obs, *_ = pool.step(action)
    np.testing.assert_array_equal(obs, np.repeat(plain.step(action)[0][:, None], 3, axis=1))


def test_render_needs_render_mode(make_ours):
    with pytest.raises(RuntimeError, match="render_mode"):
        make_ours("Pong-v5").render()
    pool = make_ours("Pong-v5", num_envs=3, render_mode="rgb_array")
    pool.reset()
    assert pool.render().shape == (1, 210, 160, 3)
    assert pool.render(env_ids=[0, 2]).shape == (2, 210, 160, 3)


@pytest.mark.parametrize("task_id", ["CartPole-v1", "Pong-v5", "HalfCheetah-v5"])
def test_dm_step_types_and_discounts_match_envpool(make_ours, make_theirs, task_id):
    # A 3-step time limit: the ending step is LAST with discount 0 (EnvPool's rule), the next
    # one FIRST with discount 1 and reward 0.
    ours = make_ours(task_id, "dm", num_envs=1, max_episode_steps=3)
    theirs = make_theirs(task_id, "dm", num_envs=1, max_episode_steps=3)
    ours.reset(), theirs.reset()
    action = np.zeros((1, *ours.action_spec().shape), dtype=ours.action_spec().dtype)
    for _ in range(5):
        our_ts, their_ts = ours.step(action), theirs.step(action)
        assert our_ts.step_type.tolist() == their_ts.step_type.tolist()
        assert our_ts.discount.tolist() == their_ts.discount.tolist()


@pytest.mark.parametrize("task_id", ["Pong-v5", "CartPole-v1", "Pendulum-v1"])
def test_array_specs_match_envpool(task_id):
    # (MuJoCo's differ where documented: float32 actions, Gymnasium's info names.)
    ours, theirs = envfleet.envpool.make_spec(task_id), envpool.make_spec(task_id)
    # Bounds of what the user reads (EnvPool's float info bounds are float32's tiny..max).
    assert_array_specs_match(ours, theirs, has_bounds=lambda name: name in ("obs", "action"))


def test_a_refused_first_step_leaves_the_envs_unreset(make_ours):
    pool = make_ours("CartPole-v1", num_envs=2, seed=5)
    with pytest.raises(ValueError, match="shape"):
        pool.step(np.ones(3, dtype=np.int32))
    _, reward, _, _, info = pool.step(np.ones(2, dtype=np.int32))
    assert info["elapsed_step"].tolist() == [0, 0] and reward.tolist() == [0.0, 0.0]


def test_episode_stats_in_the_gym_api(make_ours):
    # envfleet's own keyword: Gymnasium's RecordEpisodeStatistics keys, from the engine.
    pool = make_ours("CartPole-v1", num_envs=3, seed=1, episode_stats=True)
    pool.reset()
    rng = np.random.default_rng(0)
    returns, episodes = np.zeros(3), 0
    for _ in range(200):
        _, reward, term, trunc, info = pool.step(rng.integers(2, size=3))
        returns += reward
        assert ("episode" in info) == bool((term | trunc).any())
        if "episode" in info:
            np.testing.assert_array_equal(info["_episode"], term | trunc)
            np.testing.assert_array_equal(info["episode"]["r"], np.where(term | trunc, returns, 0))
            episodes += int(info["_episode"].sum())
        returns[term | trunc] = 0
        returns[info["elapsed_step"] == 0] = 0
    assert episodes > 5
    with pytest.raises(ValueError, match="episode_stats"):
        make_ours("CartPole-v1", "dm", episode_stats=True)
