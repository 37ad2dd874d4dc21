"""Shared fixtures: pools made by a test and closed after it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import envfleet


@pytest.fixture
def make_pool() -> Iterator[Callable[..., Any]]:
    """make_pool(task_id, **kwargs): an envfleet Gymnasium pool, closed at teardown."""
    pools = []

    def make(task_id: str, **kwargs: Any) -> Any:
        pool = envfleet.make_gymnasium(task_id, **kwargs)
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def make_counting(make_pool: Callable[..., Any]) -> Callable[..., Any]:
    """make_counting(**kwargs): a Counting-v0 Gymnasium pool, closed at teardown.

    Counting-v0: obs = [steps this episode, last action, draw from the env's rng at reset],
    reward = steps this episode, terminated at `episode_length` (default 5), Discrete(4) actions,
    info["reset_count"].
    """
    return lambda **kwargs: make_pool("Counting-v0", **kwargs)
