"""reset(env_id=..., options={...}): per-env task options that change between episodes.

Each task declares which of its options may change at reset (`envfleet_spec.reset_options`, also
in the catalogue). The check for each: after such a reset, the envs given new values behave as a
pool made with those values does (same seed, same actions, exact equality), the other envs keep
behaving as before, and the values hold over later autoresets and travel in snapshots.
"""

from __future__ import annotations

import numpy as np
import pytest


def _rollout(pool, actions, env_id=None):
    rows = []
    for batch in actions:
        obs, reward, term, trunc, _ = pool.step(batch, env_id)
        rows.append((np.array(obs), reward.copy(), term.copy(), trunc.copy()))
    return rows


def _column(rows, env):
    """One env's results of a rollout, as arrays over time."""
    return [np.stack([row[k][env] for row in rows]) for k in range(4)]


@pytest.mark.parametrize(
    ("task_id", "name", "value", "max_steps"),
    [
        ("Pendulum-v1", "g", 3.5, 60),
        ("MountainCarContinuous-v0", "goal_velocity", 0.02, 80),
        ("HalfCheetah-v5", "forward_reward_weight", 2.5, 70),
        ("HalfCheetah-v5", "reset_noise_scale", 0.5, 70),
        ("Hopper-v5", "ctrl_cost_weight", 0.5, 70),
        ("Swimmer-v5", "ctrl_cost_weight", 0.3, 70),
    ],
)
def test_new_values_hold_from_that_reset_on_only_for_those_envs(
    make_pool, task_id, name, value, max_steps
):
    # A pool of 3 envs gives env 1 the new value at reset; a reference pool made with the value
    # for every env, and a plain one, are stepped with the same actions from the same seed.
    kwargs = {"num_envs": 3, "seed": 11, "max_episode_steps": max_steps}
    pool = make_pool(task_id, **kwargs)
    changed = make_pool(task_id, **kwargs, **{name: value})
    plain = make_pool(task_id, **kwargs)
    assert name in pool.envfleet_spec.reset_options
    space = pool.single_action_space
    rng = np.random.default_rng(0)
    actions = rng.uniform(space.low, space.high, size=(3 * max_steps, 3, *space.shape))
    actions = actions.astype(space.dtype)
    pool.reset()
    pool.reset(env_id=[1], options={name: value})  # only env 1 changes (reset again)
    changed.reset()
    plain.reset()
    changed.reset(env_id=[1])
    plain.reset(env_id=[1])
    rows = _rollout(pool, actions)  # crosses autoresets: the value holds over them
    ours, theirs, before = rows, _rollout(changed, actions), _rollout(plain, actions)
    for got, want in zip(_column(ours, 1), _column(theirs, 1), strict=True):
        np.testing.assert_array_equal(got, want)
    for env in (0, 2):
        for got, want in zip(_column(ours, env), _column(before, env), strict=True):
            np.testing.assert_array_equal(got, want)
    assert any(row[2][1] or row[3][1] for row in ours)  # an autoreset happened
    # The value travels with the env's snapshot: env 1's copy in env 0 behaves as env 1.
    pool.fork(1, [0])
    more = actions[:20].copy()
    more[:, 0] = more[:, 1]
    rows = _rollout(pool, more)
    for got, want in zip(_column(rows, 0), _column(rows, 1), strict=True):
        np.testing.assert_array_equal(got, want)


def test_array_values_give_each_env_its_own(make_pool):
    pool = make_pool("Pendulum-v1", num_envs=3, seed=0)
    reference = [make_pool("Pendulum-v1", num_envs=3, seed=0, g=g) for g in (1, 5, 9)]
    pool.reset(options={"g": np.array([1.0, 5.0, 9.0])})
    for ref in reference:
        ref.reset()
    actions = np.random.default_rng(1).uniform(-2, 2, size=(50, 3, 1)).astype(np.float32)
    ours = _rollout(pool, actions)
    for env, ref in enumerate(reference):
        theirs = _rollout(ref, actions)
        for got, want in zip(_column(ours, env), _column(theirs, env), strict=True):
            np.testing.assert_array_equal(got, want)


def test_reset_mask_takes_options_too(make_pool):
    pool = make_pool("MountainCar-v0", num_envs=2, seed=0)
    pool.reset()
    pool.reset(options={"reset_mask": np.array([False, True]), "goal_velocity": 0.01})


def test_unknown_or_fixed_options_raise_naming_the_allowed_ones(make_pool):
    pool = make_pool("HalfCheetah-v5", num_envs=2)
    cartpole = make_pool("CartPole-v1", num_envs=2)
    allowed = "forward_reward_weight, ctrl_cost_weight, reset_noise_scale"
    with pytest.raises(
        ValueError,
        match=f"'frame_skip' of HalfCheetah-v5 cannot change at reset; those that can: {allowed}",
    ):
        pool.reset(options={"frame_skip": 2})
    with pytest.raises(ValueError, match="'nonsense'"):
        pool.reset(env_id=[0], options={"nonsense": 1.0})
    with pytest.raises(TypeError, match="'ctrl_cost_weight' must be of type float"):
        pool.reset(options={"ctrl_cost_weight": "high"})
    with pytest.raises(ValueError, match="one value for every env reset or one per env"):
        pool.reset(options={"ctrl_cost_weight": [0.1, 0.2, 0.3]})
    with pytest.raises(ValueError, match="it has no options that can"):
        cartpole.reset(options={"sutton_barto_reward": True})
    assert cartpole.envfleet_spec.reset_options == ()


def _facades(task_id):
    """(name, make(**options) -> pool, reset(pool, env_id, options), step(pool, actions) ->
    (obs, reward) of each facade: the Gymnasium and dm_env pools, envfleet.envpool's gym and dm."""
    import envfleet.envpool

    def gym_step(pool, actions):
        obs, reward, *_ = pool.step(actions)
        return np.array(obs), reward.copy()

    def dm_step(pool, actions):
        timestep = pool.step(actions)
        return np.array(timestep.observation.obs), np.array(timestep.reward)

    return [
        (
            "gymnasium",
            lambda **kw: envfleet.make_gymnasium(task_id, **kw),
            lambda pool, ids, options: pool.reset(env_id=ids, options=options),
            gym_step,
        ),
        (
            "dm_env",
            lambda **kw: envfleet.make_dm(task_id, **kw),
            lambda pool, ids, options: pool.reset(env_id=ids, options=options),
            dm_step,
        ),
        (
            "envpool gym",
            lambda **kw: envfleet.envpool.make_gymnasium(task_id, **kw),
            lambda pool, ids, options: pool.reset(ids, options=options),
            gym_step,
        ),
        (
            "envpool dm",
            lambda **kw: envfleet.envpool.make_dm(task_id, **kw),
            lambda pool, ids, options: pool.reset(ids, options=options),
            dm_step,
        ),
    ]


@pytest.mark.parametrize(
    "facade", range(4), ids=["gymnasium", "dm_env", "envpool-gym", "envpool-dm"]
)
def test_every_facade_takes_per_env_options_at_reset(facade):
    # HalfCheetah's forward_reward_weight for env 1 only, through each facade's reset(): env 1 then
    # rewards as a pool made with the value, envs 0 and 2 as a plain one.
    name, make, reset, step = _facades("HalfCheetah-v4")[facade]
    pool = make(num_envs=3, seed=4)
    changed = make(num_envs=3, seed=4, forward_reward_weight=3.0)
    plain = make(num_envs=3, seed=4)
    try:
        for p in (pool, changed, plain):
            reset(p, None, None)
        reset(pool, np.array([1]), {"forward_reward_weight": 3.0})
        reset(changed, np.array([1]), None)
        reset(plain, np.array([1]), None)
        actions = np.random.default_rng(2).uniform(-1, 1, (60, 3, 6)).astype(np.float32)
        for t, batch in enumerate(actions):
            (obs, reward), (obs_c, reward_c), (obs_p, reward_p) = (
                step(p, batch) for p in (pool, changed, plain)
            )
            where = f"{name} step {t}"
            np.testing.assert_array_equal(obs[1], obs_c[1], where)
            assert reward[1] == reward_c[1] and reward[1] != reward_p[1], where
            np.testing.assert_array_equal(obs[[0, 2]], obs_p[[0, 2]], where)
            np.testing.assert_array_equal(reward[[0, 2]], reward_p[[0, 2]], where)
        with pytest.raises(ValueError, match="'frame_skip'"):
            reset(pool, np.array([0]), {"frame_skip": 2})
    finally:
        for p in (pool, changed, plain):
            p.close()


def test_a_value_the_task_refuses_raises_before_any_env_changes(make_pool):
    # A range of three numbers: the error a pool made with it raises, and no env changes.
    pool = make_pool("Hopper-v5", num_envs=2, seed=0)
    plain = make_pool("Hopper-v5", num_envs=2, seed=0)
    pool.reset()
    plain.reset()
    with pytest.raises(ValueError, match="Hopper-v5: healthy_z_range must hold 2 values, got 3"):
        pool.reset(env_id=[1], options={"healthy_z_range": [0.1, 0.2, 0.3]})
    with pytest.raises(ValueError, match="option 'ctrl_cost_weight' is NaN"):
        pool.reset(options={"ctrl_cost_weight": [0.1, np.nan]})
    # Nothing changed: the envs go on, and reset, as a plain pool's.
    actions = np.random.default_rng(0).uniform(-1, 1, (300, 2, 3)).astype(np.float32)
    for got, want in zip(_rollout(pool, actions), _rollout(plain, actions), strict=True):
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
    # One row per env for a vector option: env 1's narrow range ends its episode at once.
    pool.reset(options={"healthy_z_range": [[0.5, 2.0], [1.3, 1.31]]})
    _, _, terminated, _, _ = pool.step(actions[0])
    assert terminated.tolist() == [False, True]
