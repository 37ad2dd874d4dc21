"""Alignment of envfleet's CarRacing with Gymnasium's from the same seed (the scheme:
tests/box2d/alignment.py), pictures included, and its spaces, options and determinism.

Track generation and physics are Gymnasium's to the last bit: rewards and terminated /
truncated flags are compared with `==`, through NEXT_STEP autoresets. The pictures (the 96x96
observation and render()'s 600x400) are drawn by envfleet's rasteriser with pygame's pixel rules
and shrunk with pygame's smoothscale arithmetic, so they are compared with **tolerance 0** too,
with one exception: the score's digits. Gymnasium renders "%04i" % score in pygame's default
TrueType font (white on a black box, on the black dashboard); envfleet draws its own
seven-segment digits in the same place. Inside that box (SCORE_BOX / RENDER_SCORE_BOX below,
which hold the whole text for scores of up to 5 characters) pixels are only required to be
grey levels (white text on black, shrunk) in both pictures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np
import pytest

import envfleet

from .alignment import (
    assert_spaces_and_limits_match,
    assert_threads_do_not_matter,
    case_id,
    pool_and_references,
)

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

# (rows, columns) of the score text in the 96x96 observation and in the 600x400 render():
# pygame centres it at (60, 750) of the 1000x800 picture, 42 pixels high and at most about 120
# wide, i.e. x in [0, 120) and y in [729, 771], shrunk by 1000/96 and 800/96 (or 1000/600 and
# 800/400), with a pixel of margin for the area average.
SCORE_BOX = (slice(86, 94), slice(0, 13))
RENDER_SCORE_BOX = (slice(363, 388), slice(0, 74))

NUM_ENVS = 2
SEED = 17


def assert_pictures_match(ours: np.ndarray, theirs: np.ndarray, box: tuple[slice, slice]) -> None:
    """Equal outside the score box; inside it, the same picture but for the digits."""
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype == np.uint8
    outside = np.ones(ours.shape[:2], dtype=bool)
    outside[box] = False
    np.testing.assert_array_equal(ours[outside], theirs[outside])
    # The box is grey-level text on black in both: no colour appears there that is not grey.
    for picture in (ours[box].astype(int), theirs[box].astype(int)):
        assert np.abs(picture - picture.mean(axis=-1, keepdims=True)).max() <= 1


def _outward(ref: Any) -> np.ndarray:
    """Steers the car away from the track's centre at a third of the throttle: it leaves the
    playfield (reward -100) in about 150 steps."""
    car = ref.unwrapped.car.hull
    x, y = car.position
    error = (math.atan2(y, x) - (car.angle + math.pi / 2) + math.pi) % (2 * math.pi) - math.pi
    return np.array([np.clip(-2 * error, -1, 1), 0.4, 0.0], dtype=np.float32)


def step_and_compare(
    pool: Any, refs: list[Any], actions: np.ndarray, starting: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One pool step beside the refs' (a ref whose episode ended last step resets, as the pool's
    NEXT_STEP autoreset does, with no options): equal pictures, rewards, flags and
    `lap_finished` (Gymnasium's key, present only when an episode terminates; envfleet's is
    false elsewhere). Returns reward, terminated, truncated."""
    obs, reward, terminated, truncated, info = pool.step(actions)
    for i, ref in enumerate(refs):
        if starting[i]:
            assert_pictures_match(obs[i], ref.reset()[0], SCORE_BOX)
            assert (reward[i], terminated[i], truncated[i]) == (0.0, False, False)
            assert not info["lap_finished"][i]
            continue
        ref_obs, ref_reward, ref_terminated, ref_truncated, ref_info = ref.step(actions[i])
        assert_pictures_match(obs[i], ref_obs, SCORE_BOX)
        assert reward[i] == ref_reward
        assert (terminated[i], truncated[i]) == (ref_terminated, ref_truncated)
        assert ("lap_finished" in ref_info) == ref_terminated
        assert info["lap_finished"][i] == ref_info.get("lap_finished", False)
    return reward, terminated, truncated


def run_and_compare(
    pool: Any,
    refs: list[Any],
    policy: Callable[[int, int], Any],
    num_steps: int,
    render_every: int,
) -> dict[str, int]:
    """Steps `pool` and `refs` with policy(step, env) for `num_steps` steps, comparing every
    observation, reward, flag and `lap_finished` (and render() every `render_every` steps);
    returns counts of terminations at -100 ("off_playfield"), other terminations ("lap") and
    truncations."""
    obs, _ = pool.reset()
    for i, ref in enumerate(refs):
        assert_pictures_match(obs[i], ref.reset()[0], SCORE_BOX)
    starting = np.zeros(len(refs), dtype=bool)
    outcomes = {"off_playfield": 0, "lap": 0, "truncated": 0}
    for step in range(num_steps):
        actions = np.array([policy(step, i) for i in range(len(refs))])
        reward, terminated, truncated = step_and_compare(pool, refs, actions, starting)
        if render_every and step % render_every == 0:
            pictures = pool.render()
            for i, ref in enumerate(refs):
                assert_pictures_match(pictures[i], ref.render(), RENDER_SCORE_BOX)
        starting = terminated | truncated
        outcomes["off_playfield"] += int((terminated & (reward == -100)).sum())
        outcomes["lap"] += int((terminated & (reward != -100)).sum())
        outcomes["truncated"] += int(truncated.sum())
    return outcomes


CASES: list[tuple[str, dict[str, Any], int]] = [
    # Random driving: on and off the road, tiles visited, skid marks (in render()).
    ("random", {}, 150),
    ("random", {"continuous": False}, 150),
    ("random", {"domain_randomize": True}, 120),
    # A lap is complete when tile 0 is touched with more than this share of tiles visited: at
    # 0.0, at the first step; every episode ends at once, so resets and autoresets are compared.
    ("random", {"lap_complete_percent": 0.0}, 30),
    # Driving away from the track until the car leaves the playfield.
    ("outward", {}, 170),
    # A short time limit, so that truncations are compared too.
    ("random", {"max_episode_steps": 40}, 90),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_episodes_and_pictures_match_gymnasium_from_the_same_seed(make_pool, case):
    policy_name, options, num_steps = case
    pool, refs = pool_and_references(
        make_pool, "CarRacing-v3", {**options, "render_mode": "rgb_array"}, NUM_ENVS, SEED
    )
    rng = np.random.default_rng(3)

    def policy(step: int, i: int) -> Any:
        if policy_name == "outward":
            return _outward(refs[i])
        if options.get("continuous", True) is False:
            return rng.choice(5, p=[0.1, 0.2, 0.2, 0.4, 0.1])
        # Steering and brakes beyond the space's bounds are passed on, as Gymnasium does.
        return rng.uniform([-1.2, 0.0, 0.0], [1.2, 1.0, 0.6]).astype(np.float32)

    outcomes = run_and_compare(pool, refs, policy, num_steps, render_every=10)
    if policy_name == "outward":
        assert outcomes["off_playfield"] > 0
    if options.get("lap_complete_percent") == 0.0:
        assert outcomes["lap"] > 0
    if "max_episode_steps" in options:
        assert outcomes["truncated"] > 0


@pytest.mark.parametrize("continuous", [True, False])
def test_spaces_and_limits_are_gymnasiums(make_pool, continuous):
    pool = make_pool("CarRacing-v3", num_envs=2, continuous=continuous)
    ref = gymnasium.make("CarRacing-v3", continuous=continuous)
    assert_spaces_and_limits_match(pool, ref)
    assert pool.envfleet_spec.max_episode_steps == 1000
    assert pool.metadata["render_fps"] == ref.metadata["render_fps"]
    assert "CarRacing-v3" in envfleet.list_all_envs()


def test_trajectories_do_not_depend_on_num_threads(make_pool):
    assert_threads_do_not_matter(
        make_pool,
        "CarRacing-v3",
        4,
        40,
        lambda rng: rng.uniform([-1, 0, 0], [1, 1, 1], size=(4, 3)).astype(np.float32),
        render=True,
        domain_randomize=True,
    )


def test_reset_option_randomize_is_gymnasiums(make_pool):
    # Gymnasium's reset(options={"randomize": False}) keeps the last colours for that reset only;
    # every other reset (autoresets included) draws new ones. Per env, as scalars or arrays.
    options = {"domain_randomize": True, "max_episode_steps": 12}
    pool, refs = pool_and_references(make_pool, "CarRacing-v3", options, NUM_ENVS, SEED)
    assert pool.envfleet_spec.reset_options == ("randomize",)
    # Gymnasium's constructor draws colours from a stream not yet seeded; envfleet draws them at
    # the first reset that keeps colours, from the env's stream: the twins draw them there too.
    for ref in refs:
        ref.unwrapped._init_colors()
    rng = np.random.default_rng(5)
    kept_and_changed = {True: 0, False: 0}

    def reset(randomize: list[bool], env_id: list[int] | None = None) -> None:
        ids = list(range(NUM_ENVS)) if env_id is None else env_id
        value = randomize[0] if len(set(randomize)) == 1 else np.array(randomize)
        obs, _ = pool.reset(env_id=env_id, options={"randomize": value})
        for row, (i, keep_new) in enumerate(zip(ids, randomize, strict=True)):
            before = refs[i].unwrapped.bg_color.copy()
            assert_pictures_match(
                obs[row], refs[i].reset(options={"randomize": keep_new})[0], SCORE_BOX
            )
            kept_and_changed[bool(np.any(before != refs[i].unwrapped.bg_color))] += 1

    def drive(num_steps: int) -> None:
        starting = np.zeros(NUM_ENVS, dtype=bool)
        for _ in range(num_steps):
            actions = rng.uniform([-1, 0, 0], [1, 1, 0.2], size=(NUM_ENVS, 3)).astype(np.float32)
            _, terminated, truncated = step_and_compare(pool, refs, actions, starting)
            starting = terminated | truncated

    reset([False, False])  # the first reset keeps the colours Gymnasium's constructor drew
    drive(5)
    reset([True, True])
    drive(5)
    reset([False, False])
    drive(14)  # a time-limit autoreset draws new colours (no options)
    reset([True, False])
    drive(3)
    reset([False], env_id=[1])
    drive(3)
    reset([True], env_id=[0])
    drive(3)
    # Kept: both envs at the 1st and 3rd resets, env 1 twice after; new: the others.
    assert kept_and_changed == {False: 6, True: 4}


def test_randomize_without_domain_randomize_changes_nothing(make_pool):
    pool, refs = pool_and_references(make_pool, "CarRacing-v3", {}, NUM_ENVS, SEED)
    for randomize in (False, True):
        obs, _ = pool.reset(options={"randomize": randomize})
        for i, ref in enumerate(refs):
            assert_pictures_match(obs[i], ref.reset(options={"randomize": randomize})[0], SCORE_BOX)
