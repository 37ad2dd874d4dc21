"""Harness: the few calls the timed loop makes on an opened env, whatever its library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Harness:
    """What the timed loop needs from an opened env: reset, step one action, close.

    `batched`: one action array of shape (batch, ...) per step; `cores`: the measured rate is
    multiplied by this (a raw limit measures one core and stands for `cores` of them);
    `env_steps_per_call`: env-steps one `step` call makes, if not one per env of the batch (a
    rollout of whole episodes makes thousands, and ignores the action it is given).
    """

    reset: Callable[[], object]
    step: Callable[[Any], object]
    close: Callable[[], object]
    action_space: Any  # the single-env gymnasium space
    batched: bool
    impl: str  # class name actually stepped, shown in the table
    cores: int = 1
    env_steps_per_call: int | None = None


def vector_harness(env: Any) -> Harness:
    """A harness stepping every env of a Gymnasium-style vector env."""
    return Harness(
        env.reset, env.step, env.close, env.single_action_space, True, type(env).__name__
    )
