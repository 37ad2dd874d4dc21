"""Every Atari game: the ids are ale-py's single-player v5 games, and each one runs aligned."""

from __future__ import annotations

import sys

import ale_py
import gymnasium
import numpy as np
import pytest

import envfleet
from envfleet import atari_games

from .reference import ReferenceAtari


def test_ids_are_the_games_ale_py_registers():
    gymnasium.register_envs(ale_py)
    ale_v5 = {
        name.removeprefix("ALE/")
        for name in gymnasium.registry
        if name.startswith("ALE/") and name.endswith("-v5")
    }
    assert set(atari_games.TASK_IDS) == ale_v5
    assert len(atari_games.TASK_IDS) == 104
    assert set(atari_games.TASK_IDS) <= set(envfleet.list_all_envs())


@pytest.mark.slow  # steps ale-py beside envfleet, for each of the 104 games
@pytest.mark.parametrize("rom", atari_games.ROMS)
def test_every_game_matches_the_reference_for_its_first_steps(make_pool, rom):
    pool = make_pool(atari_games.task_id(rom), num_envs=1, noop_max=0)
    reference = ReferenceAtari(rom)
    obs, info = pool.reset(seed=0)
    assert obs.shape == (1, 4, 84, 84)
    np.testing.assert_array_equal(obs[0], reference.reset())
    for action in (0, 1, 1, 0, pool.single_action_space.n - 1):
        obs, reward, terminated, _, info = pool.step(np.array([action]))
        expected_obs, expected_reward, expected_terminated, expected_info = reference.step(action)
        np.testing.assert_array_equal(obs[0], expected_obs)
        assert (reward[0], terminated[0]) == (expected_reward, expected_terminated)
        assert info["lives"][0] == expected_info["lives"]


def test_a_build_without_the_family_says_so(monkeypatch):
    # A None entry in sys.modules makes the import fail as if the module had not been built.
    monkeypatch.setitem(sys.modules, "envfleet._atari", None)
    with pytest.raises(ModuleNotFoundError, match="ENVFLEET_WITH_ATARI=OFF"):
        envfleet.make_gymnasium("Pong-v5")
