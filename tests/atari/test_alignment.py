"""envfleet's Atari envs against the reference pipeline (tests/atari/reference.py), step by step.

Same ROM, same actions, no random no-ops, no sticky actions: observations must be equal byte for
byte, and rewards, `terminated`, `lives` and the unclipped reward identical, over at least 2000
steps per game including the resets that follow each episode's end. The reference runs ale-py's
own emulator build, so this also checks that our ALE build emulates identically.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .reference import ReferenceAtari

pytestmark = pytest.mark.slow  # steps a reference implementation beside envfleet

# (ROM, task id, options, steps): a paddle game, one with lives and FIRE (Breakout), a shooter,
# one with long episodes (Freeway: 2048 steps a game) and a maze game; then the other options.
CASES: list[tuple[str, str, dict[str, Any], int]] = [
    ("pong", "Pong-v5", {}, 2000),
    ("breakout", "Breakout-v5", {}, 2000),
    ("space_invaders", "SpaceInvaders-v5", {}, 2000),
    ("freeway", "Freeway-v5", {}, 2500),
    ("ms_pacman", "MsPacman-v5", {}, 2000),
    (
        "breakout",
        "Breakout-v5",
        {
            "gray_scale": False,
            "use_inter_area_resize": False,
            "episodic_life": True,
            "reward_clip": True,
            "frame_skip": 3,
            "stack_num": 2,
            "img_height": 64,
            "img_width": 96,
        },
        1500,
    ),
    ("breakout", "Breakout-v5", {"full_action_space": True, "frame_skip": 1}, 3000),
]


def _case_id(case: tuple[str, str, dict[str, Any], int]) -> str:
    return case[1] + ("-" + "-".join(case[2]) if case[2] else "")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_matches_reference_pipeline(make_pool, case):
    rom, task_id, options, steps = case
    pool = make_pool(task_id, num_envs=1, noop_max=0, **options)
    reference = ReferenceAtari(rom, **options)
    rng = np.random.default_rng(7)

    obs, info = pool.reset(seed=3)
    np.testing.assert_array_equal(obs[0], reference.reset())
    episode_over = False
    episodes = 0
    for t in range(steps):
        action = int(rng.integers(pool.single_action_space.n))
        obs, reward, terminated, truncated, info = pool.step(np.array([action]))
        # NEXT_STEP autoreset: the step after an episode's end is the reset.
        if episode_over:
            expected_obs = reference.reset()
            expected = (0.0, False, {"lives": reference.lives, "reward": 0.0, "terminated": False})
            episodes += 1
        else:
            expected_obs, expected_reward, expected_terminated, expected_info = reference.step(
                action
            )
            expected = (expected_reward, expected_terminated, expected_info)
        where = f"{task_id} step {t}"
        np.testing.assert_array_equal(obs[0], expected_obs, err_msg=where)
        assert reward[0] == expected[0], where
        assert terminated[0] == expected[1], where
        assert not truncated[0], where
        for key, value in expected[2].items():
            assert info[key][0] == value, f"{where}: info[{key!r}]"
        episode_over = bool(terminated[0] or truncated[0])
    # Each case is long enough to cross an episode's end and the reset after it.
    assert episodes >= 1
