"""Per-env options at reset, shared by the Gymnasium, dm_env and envfleet.envpool pools.

`reset(env_id=..., options={name: value})` gives the envs reset new values of the task's reset
options (`EnvSpec.reset_options`); they hold from that reset on, for those envs only. Each value
is one for every env reset or one per env reset. Every value is checked before any env changes:
names and types (and NaN, by the engine); a vector option (a range) must have its default's
length; and for options of other types (integers such as Atari's mode, flags) the task's spec is
made with each new set of values, so a value the task refuses (a mode the game lacks) raises the
error a pool made with it would, and one that would change the spaces is refused. Real-valued
options (weights, noise scales, constants), which no task's constructor refuses, skip that step:
domain randomisation draws a new value per episode, and making a spec costs milliseconds.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from envfleet import registry
from envfleet.spec import EnvSpec, _check_option_type, _plain


def set_env_options(native: Any, spec: EnvSpec, options: dict[str, Any], env_id: Any) -> None:
    """Hands `options` to the engine for the envs in `env_id` (all when None); their next reset
    takes them up. Raises ValueError (or TypeError) before any env changes."""
    ids = np.arange(int(native.num_envs)) if env_id is None else np.asarray(env_id).reshape(-1)
    per_env = check_env_options(spec, options, len(ids))
    native.set_env_options(None if env_id is None else ids, per_env)


def check_env_options(spec: EnvSpec, options: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """The values of `options` for each of `count` envs, as the engine takes them, checked."""
    allowed = spec.reset_options
    per_env: list[dict[str, Any]] = [{} for _ in range(count)]
    for name, value in options.items():
        if name not in allowed:
            raise ValueError(
                f"option {name!r} of {spec.id} cannot change at reset; "
                + (
                    f"those that can: {', '.join(allowed)}"
                    if allowed
                    else "it has no options that can"
                )
            )
        default = spec.options[name]
        for row, item in zip(per_env, _per_env_values(name, value, default, count), strict=True):
            _check_option_type(spec.id, name, item, default)
            row[name] = _plain(item, default)
            if isinstance(default, list) and len(row[name]) != len(default):
                raise ValueError(
                    f"{spec.id}: {name} must hold {len(default)} values, got {len(row[name])}"
                )
            if isinstance(default, float) and np.isnan(row[name]):
                raise ValueError(f"{spec.id}: option {name!r} is NaN")
    checked = [
        {k: v for k, v in row.items() if not isinstance(spec.options[k], (float, list))}
        for row in per_env
    ]
    for values in {_key(row): row for row in checked if row}.values():
        _check_with_spec(spec, values)
    return per_env


def _per_env_values(name: str, value: Any, default: Any, count: int) -> list[Any]:
    """One value per env reset: `value` itself for each, or its rows when it holds one per env
    (a vector option, such as a range, takes one vector or one row per env)."""
    array = np.asarray(value)
    scalar_ndim = 1 if isinstance(default, list) else 0
    if array.ndim == scalar_ndim:
        return [array.tolist()] * count
    if array.ndim == scalar_ndim + 1 and len(array) == count:
        return array.tolist()
    raise ValueError(
        f"option {name!r}: one value for every env reset or one per env ({count}), "
        f"got shape {array.shape}"
    )


def _key(values: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in values.items()))


def _check_with_spec(spec: EnvSpec, values: dict[str, Any]) -> None:
    """The task's spec made with `values` (raising what make() would raise for them) has the
    pool's spaces."""
    config = {**spec.config, **values}
    observation, action = _spaces(spec.id, _key(config))
    if observation != spec.observation_space or action != spec.action_space:
        changed = ", ".join(f"{k}={v!r}" for k, v in values.items())
        raise ValueError(f"{spec.id}: {changed} would change the observation or action space")


@functools.lru_cache(maxsize=256)
def _spaces(task_id: str, config: tuple[tuple[str, Any], ...]) -> tuple[Any, Any]:
    options = {k: list(v) if isinstance(v, tuple) else v for k, v in config}
    description = registry.family_module(task_id).describe(task_id, options)
    made = EnvSpec.from_description(description, options)
    return made.observation_space, made.action_space
