"""Real game returns for the Atari examples, from envfleet's engine or summed for EnvPool.

Both pools train on `episodic_life` (a lost life ends the agent's episode) and `reward_clip`;
the returns worth printing are the whole game's, unclipped. envfleet's engine computes them
(`episode_stats=True`: `info["episode"]`); for EnvPool, GameReturns sums the unclipped
`info["reward"]` until `info["terminated"]` says the game is over.

Imported by the scripts beside it (`python examples/<script>.py` puts this folder on the path).
"""

from __future__ import annotations

import numpy as np


class GameReturns:
    """EnvPool's real game returns: unclipped rewards summed until the game (not a life) is over."""

    def __init__(self, num_envs: int) -> None:
        self.returns = np.zeros(num_envs)
        self.lengths = np.zeros(num_envs, dtype=np.int64)

    def update(self, info: dict, truncated: np.ndarray, env_id=None) -> list[tuple[float, int]]:
        """Adds one step of the envs `env_id` (default: all, in order); returns (return, length)
        of the games that ended."""
        if env_id is None:
            env_id = np.arange(len(self.returns))
        self.returns[env_id] += info["reward"]
        self.lengths[env_id] += 1
        over = env_id[info["terminated"].astype(bool) | truncated]  # EnvPool gives int32
        ended = [(float(self.returns[i]), int(self.lengths[i])) for i in over]
        self.returns[over] = 0.0
        self.lengths[over] = 0
        return ended


def finished_games(
    info: dict, truncated: np.ndarray, games: GameReturns | None, env_id=None
) -> list[tuple[float, int]]:
    """(return, length) of the games that ended at this step of the envs `env_id`: envfleet's
    engine reports them in `info["episode"]`; EnvPool's are summed by `games`."""
    if games is not None:
        return games.update(info, truncated, env_id)
    if "episode" not in info:
        return []
    episode = info["episode"]
    return [
        (float(episode["r"][i]), int(episode["l"][i])) for i in np.flatnonzero(info["_episode"])
    ]
