"""The Atari games envfleet offers, and where their ROM files are.

One task id per single-player game that the pinned ale-py supports, named as EnvPool and ale-py
name them: the ROM's snake_case name in PascalCase plus "-v5" (`space_invaders` ->
`SpaceInvaders-v5`). The ROM files are read from the installed ale-py package, found without
importing it. This module is the one list both the registry and the `_atari` extension use.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

# The ROMs of the pinned ale-py (0.12.1) that ALE runs as a single-player game; the four
# multi-player-only ROMs it also ships (combat, joust, maze_craze, warlords) are left out.
ROMS: tuple[str, ...] = (
    "adventure",
    "air_raid",
    "alien",
    "amidar",
    "assault",
    "asterix",
    "asteroids",
    "atlantis",
    "atlantis2",
    "backgammon",
    "bank_heist",
    "basic_math",
    "battle_zone",
    "beam_rider",
    "berzerk",
    "blackjack",
    "bowling",
    "boxing",
    "breakout",
    "carnival",
    "casino",
    "centipede",
    "chopper_command",
    "crazy_climber",
    "crossbow",
    "darkchambers",
    "defender",
    "demon_attack",
    "donkey_kong",
    "double_dunk",
    "earthworld",
    "elevator_action",
    "enduro",
    "entombed",
    "et",
    "fishing_derby",
    "flag_capture",
    "freeway",
    "frogger",
    "frostbite",
    "galaxian",
    "gopher",
    "gravitar",
    "hangman",
    "haunted_house",
    "hero",
    "human_cannonball",
    "ice_hockey",
    "jamesbond",
    "journey_escape",
    "kaboom",
    "kangaroo",
    "keystone_kapers",
    "king_kong",
    "klax",
    "koolaid",
    "krull",
    "kung_fu_master",
    "laser_gates",
    "lost_luggage",
    "mario_bros",
    "miniature_golf",
    "montezuma_revenge",
    "mr_do",
    "ms_pacman",
    "name_this_game",
    "othello",
    "pacman",
    "phoenix",
    "pitfall",
    "pitfall2",
    "pong",
    "pooyan",
    "private_eye",
    "qbert",
    "riverraid",
    "road_runner",
    "robotank",
    "seaquest",
    "sir_lancelot",
    "skiing",
    "solaris",
    "space_invaders",
    "space_war",
    "star_gunner",
    "superman",
    "surround",
    "tennis",
    "tetris",
    "tic_tac_toe_3d",
    "time_pilot",
    "trondead",
    "turmoil",
    "tutankham",
    "up_n_down",
    "venture",
    "video_checkers",
    "video_chess",
    "video_cube",
    "video_pinball",
    "wizard_of_wor",
    "word_zapper",
    "yars_revenge",
    "zaxxon",
)


def task_id(rom: str) -> str:
    """The task id of a ROM name: `space_invaders` -> `SpaceInvaders-v5`."""
    return rom.title().replace("_", "") + "-v5"


TASK_IDS: tuple[str, ...] = tuple(task_id(rom) for rom in ROMS)


def rom_directory() -> Path:
    """The folder of ROM files in the installed ale-py package."""
    spec = importlib.util.find_spec("ale_py")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            "the Atari envs read their ROMs from the ale-py package: pip install ale-py"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "roms"


def rom_paths() -> list[tuple[str, str]]:
    """(task id, ROM file path) for every game."""
    directory = rom_directory()
    return [(task_id(rom), str(directory / f"{rom}.bin")) for rom in ROMS]
