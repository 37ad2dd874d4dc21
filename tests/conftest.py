"""Shared fixtures: pools of the internal CountingEnv, closed after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import envfleet


@pytest.fixture
def make_counting() -> Iterator[Callable[..., Any]]:
    """make_counting(**kwargs): a Counting-v0 Gymnasium pool, closed at teardown.

    Counting-v0: obs = [steps this episode, last action, draw from the env's rng at reset],
    reward = steps this episode, terminated at `episode_length` (default 5), Discrete(4) actions,
    info["reset_count"].
    """
    pools = []

    def make(**kwargs: Any) -> Any:
        pool = envfleet.make_gymnasium("Counting-v0", **kwargs)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()
