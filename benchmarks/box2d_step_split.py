"""Where a LunarLander-v3 step goes: Gymnasium's step, its Box2D world.Step, envfleet's, EnvPool's.

On a machine shared with other work, wall-clock rates move with everyone else's load; the CPU
time a process spends per env-step does not (much). So this script reports both, in one process:

1. one Gymnasium env stepped with random actions for `--seconds`, its `world.Step` timed by a
   wrapper (Box2D's own work): CPU and wall microseconds per step, and world.Step's share;
2. Gymnasium's SyncVectorEnv of 64 envs: CPU microseconds per env-step;
3. envfleet's and (if installed) EnvPool's LunarLander-v3 x64 with 1 and 2 threads, alternating,
   two rounds: env-steps/s, the process's CPU time over wall time, and CPU microseconds per
   env-step.

envfleet's CPU cost per env-step is about Box2D's step; Gymnasium adds Python, SWIG and NumPy
around the same Box2D step. See docs/box2d.md, "Speed".

    python benchmarks/box2d_step_split.py [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import gymnasium
import numpy as np

import envfleet

NUM_ENVS = 64


class _TimedWorld:
    """A b2World whose Step() adds its CPU time to `seconds`."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.seconds = 0.0

    def Step(self, *args: Any) -> None:
        start = time.process_time()
        self.world.Step(*args)
        self.seconds += time.process_time() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def _cpu_seconds() -> float:
    """CPU time of the whole process (every thread), user and system."""
    times = os.times()
    return times.user + times.system


def _single_env(seconds: float, rng: np.random.Generator) -> None:
    env = gymnasium.make("LunarLander-v3").unwrapped
    env.reset(seed=0)
    cpu = world_cpu = 0.0
    steps = 0
    wall_start = time.perf_counter()
    while cpu < seconds:
        timed = _TimedWorld(env.world)  # reset() makes a new world: wrap the current one
        env.world = timed
        start = time.process_time()
        _, _, terminated, truncated, _ = env.step(int(rng.integers(4)))
        cpu += time.process_time() - start
        world_cpu += timed.seconds
        env.world = timed.world
        steps += 1
        if terminated or truncated:
            env.reset()
    wall = time.perf_counter() - wall_start
    print(
        f"Gymnasium LunarLander-v3, one env: {cpu / steps * 1e6:.1f} us CPU per step "
        f"({wall / steps * 1e6:.1f} us wall), of which world.Step {world_cpu / steps * 1e6:.1f} "
        f"us ({world_cpu / cpu:.0%})"
    )


def _rate(pool: Any, actions: np.ndarray, seconds: float) -> tuple[float, float, float]:
    """(env-steps/s, CPU time / wall time, CPU us per env-step) of `pool` stepped `seconds`."""
    pool.reset()
    for batch in actions[:10]:
        pool.step(batch)
    cpu_start, start = _cpu_seconds(), time.perf_counter()
    batches = 0
    while time.perf_counter() - start < seconds:
        pool.step(actions[batches % len(actions)])
        batches += 1
    wall, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    env_steps = batches * NUM_ENVS
    return env_steps / wall, cpu / wall, cpu / env_steps * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per measurement")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    actions = rng.integers(4, size=(50, NUM_ENVS))
    _single_env(args.seconds, rng)

    sync = gymnasium.make_vec("LunarLander-v3", NUM_ENVS, vectorization_mode="sync")
    rate, share, cpu = _rate(sync, actions, args.seconds)
    sync.close()
    print(f"Gymnasium SyncVectorEnv x{NUM_ENVS}: {rate:.0f} env-steps/s, {cpu:.1f} us CPU each")

    makers = {"envfleet": envfleet.make_gymnasium}
    try:
        import envpool

        makers["EnvPool"] = envpool.make_gymnasium
    except ImportError:
        pass
    for _ in range(2):
        for threads in (1, 2):
            for name, make in makers.items():
                pool = make("LunarLander-v3", num_envs=NUM_ENVS, seed=0, num_threads=threads)
                rate, share, cpu = _rate(pool, actions, args.seconds)
                pool.close()
                print(
                    f"{name} x{NUM_ENVS}, {threads} thread(s): {rate:.0f} env-steps/s, "
                    f"CPU/wall {share:.2f}, {cpu:.1f} us CPU per env-step"
                )


if __name__ == "__main__":
    main()
