"""envfleet.ray.PoolGroup on a local Ray cluster: its concatenated batches equal those of the
individual pools made with the same per-pool seeds, in sync and in async mode."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ray.util", reason="Ray is not installed: pip install '.[ray]'")

import envfleet
from envfleet.ray import PoolGroup

TASK = "CartPole-v1"
ENVS_PER_POOL = 3
SEED = 11
STEPS = 60  # CartPole episodes under random actions end within this, so autoresets happen


def _assert_same_results(got: tuple, expected: tuple) -> None:
    """Two step results (obs, reward, terminated, truncated, info) hold equal arrays."""
    for got_array, expected_array in zip(got[:4], expected[:4], strict=True):
        np.testing.assert_array_equal(got_array, expected_array)
    assert got[4].keys() == expected[4].keys()
    for key in expected[4]:
        np.testing.assert_array_equal(got[4][key], expected[4][key], err_msg=key)


def test_sync_batches_are_the_individual_pools_concatenated(ray_cluster):
    rng = np.random.default_rng(0)
    actions = rng.integers(0, 2, size=(STEPS, 2 * ENVS_PER_POOL))
    references = [
        envfleet.make_gymnasium(TASK, num_envs=ENVS_PER_POOL, seed=SEED + k) for k in range(2)
    ]
    with PoolGroup(TASK, ENVS_PER_POOL, num_pools=2, seed=SEED) as group:
        assert group.pool_seeds == [SEED, SEED + 1]
        assert group.num_envs == 2 * ENVS_PER_POOL
        obs, info = group.reset()
        expected = [pool.reset() for pool in references]
        np.testing.assert_array_equal(obs, np.concatenate([o for o, _ in expected]))
        np.testing.assert_array_equal(info["env_id"], np.arange(2 * ENVS_PER_POOL))
        for step_actions in actions:
            got = group.step(step_actions)
            parts = [
                pool.step(chunk)
                for pool, chunk in zip(references, np.split(step_actions, 2), strict=True)
            ]
            for part, k in zip(parts, range(2), strict=True):
                part[4]["env_id"] = part[4]["env_id"] + k * ENVS_PER_POOL
            expected_result = tuple(np.concatenate([part[i] for part in parts]) for i in range(4))
            expected_info = {key: np.concatenate([p[4][key] for p in parts]) for key in parts[0][4]}
            _assert_same_results(got, (*expected_result, expected_info))
        # A seeded reset reseeds pool k with seed + k, as the individual pools.
        obs, _ = group.reset(seed=5)
        expected_obs = [pool.reset(seed=5 + k)[0] for k, pool in enumerate(references)]
        np.testing.assert_array_equal(obs, np.concatenate(expected_obs))
    for pool in references:
        pool.close()


def test_bad_arguments_raise_before_any_actor_starts():
    with pytest.raises(TypeError, match="num_envs_per_pool"):
        PoolGroup(TASK, ENVS_PER_POOL, num_envs=4)
    with pytest.raises(TypeError, match="unexpected keyword"):
        PoolGroup(TASK, ENVS_PER_POOL, no_such_option=1)


def test_modes_are_checked(ray_cluster):
    with PoolGroup(TASK, ENVS_PER_POOL, num_pools=1) as group:
        with pytest.raises(RuntimeError, match="async mode"):
            group.recv()
        with pytest.raises(ValueError, match="one per env"):
            group.step(np.zeros(ENVS_PER_POOL + 1, dtype=np.int64))


def test_one_pool_per_node_by_default(ray_cluster):
    nodes = [node["NodeID"] for node in ray_cluster.nodes() if node["Alive"]]
    with PoolGroup(TASK, ENVS_PER_POOL) as group:
        assert group.num_pools == len(nodes)
        assert group.node_ids == nodes


def test_async_trajectories_match_the_individual_pools(ray_cluster):
    """Each env's async trajectory (whatever order batches arrive in) equals the trajectory of the
    same env stepped with the same actions in an individual sync pool seeded as its actor."""
    envs_per_pool, batch_size, recvs = 4, 2, 40
    rng = np.random.default_rng(1)
    observations: dict[int, list[np.ndarray]] = {}
    rewards: dict[int, list[float]] = {}
    dones: dict[int, list[tuple[bool, bool]]] = {}
    actions: dict[int, list[int]] = {}
    with PoolGroup(TASK, envs_per_pool, num_pools=2, seed=SEED, batch_size=batch_size) as group:
        group.async_reset()
        for _ in range(recvs):
            obs, reward, terminated, truncated, info = group.recv()
            assert len(info["env_id"]) == batch_size
            assert len(set(info["env_id"] // envs_per_pool)) == 1  # one pool's batch
            for row, env in enumerate(info["env_id"].tolist()):
                observations.setdefault(env, []).append(obs[row])
                if env in actions:
                    rewards.setdefault(env, []).append(reward[row])
                    dones.setdefault(env, []).append((terminated[row], truncated[row]))
            chosen = rng.integers(0, 2, size=batch_size)
            for env, action in zip(info["env_id"].tolist(), chosen.tolist(), strict=True):
                actions.setdefault(env, []).append(action)
            group.send(chosen, info["env_id"])
    assert sorted(observations) == list(range(2 * envs_per_pool))
    for k in range(2):
        reference = envfleet.make_gymnasium(TASK, num_envs=envs_per_pool, seed=SEED + k)
        first_obs, _ = reference.reset()
        for local in range(envs_per_pool):
            env = k * envs_per_pool + local
            expected_obs, expected_rewards, expected_dones = [first_obs[local]], [], []
            # The last action sent to each env has no result received yet.
            for action in actions[env][: len(observations[env]) - 1]:
                obs, reward, terminated, truncated, _ = reference.step(
                    np.array([action]), env_id=np.array([local])
                )
                expected_obs.append(obs[0])
                expected_rewards.append(reward[0])
                expected_dones.append((terminated[0], truncated[0]))
            np.testing.assert_array_equal(np.stack(observations[env]), np.stack(expected_obs))
            np.testing.assert_array_equal(rewards.get(env, []), expected_rewards)
            assert dones.get(env, []) == expected_dones
        reference.close()
