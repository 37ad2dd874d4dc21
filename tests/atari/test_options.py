"""Each Atari option's semantics, as exact assertions on small pools."""

from __future__ import annotations

import numpy as np
import pytest

import envfleet
from envfleet import atari_games

NOOP = 0


def _noops(n: int) -> np.ndarray:
    return np.full(n, NOOP, dtype=np.int64)


def test_defaults_are_envpools():
    spec = envfleet.make_spec("Pong-v5")
    assert spec.observation_space.shape == (4, 84, 84)
    assert spec.observation_space.dtype == np.uint8
    assert spec.action_space.n == 6  # Pong's minimal action set
    assert spec.max_episode_steps == 27000
    assert spec.render_shape == (210, 160, 3)
    defaults = spec.options
    assert (defaults["frame_skip"], defaults["noop_max"], defaults["stack_num"]) == (4, 30, 4)
    assert defaults["use_fire_reset"] and defaults["gray_scale"]
    assert defaults["use_inter_area_resize"]
    assert not (defaults["episodic_life"] or defaults["reward_clip"])
    assert defaults["repeat_action_probability"] == 0.0


def test_noop_count_is_within_one_and_noop_max(make_pool):
    # Freeway has no FIRE, so the frames a game has run at reset are its no-ops.
    pool = make_pool("Freeway-v5", num_envs=16, noop_max=7)
    counts = set()
    for seed in range(4):
        _, info = pool.reset(seed=seed)
        counts.update(info["episode_frame_number"].tolist())
    assert counts <= set(range(1, 8))
    assert len(counts) >= 5  # the draws spread over the range
    pool_without = make_pool("Freeway-v5", num_envs=4, noop_max=0)
    _, info = pool_without.reset()
    assert info["episode_frame_number"].tolist() == [0] * 4


@pytest.mark.parametrize(
    ("task_id", "fire_frames"), [("Breakout-v5", 1), ("Pong-v5", 1), ("Freeway-v5", 0)]
)
def test_fire_reset_only_where_fire_exists(make_pool, task_id, fire_frames):
    _, info = make_pool(task_id, num_envs=2, noop_max=0).reset()
    assert info["episode_frame_number"].tolist() == [fire_frames] * 2
    _, info = make_pool(task_id, num_envs=2, noop_max=0, use_fire_reset=False).reset()
    assert info["episode_frame_number"].tolist() == [0] * 2


@pytest.mark.parametrize("frame_skip", [1, 3, 4])
def test_a_step_runs_frame_skip_frames(make_pool, frame_skip):
    pool = make_pool("Freeway-v5", num_envs=2, noop_max=0, frame_skip=frame_skip)
    pool.reset()
    for step in range(1, 4):
        _, _, _, _, info = pool.step(_noops(2))
        assert info["episode_frame_number"].tolist() == [step * frame_skip] * 2


def test_frame_stack_shifts_by_one_frame(make_pool):
    pool = make_pool("Breakout-v5", num_envs=1, noop_max=0, stack_num=4)
    obs, _ = pool.reset()
    assert all(np.array_equal(obs[0, k], obs[0, 0]) for k in range(4))
    for _ in range(20):
        previous = obs.copy()
        obs, *_ = pool.step(np.array([2]))
        np.testing.assert_array_equal(obs[0, :3], previous[0, 1:])


def _play_until_life_lost(pool, rng):
    """Steps Breakout with random actions until a step loses a life; returns that step's result."""
    for _ in range(3000):
        result = pool.step(rng.integers(0, 4, 1))
        if result[4]["lives"][0] < 5 and not result[4]["terminated"][0]:
            return result
    raise AssertionError("no life was lost in 3000 steps")


def test_episodic_life_ends_the_episode_and_continues_the_game(make_pool):
    pool = make_pool("Breakout-v5", num_envs=1, episodic_life=True)
    pool.reset(seed=1)
    rng = np.random.default_rng(0)
    obs, reward, terminated, truncated, info = _play_until_life_lost(pool, rng)
    assert terminated[0] and not info["terminated"][0]
    lives, frames = info["lives"][0], info["episode_frame_number"][0]

    # The autoreset continues the game: same lives, the frame count goes on (one FIRE frame).
    _, _, terminated, _, info = pool.step(np.array([0]))
    assert info["elapsed_step"][0] == 0 and not terminated[0]
    assert info["lives"][0] == lives
    assert info["episode_frame_number"][0] == frames + 1

    # A reset the caller asks for starts a new game.
    _, info = pool.reset()
    assert info["lives"][0] == 5
    assert info["episode_frame_number"][0] <= 31


def test_without_episodic_life_a_lost_life_does_not_end_the_episode(make_pool):
    pool = make_pool("Breakout-v5", num_envs=1)
    pool.reset(seed=1)
    _, _, terminated, _, info = _play_until_life_lost(pool, np.random.default_rng(0))
    assert not terminated[0]
    assert info["discount"][0] == 1.0


def test_zero_discount_on_life_loss_in_dm_api():
    env = envfleet.make_dm("Breakout-v5", num_envs=1, zero_discount_on_life_loss=True)
    env.reset()
    rng = np.random.default_rng(0)
    for _ in range(3000):
        timestep = env.step(rng.integers(0, 4, 1))
        info = timestep.observation
        if info.lives[0] < 5 and not info.terminated[0]:
            break
    assert timestep.discount[0] == 0.0
    assert timestep.step_type[0] == 1  # MID: the episode goes on
    timestep = env.step(np.array([0]))
    assert timestep.discount[0] == 1.0
    env.close()


def test_reward_clip_keeps_the_sign_and_info_keeps_the_score(make_pool):
    pool = make_pool("SpaceInvaders-v5", num_envs=4, reward_clip=True)
    pool.reset(seed=0)
    rng = np.random.default_rng(1)
    raw = []
    for _ in range(300):
        _, reward, _, _, info = pool.step(rng.integers(0, 6, 4))
        np.testing.assert_array_equal(reward, np.sign(info["reward"]))
        raw.extend(info["reward"].tolist())
    assert max(raw) > 1  # Space Invaders scores 5 to 30 a hit, so clipping was exercised


def test_truncation_at_max_episode_steps(make_pool):
    pool = make_pool("Freeway-v5", num_envs=2, max_episode_steps=50)
    pool.reset()
    for step in range(1, 51):
        _, _, terminated, truncated, info = pool.step(_noops(2))
        assert truncated.tolist() == [step == 50] * 2
        assert not terminated.any()
    # The next step starts a new game.
    _, _, _, _, info = pool.step(_noops(2))
    assert info["elapsed_step"].tolist() == [0, 0]
    assert (info["episode_frame_number"] <= 30).all()


def test_full_action_space_has_18_actions():
    assert envfleet.make_spec("Pong-v5", full_action_space=True).action_space.n == 18
    assert envfleet.make_spec("Breakout-v5").action_space.n == 4


@pytest.mark.parametrize(
    ("options", "shape"),
    [
        ({"gray_scale": False}, (12, 84, 84)),
        ({"stack_num": 1, "img_height": 105, "img_width": 80}, (1, 105, 80)),
        ({"gray_scale": False, "stack_num": 2, "img_height": 64, "img_width": 48}, (6, 64, 48)),
    ],
)
def test_observation_shape_follows_options(make_pool, options, shape):
    pool = make_pool("Pong-v5", num_envs=2, **options)
    obs, _ = pool.reset()
    assert pool.single_observation_space.shape == shape
    assert obs.shape == (2, *shape)
    obs, *_ = pool.step(_noops(2))
    assert obs.shape == (2, *shape)


def test_sticky_actions_with_probability_one_repeat_noop_forever(make_pool):
    # With p = 1 every frame keeps the previous action, which is NOOP after a reset.
    sticky = make_pool(
        "Breakout-v5", num_envs=1, repeat_action_probability=1.0, noop_max=0, use_fire_reset=False
    )
    plain = make_pool("Breakout-v5", num_envs=1, noop_max=0, use_fire_reset=False)
    sticky.reset()
    plain.reset()
    rng = np.random.default_rng(0)
    for _ in range(100):
        sticky_obs, *_ = sticky.step(rng.integers(1, 4, 1))
        plain_obs, *_ = plain.step(_noops(1))
        np.testing.assert_array_equal(sticky_obs, plain_obs)


def test_mode_and_difficulty(make_pool):
    default = make_pool("Breakout-v5", num_envs=1, noop_max=0)
    other_mode = make_pool("Breakout-v5", num_envs=1, noop_max=0, mode=4, difficulty=1)
    rng = np.random.default_rng(0)
    default.reset()
    other_mode.reset()
    actions = rng.integers(0, 4, (200, 1))
    same = all(np.array_equal(default.step(a)[0], other_mode.step(a)[0]) for a in actions)
    assert not same
    with pytest.raises(ValueError, match=r"mode 3 is not available for breakout \(its modes: 0, 4"):
        envfleet.make_gymnasium("Breakout-v5", mode=3)
    with pytest.raises(ValueError, match=r"difficulty 9 is not available for breakout \(its diff"):
        envfleet.make_gymnasium("Breakout-v5", difficulty=9)


@pytest.mark.slow  # steps ale-py beside envfleet
@pytest.mark.parametrize(
    ("rom", "task_id", "mode", "difficulty"),
    [("breakout", "Breakout-v5", 12, 1), ("space_invaders", "SpaceInvaders-v5", 3, 0)],
)
def test_mode_and_difficulty_change_at_reset_per_env(make_pool, rom, task_id, mode, difficulty):
    # Env 1 of a default pool gets the mode and difficulty at a reset: from there it plays as
    # ale-py's ALEInterface with them set (the reference pipeline) and exactly as a pool made with
    # them; envs 0 and 2 go on as ale-py's default game. Then back to the defaults with -1.
    from .reference import ReferenceAtari

    pool = make_pool(task_id, num_envs=3, noop_max=0)
    made_with = make_pool(task_id, num_envs=3, noop_max=0, mode=mode, difficulty=difficulty)
    assert pool.envfleet_spec.reset_options == ("mode", "difficulty")
    pool.reset()
    pool.step(np.array([1, 2, 3]))
    obs, _ = pool.reset(env_id=[1], options={"mode": mode, "difficulty": difficulty})
    obs, _ = pool.reset()  # the values hold over later resets too
    made_obs, _ = made_with.reset()
    references = [
        ReferenceAtari(rom),
        ReferenceAtari(rom, mode=mode, difficulty=difficulty),
        ReferenceAtari(rom),
    ]
    for env, reference in enumerate(references):
        np.testing.assert_array_equal(obs[env], reference.reset())
    np.testing.assert_array_equal(obs[1], made_obs[1])
    rng = np.random.default_rng(3)
    over = np.zeros(3, dtype=bool)
    for step in range(600):
        actions = rng.integers(pool.single_action_space.n, size=3)
        obs, reward, terminated, _, info = pool.step(actions)
        made = made_with.step(actions)
        np.testing.assert_array_equal(obs[1], made[0][1], err_msg=f"step {step}")
        assert reward[1] == made[1][1] and terminated[1] == made[2][1]
        for env, reference in enumerate(references):
            where = f"{task_id} env {env} step {step}"
            if over[env]:
                np.testing.assert_array_equal(obs[env], reference.reset(), err_msg=where)
                continue
            expected_obs, expected_reward, expected_terminated, _ = reference.step(actions[env])
            np.testing.assert_array_equal(obs[env], expected_obs, err_msg=where)
            assert (reward[env], terminated[env]) == (expected_reward, expected_terminated), where
        over = terminated.copy()
    # The modes differ in play: env 1's screens are not env 0's.
    assert not np.array_equal(obs[0], obs[1])
    # The mode travels in snapshots: env 1 forked into env 0 plays as env 1, over a new game too.
    pool.fork(1, [0])
    pool.reset(env_id=[0, 1])
    for step in range(300):
        actions = np.full(3, step % pool.single_action_space.n)
        obs, *_ = pool.step(actions)
        np.testing.assert_array_equal(obs[0], obs[1], err_msg=f"fork step {step}")
    # -1 puts the game's defaults back.
    obs, _ = pool.reset(options={"mode": -1, "difficulty": -1})
    default_obs, _ = make_pool(task_id, num_envs=3, noop_max=0).reset()
    np.testing.assert_array_equal(obs, default_obs)


def test_a_mode_the_game_lacks_is_refused_at_reset_before_any_env_changes(make_pool):
    pool = make_pool("Pong-v5", num_envs=2, noop_max=0)
    plain = make_pool("Pong-v5", num_envs=2, noop_max=0)
    pool.reset()
    plain.reset()
    with pytest.raises(ValueError, match=r"mode 5 is not available for pong \(its modes: 0, 1;"):
        pool.reset(env_id=[0], options={"mode": np.array([5])})
    with pytest.raises(ValueError, match="difficulty 7 is not available for pong"):
        pool.reset(options={"difficulty": [0, 7]})
    with pytest.raises(ValueError, match="'frame_skip' of Pong-v5 cannot change at reset; those "):
        pool.reset(options={"frame_skip": 2})
    # Nothing changed: the envs go on, and reset, as a plain pool's.
    for step in range(100):
        actions = np.array([step % 6, (step // 6) % 6])
        np.testing.assert_array_equal(pool.step(actions)[0], plain.step(actions)[0])
    np.testing.assert_array_equal(pool.reset()[0], plain.reset()[0])


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"img_height": 0}, ValueError, "img_height must be in"),
        ({"frame_skip": -1}, ValueError, "frame_skip must be in"),
        ({"stack_num": 0}, ValueError, "stack_num must be in"),
        ({"noop_max": -2}, ValueError, "noop_max must be in"),
        ({"repeat_action_probability": 1.5}, ValueError, "repeat_action_probability"),
        ({"img_height": 300}, ValueError, "only shrinks"),
        ({"rom_path": "/nonexistent/pong.bin"}, ValueError, "ROM file not found"),
        ({"rom_path": __file__}, ValueError, "not a ROM that ALE supports"),
        ({"frame_skip": 2.5}, TypeError, "frame_skip"),
        ({"gray_scale": "yes"}, TypeError, "gray_scale"),
        ({"sticky_actions": True}, TypeError, "sticky_actions"),
    ],
)
def test_bad_options_raise_before_any_env_runs(options, error, message):
    with pytest.raises(error, match=message):
        envfleet.make_gymnasium("Pong-v5", num_envs=2, **options)


def test_rom_path_reads_another_copy_of_the_rom(make_pool, tmp_path):
    rom = tmp_path / "my_pong.bin"
    rom.write_bytes((atari_games.rom_directory() / "pong.bin").read_bytes())
    ours = make_pool("Pong-v5", num_envs=1, noop_max=0, rom_path=str(rom))
    installed = make_pool("Pong-v5", num_envs=1, noop_max=0)
    np.testing.assert_array_equal(ours.reset()[0], installed.reset()[0])
    for action in range(6):
        np.testing.assert_array_equal(
            ours.step(np.array([action]))[0], installed.step(np.array([action]))[0]
        )


def test_render_returns_the_rgb_screens(make_pool):
    pool = make_pool("Breakout-v5", num_envs=3)
    pool.reset(seed=0)
    pool.step(np.array([1, 2, 3]))
    frames = pool.render()
    assert len(frames) == 3
    assert all(f.shape == (210, 160, 3) and f.dtype == np.uint8 for f in frames)
    assert pool.render(env_id=[2])[0].tolist() == frames[2].tolist()
    # Grayscale observations are the same screens seen through ALE's grayscale palette: the
    # RGB picture is not blank and differs between envs that took different actions.
    assert frames[0].any()
    with pytest.raises(ValueError, match="cannot render"):
        envfleet.make_gymnasium("Counting-v0").render()


def test_render_mode_rgb_array_is_accepted_where_the_task_renders(make_pool):
    # Gymnasium and EnvPool scripts pass render_mode="rgb_array"; it is what the pool does anyway.
    pool = make_pool("Breakout-v5", num_envs=1, render_mode="rgb_array")
    assert pool.render_mode == "rgb_array"
    with pytest.raises(ValueError, match="does not render"):
        envfleet.make_gymnasium("Counting-v0", render_mode="rgb_array")
    with pytest.raises(ValueError, match="render_mode='human' is not supported"):
        envfleet.make_gymnasium("Breakout-v5", render_mode="human")


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_same_seed_same_observations_for_one_and_two_threads(make_pool, mode):
    def run(num_threads: int) -> list[np.ndarray]:
        batch_size = 4 if mode == "sync" else 2
        pool = make_pool(
            "Pong-v5",
            num_envs=4,
            batch_size=batch_size,
            num_threads=num_threads,
            repeat_action_probability=0.25,
            noop_max=30,
        )
        rng = np.random.default_rng(0)
        frames = []
        if mode == "sync":
            frames.append(pool.reset(seed=5)[0].copy())
            for _ in range(60):
                frames.append(pool.step(rng.integers(0, 6, 4))[0].copy())
            return frames
        # Async: each env's k-th action comes from a table, and rows are grouped by env_id, so
        # the comparison does not depend on which envs finish first.
        table = rng.integers(0, 6, (4, 200))
        pool.async_reset(seed=5)
        per_env: dict[int, list[np.ndarray]] = {i: [] for i in range(4)}
        for _ in range(120):
            obs, _, _, _, info = pool.recv()
            env_ids = info["env_id"].copy()
            for row, env_id in enumerate(env_ids):
                per_env[int(env_id)].append(obs[row].copy())
            pool.send(np.array([table[i, len(per_env[i])] for i in env_ids]), env_ids)
        return [np.stack(per_env[i][:50]) for i in range(4)]

    one, two = run(1), run(2)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
