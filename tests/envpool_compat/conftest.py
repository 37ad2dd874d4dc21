"""Fixtures of the envfleet.envpool tests: pools of both libraries, closed after each test.

EnvPool 1.2.5 (the `envpool` package of the test extra) is the oracle: the layer must show the
same surface (spaces, config, info keys and dtypes, behaviour) for the same calls.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import envpool
import pytest

import envfleet.envpool


def _quietly(make: Callable[..., Any]) -> Callable[..., Any]:
    """`make`(task_id, env_type="gymnasium", **kwargs), with the pool's warnings silenced."""

    def make_quietly(task_id: str, env_type: str = "gymnasium", **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            # EnvPool's gymnasium pool warns about its own spaces; not what is tested here.
            warnings.simplefilter("ignore")
            return make(task_id, env_type, **kwargs)

    return make_quietly


@pytest.fixture
def make_ours(closing: Callable[..., Any]) -> Callable[..., Any]:
    """make_ours(task_id, env_type="gymnasium", **kwargs): an envfleet.envpool pool, closed at
    teardown."""
    return closing(_quietly(envfleet.envpool.make))


@pytest.fixture
def make_theirs(closing: Callable[..., Any]) -> Callable[..., Any]:
    """make_theirs(task_id, env_type="gymnasium", **kwargs): an EnvPool pool, closed at
    teardown."""
    return closing(_quietly(envpool.make))
