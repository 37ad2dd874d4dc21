"""Shared fixtures (pools made by a test and closed after it) and the markers of whole folders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import envfleet

# The markers every test of a folder of tests/ carries: `pytest -m ecosystem` runs the ecosystem
# tests; Ray's are slow (a cluster takes seconds to start), left out by `pytest -m "not slow"`.
FOLDER_MARKERS = {"ecosystem": ("ecosystem",), "ray": ("slow",)}
TESTS = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Adds each test's FOLDER_MARKERS."""
    for item in items:
        path = Path(item.path).resolve()
        if not path.is_relative_to(TESTS):
            continue
        for marker in FOLDER_MARKERS.get(path.relative_to(TESTS).parts[0], ()):
            item.add_marker(marker)


@pytest.fixture
def closing() -> Iterator[Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """closing(make): `make`, with everything it returns closed at teardown."""
    made: list[Any] = []

    def wrap(make: Callable[..., Any]) -> Callable[..., Any]:
        def make_and_remember(*args: Any, **kwargs: Any) -> Any:
            thing = make(*args, **kwargs)
            made.append(thing)
            return thing

        return make_and_remember

    yield wrap
    for thing in made:
        thing.close()


@pytest.fixture
def make_pool(closing: Callable[..., Any]) -> Callable[..., Any]:
    """make_pool(task_id, **kwargs): an envfleet Gymnasium pool, closed at teardown."""
    return closing(envfleet.make_gymnasium)


@pytest.fixture
def make_counting(make_pool: Callable[..., Any]) -> Callable[..., Any]:
    """make_counting(**kwargs): a Counting-v0 Gymnasium pool, closed at teardown.

    Counting-v0: obs = [steps this episode, last action, draw from the env's rng at reset],
    reward = steps this episode, terminated at `episode_length` (default 5), Discrete(4) actions,
    info["reset_count"].
    """
    return lambda **kwargs: make_pool("Counting-v0", **kwargs)
