"""EnvPool's `make` keywords translated to envfleet's, and the `config` EnvPool reports.

EnvPool's keywords fall in four groups:
- pool keywords (num_envs, batch_size, seed, ...), shared with envfleet under the same names,
  plus EnvPool's own (env_seed, max_num_players, base_path, gym_reset_return_info,
  reward_threshold), checked or recorded here;
- options envfleet's task has under the same name (most Atari and classic-control ones, many
  MuJoCo ones), passed on;
- MuJoCo options EnvPool spells differently (`healthy_z_min` / `healthy_z_max` for Gymnasium's
  `healthy_z_range`, `dist_cost_weight` for `reward_dist_weight`, ...), translated;
- options that pick between Gymnasium versions inside EnvPool's one task (`post_constraint`,
  `legacy_healthy_reward`, ...) or fix a constant Gymnasium hard-codes (`reset_qvel_scale`, ...):
  envfleet's `-v4` and `-v5` tasks are Gymnasium's, so these are accepted at the value EnvPool
  gives them for the id and raise ValueError otherwise, naming the id that behaves so.
`frame_stack` (MuJoCo, the Control Suite) is EnvPool's observation stack, applied by the pool
layer. The Control Suite's `frame_skip` and `task_name` are fixed per id (envpool/dm_control.py).
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from envfleet import registry
from envfleet.envpool import dm_control as suite
from envfleet.envpool import ids
from envfleet.spec import option_defaults

# EnvPool's pool keywords, in the order of its config, with their defaults.
_POOL_DEFAULTS: dict[str, Any] = {
    "num_envs": 1,
    "batch_size": 0,
    "num_threads": 0,
    "max_num_players": 1,
    "thread_affinity_offset": -1,
    "base_path": "",
    "seed": 42,
    "env_seed": [],
    "gym_reset_return_info": True,
}

# MuJoCo options fixed per Gymnasium version: option -> ((tasks,), value in -v4, value in -v5).
_ALL_MUJOCO = ()
_VERSION_FLAGS: dict[str, tuple[tuple[str, ...], Any, Any]] = {
    "post_constraint": (_ALL_MUJOCO, False, True),
    "gymnasium_v5_render_camera": (_ALL_MUJOCO, False, True),
    "use_contact_force": (("Ant", "Humanoid"), False, True),
    "legacy_healthy_reward": (("Ant", "Hopper", "Humanoid", "Walker2d"), True, False),
    "exclude_worldbody_contact_forces": (("Ant",), False, True),
    "exclude_worldbody_observations": (("Humanoid", "HumanoidStandup"), False, True),
    "exclude_root_actuator_forces": (("Humanoid", "HumanoidStandup"), False, True),
    "constraint_obs_dim": (("InvertedDoublePendulum",), 3, 1),
    "reward_if_not_terminated": (("InvertedDoublePendulum", "InvertedPendulum"), False, True),
    "reward_after_step": (("Pusher", "Reacher"), False, True),
    "weighted_reward_info": (("Pusher",), False, True),
    "obs_include_z_distance": (("Reacher",), True, False),
}

# Options EnvPool gives a task where Gymnasium hard-codes the value (or, in -v4, takes no such
# keyword): task or task-version -> {option: EnvPool's value}.
_FIXED: dict[str, dict[str, Any]] = {
    "Hopper": {"velocity_min": -10.0, "velocity_max": 10.0},
    "Walker2d": {"velocity_min": -10.0, "velocity_max": 10.0},
    "InvertedDoublePendulum": {"observation_min": -10.0, "observation_max": 10.0},
    "InvertedPendulum": {"healthy_reward": 1.0, "healthy_z_min": -0.2, "healthy_z_max": 0.2},
    "Reacher": {"reset_qpos_scale": 0.1, "reset_qvel_scale": 0.005, "reset_goal_scale": 0.2},
    "Pusher": {
        "reset_qvel_scale": 0.005,
        "cylinder_x_min": -0.3,
        "cylinder_x_max": 0.0,
        "cylinder_y_min": -0.2,
        "cylinder_y_max": 0.2,
        "cylinder_dist_min": 0.17,
    },
    "HumanoidStandup": {
        "forward_reward_weight": 1.0,
        "contact_cost_weight": 5e-07,
        "contact_cost_max": 10.0,
        "healthy_reward": 1.0,
    },
    "InvertedDoublePendulum-v5": {"healthy_z_max": 1.0},
    # EnvPool's -v4 tasks take v5's keywords; Gymnasium's -v4 classes take fewer.
    "Ant-v4": {"frame_skip": 5, "forward_reward_weight": 1.0},
    "HalfCheetah-v4": {"frame_skip": 5, "xml_file": "half_cheetah.xml"},
    "Hopper-v4": {"frame_skip": 4, "xml_file": "hopper.xml"},
    "Humanoid-v4": {
        "frame_skip": 5,
        "xml_file": "humanoid.xml",
        "contact_cost_weight": 5e-07,
        "contact_cost_max": 10.0,
    },
    "HumanoidStandup-v4": {
        "frame_skip": 5,
        "xml_file": "humanoidstandup.xml",
        "exclude_current_positions_from_observation": True,
        "ctrl_cost_weight": 0.1,
        "reset_noise_scale": 0.01,
    },
    "InvertedDoublePendulum-v4": {
        "frame_skip": 5,
        "xml_file": "inverted_double_pendulum.xml",
        "healthy_reward": 10.0,
        "healthy_z_max": 1.0,
        "reset_noise_scale": 0.1,
    },
    "InvertedPendulum-v4": {
        "frame_skip": 2,
        "xml_file": "inverted_pendulum.xml",
        "reset_noise_scale": 0.01,
    },
    "Pusher-v4": {
        "frame_skip": 5,
        "xml_file": "pusher.xml",
        "ctrl_cost_weight": 0.1,
        "dist_cost_weight": 1.0,
        "near_cost_weight": 0.5,
    },
    "Reacher-v4": {
        "frame_skip": 2,
        "xml_file": "reacher.xml",
        "ctrl_cost_weight": 1.0,
        "dist_cost_weight": 1.0,
    },
    "Swimmer-v4": {"frame_skip": 4, "xml_file": "swimmer.xml"},
    "Walker2d-v4": {"frame_skip": 4, "xml_file": "walker2d.xml"},
}

# EnvPool's reward thresholds where they differ from Gymnasium's (envfleet's).
_REWARD_THRESHOLDS = {"Hopper-v4": 6000.0, "Hopper-v5": 6000.0}


def _fixed_options(task_id: str) -> dict[str, Any]:
    """The options EnvPool gives `task_id` that envfleet's task fixes, with EnvPool's values."""
    task = task_id.rsplit("-", 1)[0]
    return {**_FIXED.get(task, {}), **_FIXED.get(task_id, {})}


# EnvPool's name -> Gymnasium's (envfleet's), where the task has the latter.
_RENAMES = {
    "dist_cost_weight": "reward_dist_weight",
    "near_cost_weight": "reward_near_weight",
    "ctrl_cost_weight": "reward_control_weight",
    "use_contact_force": "use_contact_forces",
}


@dataclass(frozen=True)
class Translation:
    """One `make` call's keywords, as envfleet takes them and as EnvPool reports them."""

    envfleet_id: str
    # Keywords for envfleet.engine_pool.make_pool: pool keywords and the task's own options.
    envfleet_kwargs: dict[str, Any]
    # EnvPool's config: every setting, pool ones included.
    config: dict[str, Any]
    # MuJoCo's observation stack (1: none).
    frame_stack: int


def _is_seed_sequence(seed: Any) -> bool:
    return isinstance(seed, np.ndarray) or (
        isinstance(seed, Sequence) and not isinstance(seed, (str, bytes))
    )


def _env_seeds(seed: Any, num_envs: int) -> list[int]:
    """A per-env seed list, checked as EnvPool checks it."""
    seeds = [int(s) for s in (seed.tolist() if isinstance(seed, np.ndarray) else seed)]
    assert len(seeds) == num_envs, (
        "When `seed` is a sequence, its length must match `num_envs`, "
        f"got len(seed) = {len(seeds)} and num_envs = {num_envs}"
    )
    return seeds


def _fixed(task_id: str, name: str, value: Any, expected: Any) -> None:
    """ValueError unless an option envfleet cannot change has EnvPool's value for the id."""
    if value != expected:
        raise ValueError(
            f"{task_id}: {name}={value!r} is not supported; envfleet's {task_id} follows "
            f"Gymnasium's {task_id} exactly, where EnvPool's {name} is {expected!r}"
        )


def _mujoco_option(
    task_id: str, name: str, value: Any, options: dict[str, Any], defaults: dict[str, Any]
) -> bool:
    """Translates one EnvPool-only MuJoCo option into `options`; False if it is not one."""
    task, version = task_id.rsplit("-", 1)
    if name in _RENAMES and _RENAMES[name] in defaults:
        options[_RENAMES[name]] = value
        return True
    if name in _VERSION_FLAGS:
        tasks, v4, v5 = _VERSION_FLAGS[name]
        if tasks and task not in tasks:
            return False
        _fixed(task_id, name, value, v4 if version == "v4" else v5)
        return True
    if name in (fixed := _fixed_options(task_id)):
        _fixed(task_id, name, value, fixed[name])
        return True
    # EnvPool's scalar bounds of Gymnasium's (low, high) ranges.
    for suffix, end in (("_min", 0), ("_max", 1)):
        base = name.removesuffix(suffix)
        if name.endswith(suffix) and f"{base}_range" in defaults:
            bounds = list(options.get(f"{base}_range", defaults[f"{base}_range"]))
            bounds[end] = float(value)
            options[f"{base}_range"] = bounds
            return True
    if name == "contact_cost_max" and "contact_cost_range" in defaults:
        low = options.get("contact_cost_range", defaults["contact_cost_range"])[0]
        options["contact_cost_range"] = [low, float(value)]
        return True
    return False


def _mujoco_config(task_id: str, settings: dict[str, Any]) -> dict[str, Any]:
    """EnvPool's names of a MuJoCo task's settings, as its config lists them."""
    task, version = task_id.rsplit("-", 1)
    config: dict[str, Any] = {}
    for name, (tasks, v4, v5) in _VERSION_FLAGS.items():
        if not tasks or task in tasks:
            config[name] = v4 if version == "v4" else v5
    config.update(_fixed_options(task_id))
    for envpool_name, name in _RENAMES.items():
        if name in settings:
            config[envpool_name] = settings[name]
    for name, value in settings.items():
        if name.endswith("_range"):
            base = name.removesuffix("_range")
            config[f"{base}_min"], config[f"{base}_max"] = value
    if "contact_cost_range" in settings:
        config["contact_cost_max"] = settings["contact_cost_range"][1]
    return config


def _family_option(
    task_id: str, name: str, value: Any, options: dict[str, Any], defaults: dict[str, Any]
) -> bool:
    """Handles one EnvPool option envfleet's task lacks; False if EnvPool has none such."""
    family = registry.family_of(task_id)
    if family == "atari" and name == "task":
        rom = value.decode() if isinstance(value, bytes) else value
        _fixed(task_id, name, rom, ids.ATARI_ROMS[task_id])
        return True
    if name == "version" and task_id == "Pendulum-v1":
        _fixed(task_id, name, value, 1)
        return True
    if family == "mujoco":
        return _mujoco_option(task_id, name, value, options, defaults)
    return False


def translate(task_id: str, kwargs: dict[str, Any]) -> Translation:
    """The envfleet call and EnvPool config of `make(task_id, **kwargs)`.

    Raises TypeError for a keyword neither EnvPool nor envfleet gives the task, as EnvPool does.
    """
    envfleet_id = ids.resolve(task_id)
    defaults = option_defaults(envfleet_id)
    given = dict(kwargs)
    frame_stack = 1
    family = registry.family_of(envfleet_id)
    if family in ("mujoco", "dm_control"):
        frame_stack = int(given.pop("frame_stack", 1))
        if frame_stack < 1:
            raise ValueError("frame_stack must be greater than 0")
    suite_config: dict[str, Any] = {}
    if family == "dm_control":
        # EnvPool's frame_skip is the task's physics steps per control step, not envfleet's
        # action repeat (envfleet's `frame_skip` option stays 1 here).
        suite_config = {
            "frame_skip": suite.frame_skip(envfleet_id),
            "frame_stack": frame_stack,
            "task_name": suite.task_name(envfleet_id),
        }
        # EnvPool ends every suite episode by 1000 steps, LQR's too (dm_control's has no limit).
        given.setdefault("max_episode_steps", 1000)
        for name in ("frame_skip", "task_name"):
            value = given.pop(name, suite_config[name])
            if value != suite_config[name]:
                raise ValueError(
                    f"{task_id}: {name}={value!r} is not supported; envfleet's {task_id} follows "
                    f"dm_control's task, where EnvPool's {name} is {suite_config[name]!r} (for an "
                    "action repeat, use envfleet.make_gymnasium(task_id, frame_skip=...))"
                )

    # Pool keywords.
    pool = {name: given.pop(name, default) for name, default in _POOL_DEFAULTS.items()}
    max_steps = given.pop("max_episode_steps", None)
    # envfleet's own pool keyword (no EnvPool setting, so not in the config).
    episode_stats = given.pop("episode_stats", False)
    reward_threshold = given.pop("reward_threshold", None)
    if not pool["gym_reset_return_info"]:
        raise ValueError(
            "EnvPool's gym API now follows gymnasium reset semantics and always returns an "
            "info dictionary after resets."
        )
    assert pool["max_num_players"] == 1, "envfleet's envs are single-player: max_num_players=1"
    num_envs = pool["num_envs"]
    batch_size = pool["batch_size"] or num_envs
    if _is_seed_sequence(pool["seed"]):
        assert not pool["env_seed"], (
            "Pass either `seed` as an int or seed list, or `env_seed`, but not both."
        )
        pool["env_seed"], pool["seed"] = _env_seeds(pool["seed"], num_envs), 0
    elif pool["env_seed"]:
        pool["env_seed"] = _env_seeds(pool["env_seed"], num_envs)
    else:
        assert -(2**31) <= pool["seed"] < 2**31, (
            f"Seed should be in range of int32, got {pool['seed']}"
        )

    # The task's options: envfleet's own names, then EnvPool's others.
    options: dict[str, Any] = {}
    for name, value in given.items():
        if name in defaults:
            options[name] = value
        elif not _family_option(envfleet_id, name, value, options, defaults):
            raise TypeError(f"{task_id}: unexpected keyword argument {name!r}")

    envfleet_kwargs = {
        **options,
        "num_envs": num_envs,
        "batch_size": batch_size,
        "num_threads": pool["num_threads"],
        "thread_affinity_offset": pool["thread_affinity_offset"],
        "seed": pool["env_seed"] or pool["seed"],
        "max_episode_steps": max_steps,
        "episode_stats": episode_stats,
    }
    config = {**pool, "batch_size": batch_size, "max_episode_steps": max_steps}
    if reward_threshold is None:
        reward_threshold = _REWARD_THRESHOLDS.get(envfleet_id)
    if reward_threshold is not None:
        config["reward_threshold"] = float(reward_threshold)
    if envfleet_id == "Pendulum-v1":
        config["version"] = 1
    if registry.family_of(envfleet_id) == "atari":
        config["task"] = ids.ATARI_ROMS[envfleet_id]
    settings = {**defaults, **options}
    if family == "dm_control":
        # EnvPool's settings only; envfleet's own options given (time_limit, ...) still apply.
        config.update(suite_config)
        return Translation(envfleet_id, envfleet_kwargs, config, frame_stack)
    if registry.family_of(envfleet_id) == "mujoco":
        config["frame_stack"] = frame_stack
        config.update(_mujoco_config(envfleet_id, settings))
    config.update(settings)
    return Translation(envfleet_id, envfleet_kwargs, config, frame_stack)


def config_tuple(config: dict[str, Any]) -> NamedTuple:
    """EnvPool's `spec.config`: a namedtuple of every setting."""
    return collections.namedtuple("Config", list(config))(**config)  # type: ignore[return-value]
