"""episode_stats=True: Gymnasium's RecordEpisodeStatistics info, computed by the engine.

Each rule as exact arrays of the CountingEnv (reward = steps so far, terminated at
episode_length; `lives` makes a game of several episodes as Atari's episodic_life does,
`reward_clip` returns reward 1 while the unclipped reward is the step count), in every autoreset
mode, sync and async; then a comparison with Gymnasium's own RecordEpisodeStatistics wrapped
around Gymnasium's own vector env on the same trajectories (classic control, whose envfleet envs
match Gymnasium's to the last bit once their states are aligned).
"""

from __future__ import annotations

import time

import gymnasium
import numpy as np
import pytest
from gymnasium.vector import AutoresetMode

import envfleet

A3 = np.array([1, 2, 3], dtype=np.int64)


def _stats(info):
    """(r, l, t, mask) of a step's info, or None when it has no episode entry."""
    if "episode" not in info:
        assert "_episode" not in info
        return None
    episode = info["episode"]
    assert set(episode) == {"r", "l", "t"}
    assert episode["r"].dtype == np.float64 and episode["l"].dtype == np.int64
    assert episode["t"].dtype == np.float64 and info["_episode"].dtype == np.bool_
    return episode["r"], episode["l"], episode["t"], info["_episode"]


def test_off_by_default_the_info_is_unchanged(make_counting):
    pool = make_counting(num_envs=2, episode_length=1)
    _, info = pool.reset(seed=0)
    for _ in range(4):
        *_, info = pool.step(np.zeros(2, dtype=np.int64))
        assert "episode" not in info and "_episode" not in info


def test_next_step_reports_each_episode_on_its_last_step(make_counting):
    pool = make_counting(num_envs=3, episode_length=3, episode_stats=True)
    _, info = pool.reset(seed=0)
    assert _stats(info) is None
    for _ in range(2):
        *_, info = pool.step(A3)
        assert _stats(info) is None
    *_, term, _, info = pool.step(A3)
    assert term.all()
    r, length, t, mask = _stats(info)
    np.testing.assert_array_equal(r, [6.0, 6.0, 6.0])  # 1 + 2 + 3
    np.testing.assert_array_equal(length, [3, 3, 3])
    np.testing.assert_array_equal(mask, [True, True, True])
    assert (t >= 0).all() and (t < 60).all()
    np.testing.assert_array_equal(np.round(t, 6), t)  # Gymnasium's rounding
    # The NEXT_STEP reset step is no step of the next episode: it reports nothing, counts nothing.
    *_, info = pool.step(A3)
    assert _stats(info) is None and (info["elapsed_step"] == 0).all()
    for _ in range(2):
        *_, info = pool.step(A3)
        assert _stats(info) is None
    *_, info = pool.step(A3)
    r, length, _, mask = _stats(info)
    np.testing.assert_array_equal(r, [6.0, 6.0, 6.0])
    np.testing.assert_array_equal(length, [3, 3, 3])


def test_rows_without_an_end_are_zero_and_partial_steps_keep_their_rows(make_counting):
    pool = make_counting(num_envs=3, episode_length=2, episode_stats=True)
    pool.reset(seed=0)
    pool.step(A3[:1], env_id=[2])  # env 2 is one step ahead
    *_, info = pool.step(A3[:2], env_id=[2, 0])
    r, length, t, mask = _stats(info)
    np.testing.assert_array_equal(info["env_id"], [2, 0])
    np.testing.assert_array_equal(mask, [True, False])
    np.testing.assert_array_equal(r, [3.0, 0.0])
    np.testing.assert_array_equal(length, [2, 0])
    assert t[1] == 0.0
    *_, info = pool.step(A3)
    r, length, _, mask = _stats(info)
    # env 0 ends its episode, env 1 takes its first step, env 2 resets (NEXT_STEP).
    np.testing.assert_array_equal(mask, [True, False, False])
    np.testing.assert_array_equal(r, [3.0, 0.0, 0.0])
    np.testing.assert_array_equal(length, [2, 0, 0])


def test_same_step_reports_on_the_ending_step_and_counts_the_next_step(make_counting):
    pool = make_counting(
        num_envs=2, episode_length=2, episode_stats=True, autoreset_mode="same_step"
    )
    pool.reset(seed=0)
    for _ in range(3):
        *_, info = pool.step(A3[:2])
        assert _stats(info) is None
        *_, term, _, info = pool.step(A3[:2])
        assert term.all() and info["_final_obs"].all()
        r, length, _, mask = _stats(info)
        np.testing.assert_array_equal(r, [3.0, 3.0])
        np.testing.assert_array_equal(length, [2, 2])
        np.testing.assert_array_equal(mask, [True, True])


def test_disabled_mode_reports_then_a_reset_starts_over(make_counting):
    pool = make_counting(
        num_envs=2, episode_length=2, episode_stats=True, autoreset_mode="disabled"
    )
    pool.reset(seed=0)
    pool.step(A3[:2])
    *_, info = pool.step(A3[:2])
    np.testing.assert_array_equal(_stats(info)[1], [2, 2])
    _, info = pool.reset(env_id=[1])
    assert _stats(info) is None
    *_, info = pool.step(A3[:1], env_id=[1])
    assert _stats(info) is None
    *_, info = pool.step(A3[:1], env_id=[1])
    np.testing.assert_array_equal(_stats(info)[0], [3.0])
    np.testing.assert_array_equal(_stats(info)[1], [2])


@pytest.mark.parametrize("mode", ["next_step", "same_step", "disabled"])
def test_a_game_of_several_lives_is_one_episode_of_the_statistics(make_counting, mode):
    # lives=3, episode_length=2: the agent sees three episodes of 2 steps; the game returns
    # 3 x (1 + 2) = 9 over 6 steps, reported on the third end only.
    pool = make_counting(
        num_envs=2, episode_length=2, lives=3, episode_stats=True, autoreset_mode=mode
    )
    pool.reset(seed=0)
    reported = []
    for step in range(1, 13):
        *_, term, _, info = pool.step(A3[:2])
        if stats := _stats(info):
            reported.append((step, stats[0].tolist(), stats[1].tolist(), stats[3].tolist()))
        if mode == "disabled" and term.all():
            pool.reset(env_id=[0, 1])
    game = ([9.0, 9.0], [6, 6], [True, True])
    if mode == "next_step":
        # Steps 3 and 6 are reset steps (not counted); the third life ends at step 8.
        assert reported == [(8, *game)]
    elif mode == "same_step":
        assert reported == [(6, *game), (12, *game)]
    else:
        # A reset the caller asks for starts a new game (as Atari's reset() does): resetting
        # after every lost life, no game ever ends, and none is reported.
        assert reported == []


def test_a_requested_reset_mid_game_starts_the_statistics_over(make_counting):
    pool = make_counting(num_envs=1, episode_length=2, lives=2, episode_stats=True)
    one = np.ones(1, dtype=np.int64)
    pool.reset(seed=0)
    pool.step(one)
    pool.step(one)  # first life over
    pool.step(one)  # NEXT_STEP reset into the second life
    pool.step(one)
    pool.reset()  # a new game, the 4 steps so far forgotten
    for _ in range(4):
        *_, info = pool.step(one)
        assert _stats(info) is None
    *_, info = pool.step(one)
    np.testing.assert_array_equal(_stats(info)[0], [6.0])
    np.testing.assert_array_equal(_stats(info)[1], [4])


def test_the_return_is_the_unclipped_reward(make_counting):
    pool = make_counting(num_envs=2, episode_length=4, reward_clip=True, episode_stats=True)
    pool.reset(seed=0)
    rewards = []
    for _ in range(4):
        _, reward, *_, info = pool.step(A3[:2])
        rewards.append(reward.copy())
    np.testing.assert_array_equal(rewards, np.ones((4, 2)))
    np.testing.assert_array_equal(info["episode"]["r"], [10.0, 10.0])  # 1 + 2 + 3 + 4


def test_time_limit_ends_report_as_well(make_counting):
    pool = make_counting(num_envs=2, episode_length=50, max_episode_steps=3, episode_stats=True)
    pool.reset(seed=0)
    for _ in range(2):
        pool.step(A3[:2])
    _, _, term, trunc, info = pool.step(A3[:2])
    assert trunc.all() and not term.any()
    np.testing.assert_array_equal(info["episode"]["l"], [3, 3])
    np.testing.assert_array_equal(info["episode"]["r"], [6.0, 6.0])


def test_the_time_is_the_wall_time_since_the_reset(make_counting):
    # Each step sleeps 2 ms (4 ms on odd counts): an episode of 3 steps takes at least 8 ms.
    pool = make_counting(num_envs=1, episode_length=3, step_sleep_us=2000, episode_stats=True)
    start = time.perf_counter()
    pool.reset(seed=0)
    for _ in range(3):
        *_, info = pool.step(np.ones(1, dtype=np.int64))
    elapsed = time.perf_counter() - start
    t = info["episode"]["t"][0]
    assert 0.008 <= t <= elapsed + 1e-6


@pytest.mark.parametrize("mode", ["next_step", "same_step"])
def test_async_batches_carry_each_envs_own_statistics(make_counting, mode):
    # Envs of different episode lengths are impossible in one pool; different starting times
    # are not: env e is reset e steps late, so the rows of one batch mix envs at every stage.
    num_envs, length = 6, 4
    pool = make_counting(
        num_envs=num_envs,
        batch_size=3,
        episode_length=length,
        episode_stats=True,
        autoreset_mode=mode,
        step_sleep_us=50,
    )
    pool.async_reset(seed=0)
    counts = {}
    reported = 0
    for _ in range(200):
        obs, _, term, trunc, info = pool.recv()
        ids = info["env_id"]
        stats = _stats(info)
        for row, env in enumerate(ids):
            ended = bool(term[row] or trunc[row])
            if stats is not None and stats[3][row]:
                assert ended
                assert stats[0][row] == length * (length + 1) / 2
                assert stats[1][row] == length
                reported += 1
            elif stats is not None:
                assert stats[0][row] == 0 and stats[1][row] == 0 and stats[2][row] == 0
            else:
                assert not ended
            counts[int(env)] = counts.get(int(env), 0) + 1
        pool.send(np.ones(len(ids), dtype=np.int64), ids)
    assert reported >= 20 and set(counts) == set(range(num_envs))


@pytest.mark.parametrize(
    ("task_id", "max_steps"), [("CartPole-v1", 40), ("Pendulum-v1", 30), ("Acrobot-v1", 60)]
)
def test_matches_gymnasium_record_episode_statistics_on_gymnasiums_vector_env(
    make_pool, task_id, max_steps
):
    """Gymnasium's SyncVectorEnv + RecordEpisodeStatistics and an envfleet pool with
    episode_stats=True, stepped with the same actions from the same states: every episode's r and
    l are equal, the mask is equal, t is plausible (both measure wall time, each its own)."""
    num_envs, num_steps = 4, 400
    reference = gymnasium.wrappers.vector.RecordEpisodeStatistics(
        gymnasium.make_vec(
            task_id,
            num_envs=num_envs,
            vectorization_mode="sync",
            max_episode_steps=max_steps,
            vector_kwargs={"autoreset_mode": AutoresetMode.NEXT_STEP},
        )
    )
    pool = make_pool(
        task_id, num_envs=num_envs, seed=3, max_episode_steps=max_steps, episode_stats=True
    )
    layout = pool.envfleet_spec.state_layout
    dtype = np.float32 if task_id == "Acrobot-v1" else np.float64

    def align(envs):
        """Copies each env's new episode's state from envfleet into Gymnasium's env."""
        states = np.concatenate([pool.get_state(list(envs))[name] for name, _ in layout], axis=1)
        for env, state in zip(envs, states, strict=True):
            reference.env.envs[env].unwrapped.state = np.array(state, dtype=dtype)

    reference.reset(seed=0)
    _, info = pool.reset()
    align(range(num_envs))
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    episodes = 0
    for _ in range(num_steps):
        actions = np.stack([pool.single_action_space.sample() for _ in range(num_envs)])
        if isinstance(pool.single_action_space, gymnasium.spaces.Discrete):
            actions = rng.integers(pool.single_action_space.n, size=num_envs)
        *_, term, trunc, info = pool.step(actions)
        _, _, ref_term, ref_trunc, ref_info = reference.step(actions)
        np.testing.assert_array_equal(term, ref_term)
        np.testing.assert_array_equal(trunc, ref_trunc)
        assert ("episode" in info) == ("episode" in ref_info)
        if "episode" in info:
            np.testing.assert_array_equal(info["_episode"], ref_info["_episode"])
            np.testing.assert_array_equal(info["episode"]["r"], ref_info["episode"]["r"])
            np.testing.assert_array_equal(info["episode"]["l"], ref_info["episode"]["l"])
            t = info["episode"]["t"][info["_episode"]]
            assert (t > 0).all() and (t <= time.perf_counter() - start).all()
            episodes += int(info["_episode"].sum())
        # The NEXT_STEP reset steps: Gymnasium's envs start from envfleet's new states.
        if (restarted := np.flatnonzero(info["elapsed_step"] == 0)).size:
            align(restarted)
    assert episodes >= 20


@pytest.mark.parametrize("mode", ["next_step", "disabled"])
def test_matches_gymnasium_wrapper_around_the_same_pool(make_pool, mode):
    """Gymnasium's wrapper around an envfleet pool without statistics, and a pool with them,
    same seed and actions: identical trajectories, identical r, l and masks. (SAME_STEP is left
    out: Gymnasium 1.2's wrapper does not count the step after a SAME_STEP autoreset, which is
    the new episode's first real step; envfleet counts it, as the same_step test above shows.)"""
    kwargs = {"num_envs": 4, "seed": 7, "autoreset_mode": mode}
    plain = gymnasium.wrappers.vector.RecordEpisodeStatistics(make_pool("CartPole-v1", **kwargs))
    pool = make_pool("CartPole-v1", episode_stats=True, **kwargs)
    plain.reset()
    pool.reset()
    rng = np.random.default_rng(1)
    episodes = 0
    for _ in range(500):
        actions = rng.integers(2, size=4)
        *_, term, trunc, info = pool.step(actions)
        *_, ref_info = plain.step(actions)
        assert ("episode" in info) == ("episode" in ref_info)
        if "episode" in info:
            np.testing.assert_array_equal(info["_episode"], ref_info["_episode"])
            for key in "rl":
                np.testing.assert_array_equal(info["episode"][key], ref_info["episode"][key])
            episodes += int(info["_episode"].sum())
        if mode == "disabled" and (done := term | trunc).any():
            pool.reset(options={"reset_mask": done})
            plain.reset(options={"reset_mask": done})
    assert episodes >= 40


def test_dm_env_observation_holds_the_statistics():
    pool = envfleet.make_dm("Counting-v0", num_envs=2, episode_length=2, episode_stats=True)
    try:
        timestep = pool.reset()
        assert not timestep.observation.episode_done.any()
        spec = pool.observation_spec()
        assert spec.episode_l.dtype == np.int64 and spec.episode_done.dtype == np.bool_
        pool.step(A3[:2])
        timestep = pool.step(A3[:2])
        np.testing.assert_array_equal(timestep.observation.episode_done, [True, True])
        np.testing.assert_array_equal(timestep.observation.episode_r, [3.0, 3.0])
        np.testing.assert_array_equal(timestep.observation.episode_l, [2, 2])
        timestep = pool.step(A3[:2])
        np.testing.assert_array_equal(timestep.observation.episode_l, [0, 0])
    finally:
        pool.close()


def test_options_are_checked(make_counting):
    with pytest.raises(TypeError, match="episode_stats must be a bool"):
        make_counting(episode_stats=1)


@pytest.mark.slow  # plays whole Breakout games
def test_atari_episodic_life_reports_whole_games_of_unclipped_rewards(make_pool):
    """Breakout with episodic_life and reward_clip: the engine's r and l equal the game's
    unclipped info["reward"] summed over its real steps until info["terminated"] (game over),
    whatever lives were lost on the way: CleanRL's hand-written tracker, exactly."""
    num_envs = 4
    pool = make_pool(
        "Breakout-v5",
        num_envs=num_envs,
        seed=5,
        episodic_life=True,
        reward_clip=True,
        episode_stats=True,
    )
    pool.reset()
    rng = np.random.default_rng(0)
    returns, lengths = np.zeros(num_envs), np.zeros(num_envs, dtype=np.int64)
    games = lives_lost = 0
    for _ in range(3000):
        _, _, term, trunc, info = pool.step(rng.integers(4, size=num_envs))
        real = info["elapsed_step"] > 0  # NEXT_STEP's reset steps are no steps
        returns[real] += info["reward"][real]
        lengths[real] += 1
        game_over = info["terminated"] | trunc
        lives_lost += int((term & ~game_over).sum())
        assert ("episode" in info) == bool(game_over.any())
        if "episode" in info:
            np.testing.assert_array_equal(info["_episode"], game_over)
            np.testing.assert_array_equal(info["episode"]["r"], np.where(game_over, returns, 0))
            np.testing.assert_array_equal(info["episode"]["l"], np.where(game_over, lengths, 0))
            games += int(game_over.sum())
        returns[game_over], lengths[game_over] = 0, 0
    assert games >= 4 and lives_lost >= 4 * games
