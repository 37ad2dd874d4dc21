"""Fixtures of the envfleet.envpool tests: pools of both libraries, closed after each test.

EnvPool 1.2.5 (the `envpool` package of the test extra) is the oracle: the layer must show the
same surface (spaces, config, info keys and dtypes, behaviour) for the same calls.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import envpool
import pytest

import envfleet.envpool


def _maker(module: Any) -> tuple[Callable[..., Any], list[Any]]:
    pools: list[Any] = []

    def make(task_id: str, env_type: str = "gymnasium", **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            # EnvPool's gymnasium pool warns about its own spaces; not what is tested here.
            warnings.simplefilter("ignore")
            pool = module.make(task_id, env_type, **kwargs)
        pools.append(pool)
        return pool

    return make, pools


@pytest.fixture
def make_ours() -> Iterator[Callable[..., Any]]:
    """make_ours(task_id, env_type="gymnasium", **kwargs): an envfleet.envpool pool."""
    make, pools = _maker(envfleet.envpool)
    yield make
    for pool in pools:
        pool.close()


@pytest.fixture
def make_theirs() -> Iterator[Callable[..., Any]]:
    """make_theirs(task_id, env_type="gymnasium", **kwargs): an EnvPool pool."""
    make, pools = _maker(envpool)
    yield make
    for pool in pools:
        pool.close()
