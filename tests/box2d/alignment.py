"""Running an envfleet Box2D pool beside Gymnasium's envs on the same random streams.

Both sides run Box2D 2.3 (envfleet compiles the box2d-py sdist's sources; Gymnasium calls the
`box2d` wheel's through SWIG), and envfleet's envs create the same bodies in the same order with
the same float32 inputs, computed in double precision as Python computes them. The random draws
are made the same by giving each Gymnasium env, in place of its `np_random`, its envfleet twin's
random stream (envfleet_random.py): the two then generate the same terrain and the same pushes,
wind phases and dispersions. So no state is copied: from the same seed, every reset and every step
must give equal observations, rewards and terminated / truncated flags
(np.testing.assert_array_equal and ==, no tolerance), through NEXT_STEP autoresets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium
import numpy as np

from .envfleet_random import EnvfleetRandom, stream_seed


def case_id(case: tuple[Any, ...]) -> str:
    """The test id of a case (name, options, ...): the name, then "-option=value" per option."""
    name, options = case[0], case[1]
    return name + "".join(f"-{option}={value}" for option, value in options.items())


def references(task_id: str, options: dict[str, Any], num_envs: int, seed: int) -> list[Any]:
    """One Gymnasium env per pool env, each drawing from its twin's stream (TimeLimit included)."""
    refs = [gymnasium.make(task_id, disable_env_checker=True, **options) for _ in range(num_envs)]
    for i, ref in enumerate(refs):
        ref.unwrapped._np_random = EnvfleetRandom(stream_seed(seed, i))
    return refs


def pool_and_references(
    make_pool: Callable[..., Any], task_id: str, options: dict[str, Any], num_envs: int, seed: int
) -> tuple[Any, list[Any]]:
    """An envfleet pool of `num_envs` envs made with `options` from `seed` (the make_pool fixture),
    and its Gymnasium twins (references())."""
    pool = make_pool(task_id, num_envs=num_envs, seed=seed, **options)
    return pool, references(task_id, options, num_envs, seed)


def assert_spaces_and_limits_match(pool: Any, ref: Any) -> None:
    """The pool's single-env spaces, time limit and reward threshold are Gymnasium's `ref`'s."""
    assert pool.single_observation_space == ref.observation_space
    assert pool.single_action_space == ref.action_space
    assert pool.envfleet_spec.max_episode_steps == ref.spec.max_episode_steps
    assert pool.envfleet_spec.reward_threshold == ref.spec.reward_threshold


def assert_episodes_match(
    pool: Any,
    refs: list[Any],
    policy: Callable[[np.ndarray], np.ndarray],
    num_steps: int,
) -> dict[str, int]:
    """Steps `pool` and `refs` with `policy(obs)` for `num_steps` steps and requires equal results
    at every reset and step; returns how episodes ended: counts of terminations with reward -100
    ("crashed"), other terminations ("finished") and truncations."""
    obs, _ = pool.reset()
    np.testing.assert_array_equal(obs, [ref.reset()[0] for ref in refs])
    starting = np.zeros(len(refs), dtype=bool)
    outcomes = {"crashed": 0, "finished": 0, "truncated": 0}
    for _ in range(num_steps):
        actions = policy(obs)
        obs, reward, terminated, truncated, _ = pool.step(actions)
        for i, ref in enumerate(refs):
            # NEXT_STEP autoreset: this row is the next episode's first observation.
            if starting[i]:
                np.testing.assert_array_equal(obs[i], ref.reset()[0])
                assert (reward[i], terminated[i], truncated[i]) == (0.0, False, False)
                continue
            ref_obs, ref_reward, ref_terminated, ref_truncated, _ = ref.step(actions[i])
            np.testing.assert_array_equal(obs[i], ref_obs)
            assert reward[i] == ref_reward
            assert (terminated[i], truncated[i]) == (ref_terminated, ref_truncated)
        starting = terminated | truncated
        outcomes["crashed"] += int((terminated & (reward == -100)).sum())
        outcomes["finished"] += int((terminated & (reward != -100)).sum())
        outcomes["truncated"] += int(truncated.sum())
    return outcomes


def assert_threads_do_not_matter(
    make_pool: Callable[..., Any],
    task_id: str,
    num_envs: int,
    num_steps: int,
    actions: Callable[[np.random.Generator], np.ndarray],
    render: bool = False,
    **options: Any,
) -> None:
    """Runs `task_id` with 1 and with 2 threads from the same seed with the same actions
    (`actions(rng)` each step) and requires identical observations, rewards and flags (and
    pictures, with `render`)."""
    pools = [
        make_pool(task_id, num_envs=num_envs, num_threads=n, seed=5, **options) for n in (1, 2)
    ]
    results = [[pool.reset()[0]] for pool in pools]
    rng = np.random.default_rng(0)
    for _ in range(num_steps):
        step_actions = actions(rng)
        for pool, result in zip(pools, results, strict=True):
            obs, reward, terminated, truncated, _ = pool.step(step_actions)
            result.extend([obs, reward, terminated, truncated])
            if render:
                result.append(pool.render())
    for one, two in zip(*results, strict=True):
        np.testing.assert_array_equal(one, two)
