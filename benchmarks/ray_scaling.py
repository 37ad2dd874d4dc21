"""envfleet on Ray, one machine: env-steps/s with 1 and 2 pools or env runners, and batch costs.

Starts a local Ray cluster (loopback, `--cpus` CPUs) and prints, for `--task` at `--num-envs`
envs per pool:

- a pool in this process (1 thread and all cores), the figure a node reaches without Ray;
- `envfleet.ray.PoolGroup` with 1 and 2 pools (one actor each, 1 thread each), stepped in sync
  from this process;
- the per-batch transfer cost: the round trip of one actor call returning a recorded step batch
  of that size, without stepping (Ray's call, serialisation and object transfer);
- RLlib: `PPO` env runners sampling `envfleet/<task>` (and Gymnasium's own `<task>` with RLlib's
  sync vectorization, for comparison) with 1 and 2 env runners of `--rllib-envs` envs each.

Each figure is the median of `--repeats` timed runs of `--seconds`. Needs the `ray` extra.

    python benchmarks/ray_scaling.py [--task T] [--num-envs N] [--seconds S] [--repeats R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

# Read when Ray is imported: keep Ray on loopback and send no usage statistics.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

import numpy as np
import ray

import envfleet
from envfleet.ray import PoolGroup

ACTION_BATCHES = 16


def median_rate(run_once: Callable[[], int], seconds: float, repeats: int) -> float:
    """The median over `repeats` runs of (units `run_once` reports) per second, each run calling
    it for about `seconds` after one untimed warm-up call."""
    run_once()
    rates = []
    for _ in range(repeats):
        done, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            done += run_once()
        rates.append(done / elapsed)
    return statistics.median(rates)


def action_cycle(space) -> Callable[[], np.ndarray]:
    """A function returning precomputed random action batches of `space`, in turn."""
    space.seed(0)
    batches = [space.sample() for _ in range(ACTION_BATCHES)]
    index = [0]

    def next_batch() -> np.ndarray:
        index[0] = (index[0] + 1) % ACTION_BATCHES
        return batches[index[0]]

    return next_batch


def local_pool_rate(task: str, num_envs: int, num_threads: int, args) -> float:
    """Env-steps/s of one pool stepped in this process."""
    pool = envfleet.make_gymnasium(task, num_envs=num_envs, num_threads=num_threads)
    pool.reset()
    actions = action_cycle(pool.action_space)

    def step() -> int:
        pool.step(actions())
        return num_envs

    rate = median_rate(step, args.seconds, args.repeats)
    pool.close()
    return rate


def group_rate(task: str, num_envs: int, num_pools: int, args) -> float:
    """Env-steps/s of a PoolGroup of `num_pools` one-thread pools, stepped in sync."""
    with PoolGroup(task, num_envs, num_pools=num_pools, num_threads=1) as group:
        group.reset()
        space = envfleet.make_gymnasium(task, num_envs=group.num_envs).action_space
        actions = action_cycle(space)

        def step() -> int:
            group.step(actions())
            return group.num_envs

        return median_rate(step, args.seconds, args.repeats)


@ray.remote(num_cpus=1)
class _RecordedBatch:
    """Returns one recorded step batch on every call: Ray's round trip without stepping."""

    def __init__(self, task: str, num_envs: int) -> None:
        pool = envfleet.make_gymnasium(task, num_envs=num_envs, num_threads=1)
        pool.reset()
        result = pool.step(pool.action_space.sample())
        self.batch = (*(np.array(array) for array in result[:4]), dict(result[4]))
        pool.close()

    def step(self, actions: np.ndarray) -> tuple:
        return self.batch


def transfer_cost(task: str, num_envs: int, args) -> tuple[float, int]:
    """(seconds per batch round trip, bytes per batch) of an actor returning a recorded batch."""
    actor = _RecordedBatch.remote(task, num_envs)
    batch = ray.get(actor.step.remote(None))
    size = sum(array.nbytes for array in batch[:4]) + sum(v.nbytes for v in batch[4].values())
    action_space = envfleet.make_gymnasium(task, num_envs=num_envs).action_space
    actions = action_space.sample()

    def round_trip() -> int:
        ray.get(actor.step.remote(actions))
        return 1

    rate = median_rate(round_trip, args.seconds, args.repeats)
    ray.kill(actor)
    return 1.0 / rate, size


def rllib_rate(env: str, mode: str, num_runners: int, args) -> float:
    """Env-steps/s of `num_runners` RLlib env runners sampling `env` concurrently."""
    from ray.rllib.algorithms.ppo import PPOConfig

    config = (
        PPOConfig()
        .environment(env)
        .env_runners(
            num_env_runners=num_runners,
            num_envs_per_env_runner=args.rllib_envs,
            gym_env_vectorize_mode=mode,
        )
    )
    algo = config.build_algo()
    steps = args.rllib_steps

    def sample() -> int:
        algo.env_runner_group.foreach_env_runner(
            lambda runner: runner.sample(num_timesteps=steps, random_actions=False),
            local_env_runner=False,
        )
        return steps * num_runners

    try:
        return median_rate(sample, args.seconds, args.repeats)
    finally:
        algo.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="CartPole-v1")
    parser.add_argument("--num-envs", type=int, default=256, help="envs per pool")
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray cluster")
    parser.add_argument("--rllib-envs", type=int, default=8, help="envs per RLlib env runner")
    parser.add_argument("--rllib-steps", type=int, default=2000, help="steps per sample() call")
    parser.add_argument("--skip-rllib", action="store_true")
    args = parser.parse_args()

    ray.init(
        address="local",
        num_cpus=args.cpus,
        include_dashboard=False,
        object_store_memory=200 * 1024**2,
        runtime_env={"worker_process_setup_hook": "envfleet.register_with_gymnasium"},
        log_to_driver=False,
    )
    n = args.num_envs
    print(
        f"{args.task}, {n} envs per pool; env-steps/s, median of {args.repeats} x {args.seconds} s"
    )
    print(f"local pool, 1 thread:            {local_pool_rate(args.task, n, 1, args):14,.0f}")
    print(f"local pool, all cores:           {local_pool_rate(args.task, n, 0, args):14,.0f}")
    for pools in (1, 2):
        rate = group_rate(args.task, n, pools, args)
        print(f"PoolGroup, {pools} pool(s) x 1 thread:  {rate:14,.0f}")
    seconds, size = transfer_cost(args.task, n, args)
    print(f"per-batch transfer cost:         {seconds * 1e6:11,.0f} us for {size:,} bytes")
    if not args.skip_rllib:
        print(f"RLlib PPO env runners sampling, {args.rllib_envs} envs each:")
        for env, mode in ((f"envfleet/{args.task}", "vector_entry_point"), (args.task, "sync")):
            for runners in (1, 2):
                rate = rllib_rate(env, mode, runners, args)
                print(f"  {env:22} {mode:18} {runners} runner(s): {rate:12,.0f}")
    ray.shutdown()


if __name__ == "__main__":
    main()
