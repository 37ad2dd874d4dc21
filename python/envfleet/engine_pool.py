"""The engine's Pool (a family extension's) made from `make` keywords, checked as every facade
needs."""

from __future__ import annotations

import numbers
import os
from dataclasses import replace
from typing import Any

from gymnasium.vector import AutoresetMode

from envfleet import registry
from envfleet.spec import EnvSpec, split_keywords

_AUTORESET_NAMES = {
    AutoresetMode.NEXT_STEP: "next_step",
    AutoresetMode.SAME_STEP: "same_step",
    AutoresetMode.DISABLED: "disabled",
}


def autoreset_mode(value: Any) -> AutoresetMode:
    """An AutoresetMode from the enum, its value ("NextStep") or a snake-case name ("next_step")."""
    if isinstance(value, AutoresetMode):
        return value
    if isinstance(value, str):
        for mode, name in _AUTORESET_NAMES.items():
            if value in (name, mode.value, mode.name):
                return mode
    choices = ", ".join(repr(name) for name in _AUTORESET_NAMES.values())
    raise ValueError(f"autoreset_mode must be an AutoresetMode or one of {choices}, got {value!r}")


_MIN_INT = -(2**31)
_MAX_INT = 2**31 - 1


def _int_keyword(name: str, value: Any) -> int:
    """`value` as the engine's int. The ranges are the engine's to check (with the same words);
    here only what Python asks: is it an int, and does it fit a C int."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    number = int(value)
    if number < _MIN_INT:
        raise ValueError(f"{name} must be >= {_MIN_INT}, got {value}")
    if number > _MAX_INT:
        raise ValueError(f"{name} must be <= {_MAX_INT}, got {value}")
    return number


def _optional_count(name: str, value: Any) -> int:
    """An explicit count for a keyword whose None the engine receives as 0 ("its default"): so an
    explicit 0 (or less) is refused here, before it could be read as None."""
    number = _int_keyword(name, value)
    if number < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return number


# Where a pool's wait policy comes from when `make` is not given one (as OMP_WAIT_POLICY).
WAIT_POLICY_VARIABLE = "ENVFLEET_WAIT_POLICY"


def wait_policy(value: Any) -> tuple[str, str]:
    """(the policy name, where it came from) for a `wait_policy=` keyword; the engine checks
    the name itself."""
    if value is None:
        return os.environ.get(WAIT_POLICY_VARIABLE, "auto"), WAIT_POLICY_VARIABLE
    if not isinstance(value, str):
        raise TypeError(f"wait_policy must be a str, got {type(value).__name__} ({value!r})")
    return value, "wait_policy"


def make_pool(task_id: str, kwargs: dict[str, Any]) -> tuple[Any, EnvSpec, AutoresetMode]:
    """(the extension's Pool, the EnvSpec, the autoreset mode) for `make(task_id, **kwargs)`."""
    kwargs = dict(kwargs)
    # render_mode: "rgb_array" (what Gymnasium and EnvPool scripts pass) where the task renders.
    render_mode = kwargs.pop("render_mode", None)
    if render_mode not in (None, "rgb_array"):
        raise ValueError(
            f"{task_id}: render_mode={render_mode!r} is not supported (only 'rgb_array')"
        )
    pool, options = split_keywords(task_id, kwargs)

    # Pool keywords: their types here, with the keyword's name; their ranges in the engine.
    num_envs = _int_keyword("num_envs", pool["num_envs"])
    batch_size = pool["batch_size"]
    batch_size = 0 if batch_size is None else _optional_count("batch_size", batch_size)
    num_threads = _int_keyword("num_threads", pool["num_threads"])
    max_steps = pool["max_episode_steps"]
    max_steps = 0 if max_steps is None else _optional_count("max_episode_steps", max_steps)
    affinity = _int_keyword("thread_affinity_offset", pool["thread_affinity_offset"])
    mode = autoreset_mode(pool["autoreset_mode"])
    policy, policy_source = wait_policy(pool["wait_policy"])
    episode_stats = pool["episode_stats"]
    if not isinstance(episode_stats, bool):
        raise TypeError(
            f"episode_stats must be a bool, got {type(episode_stats).__name__} ({episode_stats!r})"
        )

    try:
        native = registry.family_module(task_id).Pool(
            task_id,
            options,
            num_envs=num_envs,
            batch_size=batch_size,
            num_threads=num_threads,
            max_episode_steps=max_steps,
            autoreset_mode=_AUTORESET_NAMES[mode],
            thread_affinity_offset=affinity,
            wait_policy=policy,
            seed=pool["seed"],
            episode_stats=episode_stats,
        )
    except ValueError as exc:
        if policy_source == WAIT_POLICY_VARIABLE and str(exc).startswith("wait_policy"):
            raise ValueError(f"the environment variable {WAIT_POLICY_VARIABLE}: {exc}") from None
        raise
    spec = EnvSpec.from_description(native.spec, options)
    if render_mode is not None and spec.render_shape is None:
        native.close()
        raise ValueError(f"{task_id}: render_mode={render_mode!r}: this task does not render")
    return native, replace(spec, max_episode_steps=native.max_episode_steps), mode
