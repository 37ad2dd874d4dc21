"""Atari resets are EnvPool's, frame for frame: its 1..noop_max reset frames end with FIRE.

With one reset frame (noop_max=1) the sequence is deterministic in both libraries (FIRE alone in
a game with FIRE, one no-op in one without), so the same actions must give the same
observations, rewards, lives, flags and RAM in EnvPool 1.2.5, in envfleet's own Atari family and in
envfleet.envpool, on every step, the resets after game over included. Sticky actions are off
(EnvPool's default), so neither emulator draws random numbers. The games: four with FIRE in
their action set (Pong, Breakout, SpaceInvaders, Seaquest) and MsPacman, which has none.
"""

from __future__ import annotations

import numpy as np
import pytest

import envfleet

pytestmark = pytest.mark.slow  # steps EnvPool beside envfleet, frame for frame

GAMES = ["Pong-v5", "Breakout-v5", "SpaceInvaders-v5", "Seaquest-v5", "MsPacman-v5"]
STEPS = 600
# Short episodes, so that the time-limit resets are compared too.
OPTIONS = {"noop_max": 1, "max_episode_steps": 250}


@pytest.mark.parametrize("task_id", GAMES)
def test_envfleet_atari_matches_envpool_frame_for_frame(make_ours, make_theirs, task_id):
    theirs = make_theirs(task_id, num_envs=2, seed=0, **OPTIONS)
    layer = make_ours(task_id, num_envs=2, seed=1, **OPTIONS)
    own = envfleet.make_gymnasium(task_id, num_envs=2, seed=2, **OPTIONS)
    try:
        (their_obs, their_info), (layer_obs, layer_info), (own_obs, own_info) = (
            theirs.reset(),
            layer.reset(),
            own.reset(),
        )
        np.testing.assert_array_equal(layer_obs, their_obs)
        np.testing.assert_array_equal(own_obs, their_obs)
        assert own_info["lives"].tolist() == their_info["lives"].tolist()
        assert layer_info["lives"].tolist() == their_info["lives"].tolist()
        rng = np.random.default_rng(0)
        n = theirs.action_space.n
        for t in range(STEPS):
            actions = rng.integers(n, size=2).astype(np.int32)
            their_step, layer_step, own_step = (
                theirs.step(actions),
                layer.step(actions),
                own.step(actions),
            )
            # The newest frame of a game-over row (see above) is left out of the comparison.
            game_over = their_step[4]["terminated"].astype(bool)
            compared = np.ones_like(their_step[0], dtype=bool)
            compared[game_over, -1] = False
            for obs in (layer_step[0], own_step[0]):
                np.testing.assert_array_equal(obs[compared], their_step[0][compared], f"obs at {t}")
            for name, index in (("reward", 1), ("terminated", 2), ("truncated", 3)):
                np.testing.assert_array_equal(
                    layer_step[index], their_step[index], f"{name} at {t}"
                )
                np.testing.assert_array_equal(
                    own_step[index].astype(their_step[index].dtype),
                    their_step[index],
                    f"{name} at {t}",
                )
            for key in ("lives", "reward", "terminated", "ram", "elapsed_step"):
                np.testing.assert_array_equal(
                    layer_step[4][key], their_step[4][key], f"{key} at {t}"
                )
                np.testing.assert_array_equal(own_step[4][key], their_step[4][key], f"{key} at {t}")
    finally:
        own.close()
