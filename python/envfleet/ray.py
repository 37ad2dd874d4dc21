"""envfleet on a Ray cluster: RLlib env creators, and pools on Ray actors stepped from the driver.

`PoolGroup` places one envfleet pool on each Ray node (or `num_pools` pools spread over the
cluster), each in its own actor, and steps them together from the driver: batches come back
concatenated, with global `env_id`s (pool k owns ids k * num_envs_per_pool ... (k + 1) *
num_envs_per_pool - 1). It serves users with their own learners; RLlib users need only
configuration (docs/scaling.md). Needs the `ray` extra: `pip install "envfleet[ray]"`.
"""

from __future__ import annotations

import secrets
from typing import Any

import numpy as np
import ray
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from envfleet.api import make_gymnasium
from envfleet.gymnasium_pool import GymnasiumPool
from envfleet.spec import EnvSpec, make_spec


class RLlibEnvCreator:
    """An RLlib env creator: `tune.register_env(name, RLlibEnvCreator("CartPole-v1"))`.

    RLlib calls it with the env config plus `num_envs` (vector_entry_point mode) and gets an
    envfleet pool. The pool's construction seed is `seed` when given, else a fresh random one per
    call, so runners differ even when the RLlib config sets no seed (RLlib then never reseeds);
    with `config.debugging(seed=s)`, RLlib reseeds runner w with s + w at its first reset.
    """

    def __init__(self, task_id: str, **pool_kwargs: Any) -> None:
        self.task_id = task_id
        self.pool_kwargs = pool_kwargs

    def __call__(self, env_config: dict[str, Any]) -> GymnasiumPool:
        """The pool for one env runner; `env_config` holds RLlib's env config and `num_envs`."""
        kwargs = {**self.pool_kwargs, **env_config}
        kwargs.setdefault("num_envs", 1)
        if kwargs.get("seed") is None:
            kwargs["seed"] = secrets.randbits(63)
        return make_gymnasium(self.task_id, **kwargs)


@ray.remote
class _PoolActor:
    """One envfleet Gymnasium pool in a Ray actor; its methods return plain arrays and dicts."""

    def __init__(self, task_id: str, pool_kwargs: dict[str, Any]) -> None:
        self.pool = make_gymnasium(task_id, **pool_kwargs)

    def node_id(self) -> str:
        """The Ray node this actor runs on."""
        return ray.get_runtime_context().get_node_id()

    def reset(self, seed: int | None) -> tuple[np.ndarray, dict[str, Any]]:
        """The pool's reset of every env."""
        return self.pool.reset(seed=seed)

    def step(self, actions: np.ndarray) -> tuple[Any, ...]:
        """The pool's step of every env."""
        return self.pool.step(actions)

    def send(self, actions: np.ndarray, env_id: np.ndarray) -> None:
        """Queues a step of the envs `env_id` (the pool's own ids)."""
        self.pool.send(actions, env_id)

    def async_reset(self, seed: int | None) -> None:
        """Queues a reset of every env."""
        self.pool.async_reset(seed=seed)

    def recv(self) -> tuple[Any, ...]:
        """The pool's next batch; blocks until `batch_size` envs are done."""
        return self.pool.recv()

    def close(self) -> None:
        """Closes the pool."""
        self.pool.close()


# What `@ray.remote` made of the class: a Ray ActorClass (`.options(...).remote(...)`), which the
# class statement does not tell a type checker.
_REMOTE_ACTOR: Any = _PoolActor


class PoolGroup:
    """`num_pools` envfleet pools of `task_id` on Ray actors, stepped together from the driver.

    `num_pools=None` places one pool on every alive Ray node (pinned there); an int places that
    many, spread over the cluster. Pool k is made with seed `seed + k` (envfleet hashes seeds, so
    adjacent seeds share no streams): its results equal those of
    `make_gymnasium(task_id, num_envs=num_envs_per_pool, seed=seed + k, **pool_kwargs)`.

    Sync mode (default): `reset()` and `step(actions)` cover every env, in global env_id order.
    Async mode (`batch_size` < `num_envs_per_pool`, per pool): `async_reset()` and
    `send(actions, env_id)` queue work, `recv()` returns the first pool batch to arrive
    (`batch_size` envs of one pool) with global `info["env_id"]`. Each call blocks until the
    actors' results are in the driver; the group is used from one thread.
    """

    def __init__(
        self,
        task_id: str,
        num_envs_per_pool: int,
        num_pools: int | None = None,
        seed: int = 42,
        num_cpus_per_pool: float = 1,
        **pool_kwargs: Any,
    ) -> None:
        if "num_envs" in pool_kwargs:
            raise TypeError("PoolGroup takes num_envs_per_pool, not num_envs")
        self.spec: EnvSpec = make_spec(task_id, **pool_kwargs)
        self.num_envs_per_pool = num_envs_per_pool
        self.batch_size = pool_kwargs.get("batch_size") or num_envs_per_pool
        self.is_async = self.batch_size < num_envs_per_pool
        if num_pools is None:
            nodes = [node["NodeID"] for node in ray.nodes() if node["Alive"]]
            strategies: list[Any] = [
                NodeAffinitySchedulingStrategy(node_id=node, soft=False) for node in nodes
            ]
        else:
            strategies = ["SPREAD"] * num_pools
        self.num_pools = len(strategies)
        self.num_envs = self.num_pools * num_envs_per_pool
        self.pool_seeds = [seed + k for k in range(self.num_pools)]
        self._actors = [
            _REMOTE_ACTOR.options(num_cpus=num_cpus_per_pool, scheduling_strategy=strategy).remote(
                task_id,
                {**pool_kwargs, "num_envs": num_envs_per_pool, "seed": pool_seed},
            )
            for strategy, pool_seed in zip(strategies, self.pool_seeds, strict=True)
        ]
        # The Ray node of each pool; waiting for it also waits until every pool is made.
        self.node_ids: list[str] = ray.get([actor.node_id.remote() for actor in self._actors])
        # Async mode: envs sent to each pool and not yet received, and each pool's queued recv.
        self._in_flight = [0] * self.num_pools
        self._pending_recv: list[Any] = [None] * self.num_pools

    # ---- sync mode ----------------------------------------------------------------------------

    def reset(self, seed: int | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        """Resets every env; an int `seed` reseeds pool k with `seed + k`."""
        self._require_sync("reset")
        refs = [
            actor.reset.remote(None if seed is None else seed + k)
            for k, actor in enumerate(self._actors)
        ]
        results = ray.get(refs)
        return self._concatenate([obs for obs, _ in results]), self._merge_infos(
            [info for _, info in results], range(self.num_pools)
        )

    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """Steps every env with `actions` (one row per env, global env_id order)."""
        self._require_sync("step")
        actions = np.asarray(actions)
        if len(actions) != self.num_envs:
            raise ValueError(f"expected {self.num_envs} actions (one per env), got {len(actions)}")
        chunks = np.split(actions, self.num_pools)
        results = ray.get(
            [actor.step.remote(chunk) for actor, chunk in zip(self._actors, chunks, strict=True)]
        )
        return self._merge_results(results, range(self.num_pools))

    # ---- async mode ---------------------------------------------------------------------------

    def async_reset(self, seed: int | None = None) -> None:
        """Queues a reset of every env (pool k reseeded with `seed + k` for an int seed)."""
        self._require_async("async_reset")
        for k, actor in enumerate(self._actors):
            actor.async_reset.remote(None if seed is None else seed + k)
            self._in_flight[k] += self.num_envs_per_pool
            self._queue_recv(k)

    def send(self, actions: Any, env_id: Any) -> None:
        """Queues a step of the envs with global ids `env_id`, one action row each."""
        self._require_async("send")
        actions, env_id = np.asarray(actions), np.asarray(env_id, dtype=np.int64)
        if len(actions) != len(env_id):
            raise ValueError(f"got {len(actions)} actions for {len(env_id)} env ids")
        if env_id.size and (env_id.min() < 0 or env_id.max() >= self.num_envs):
            raise ValueError(f"env ids must be in [0, {self.num_envs}), got {env_id}")
        pool_of = env_id // self.num_envs_per_pool
        for k in np.unique(pool_of):
            rows = pool_of == k
            local_ids = env_id[rows] - k * self.num_envs_per_pool
            self._actors[k].send.remote(actions[rows], local_ids.astype(np.int32))
            self._in_flight[k] += int(rows.sum())
            self._queue_recv(int(k))

    def recv(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict]:
        """The first pool batch to arrive: `batch_size` envs of one pool, with global env ids."""
        self._require_async("recv")
        pending = [ref for ref in self._pending_recv if ref is not None]
        if not pending:
            raise RuntimeError("recv() with fewer than batch_size envs in flight in every pool")
        [ready], _ = ray.wait(pending, num_returns=1)
        k = self._pending_recv.index(ready)
        self._pending_recv[k] = None
        self._in_flight[k] -= self.batch_size
        self._queue_recv(k)
        return self._merge_results([ray.get(ready)], [k])

    # ---- lifetime -----------------------------------------------------------------------------

    def close(self) -> None:
        """Closes the pools and ends their actors."""
        ray.get([actor.close.remote() for actor in self._actors])
        for actor in self._actors:
            ray.kill(actor)
        self._actors = []

    def __enter__(self) -> PoolGroup:
        """The group itself; leaving the `with` block closes it."""
        return self

    def __exit__(self, *exc_info: Any) -> None:
        """Closes the group."""
        self.close()

    # ---- helpers ------------------------------------------------------------------------------

    def _queue_recv(self, k: int) -> None:
        """Queues pool k's next recv once it has a full batch in flight (so it cannot block)."""
        if self._pending_recv[k] is None and self._in_flight[k] >= self.batch_size:
            self._pending_recv[k] = self._actors[k].recv.remote()

    def _require_sync(self, method: str) -> None:
        """Raises unless the group is in sync mode."""
        if self.is_async:
            raise RuntimeError(f"{method}() needs sync mode; use async_reset/send/recv")

    def _require_async(self, method: str) -> None:
        """Raises unless the group is in async mode."""
        if not self.is_async:
            raise RuntimeError(f"{method}() needs async mode (batch_size < num_envs_per_pool)")

    @staticmethod
    def _concatenate(arrays: list[np.ndarray]) -> np.ndarray:
        """The arrays stacked along the env axis (one array is returned as it is)."""
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    def _merge_infos(self, infos: list[dict[str, Any]], pools: Any) -> dict[str, Any]:
        """The pools' info dicts as one, with env_id made global."""
        merged = {key: self._concatenate([info[key] for info in infos]) for key in infos[0]}
        merged["env_id"] = np.concatenate(
            [
                info["env_id"] + k * self.num_envs_per_pool
                for info, k in zip(infos, pools, strict=True)
            ]
        )
        return merged

    def _merge_results(self, results: list[tuple[Any, ...]], pools: Any) -> tuple[Any, ...]:
        """The pools' step results as one five-tuple, with env_id made global."""
        arrays = [self._concatenate([result[i] for result in results]) for i in range(4)]
        return (*arrays, self._merge_infos([result[4] for result in results], pools))
