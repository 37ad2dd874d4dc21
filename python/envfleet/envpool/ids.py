"""EnvPool's spellings of the task ids envfleet has, and the list EnvPool users see.

EnvPool names an Atari game by capitalizing each part of its ROM name (`tic_tac_toe_3d` ->
`TicTacToe3d-v5`), where envfleet title-cases it (`TicTacToe3D-v5`); EnvPool also registers
`phys2d/CartPole-v0` and `phys2d/CartPole-v1` as aliases. Every other id is spelled alike.
"""

from __future__ import annotations

from envfleet import atari_games, registry


def _envpool_atari_id(rom: str) -> str:
    """EnvPool's id of a ROM (envpool/atari/registration.py's rule)."""
    return "".join(part.capitalize() for part in rom.split("_")) + "-v5"


# EnvPool's spelling -> envfleet's id, where they differ.
_ALIASES: dict[str, str] = {
    **{
        _envpool_atari_id(rom): atari_games.task_id(rom)
        for rom in atari_games.ROMS
        if _envpool_atari_id(rom) != atari_games.task_id(rom)
    },
    "phys2d/CartPole-v0": "CartPole-v0",
    "phys2d/CartPole-v1": "CartPole-v1",
}
_ENVPOOL_SPELLING = {
    envfleet_id: envpool_id
    for envpool_id, envfleet_id in _ALIASES.items()
    if not envpool_id.startswith("phys2d/")
}
# envfleet's Atari id -> the ROM name (EnvPool's `task` option).
ATARI_ROMS: dict[str, str] = {atari_games.task_id(rom): rom for rom in atari_games.ROMS}


def resolve(task_id: str) -> str:
    """envfleet's id of `task_id`, given in EnvPool's or envfleet's spelling.

    Raises AssertionError, as EnvPool does, for an id neither knows.
    """
    envfleet_id = _ALIASES.get(task_id, task_id)
    known = envfleet_id in registry.list_all_envs()
    assert known, f"{task_id} is not supported, `envpool.list_all_envs()` may help."
    return envfleet_id


def list_all_envs() -> list[str]:
    """Every id this layer makes, in EnvPool's spelling, with EnvPool's aliases."""
    ids = [_ENVPOOL_SPELLING.get(task_id, task_id) for task_id in registry.list_all_envs()]
    return ids + [alias for alias in _ALIASES if alias.startswith("phys2d/")]
