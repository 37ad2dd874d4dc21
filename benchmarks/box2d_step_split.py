"""Where a LunarLander-v3 step goes: Gymnasium's step, its Box2D world.Step, envfleet's step.

One Gymnasium env is stepped with random actions for `--seconds`, its `world.Step` timed by a
wrapper (Box2D's own work); then an envfleet pool of 64 envs on one thread is stepped as long.
Prints microseconds per step of each, in the same process, so that the three share the machine's
load. envfleet's step is Box2D's step plus a little; Gymnasium adds Python, SWIG and NumPy around
the same Box2D step (see docs/box2d.md, "Speed"). With EnvPool installed, it then alternates
EnvPool's and envfleet's LunarLander-v3 x64 (1 and 2 threads, two rounds) in this process, so
that both see the same load (benchmarks/toy_text_box2d.py measures each in its own process).

    python benchmarks/box2d_step_split.py [--seconds S]
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import gymnasium
import numpy as np

import envfleet


class _TimedWorld:
    """A b2World whose Step() adds its wall time to `seconds`."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.seconds = 0.0

    def Step(self, *args: Any) -> None:
        start = time.perf_counter()
        self.world.Step(*args)
        self.seconds += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=4.0, help="per measurement")
    args = parser.parse_args()
    rng = np.random.default_rng(0)

    env = gymnasium.make("LunarLander-v3").unwrapped
    env.reset(seed=0)
    stepping = world_seconds = 0.0
    steps = 0
    while stepping < args.seconds:
        timed = _TimedWorld(env.world)  # reset() makes a new world: wrap the current one
        env.world = timed
        start = time.perf_counter()
        _, _, terminated, truncated, _ = env.step(int(rng.integers(4)))
        stepping += time.perf_counter() - start
        world_seconds += timed.seconds
        env.world = timed.world
        steps += 1
        if terminated or truncated:
            env.reset()
    print(
        f"Gymnasium LunarLander-v3: {stepping / steps * 1e6:.1f} us per step, of which "
        f"world.Step {world_seconds / steps * 1e6:.1f} us ({world_seconds / stepping:.0%})"
    )

    pool = envfleet.make_gymnasium("LunarLander-v3", num_envs=64, seed=0, num_threads=1)
    pool.reset()
    actions = rng.integers(4, size=(50, 64))
    start = time.perf_counter()
    batches = 0
    while time.perf_counter() - start < args.seconds:
        pool.step(actions[batches % 50])
        batches += 1
    elapsed = time.perf_counter() - start
    pool.close()
    print(
        f"envfleet LunarLander-v3 x64, 1 thread: "
        f"{elapsed / (batches * 64) * 1e6:.1f} us per env-step"
    )
    try:
        import envpool
    except ImportError:
        return
    for _ in range(2):
        for threads in (1, 2):
            ours = envfleet.make_gymnasium(
                "LunarLander-v3", num_envs=64, seed=0, num_threads=threads
            )
            theirs = envpool.make_gymnasium(
                "LunarLander-v3", num_envs=64, seed=0, num_threads=threads
            )
            figures = [_steps_per_second(pool, actions, args.seconds) for pool in (theirs, ours)]
            ours.close()
            theirs.close()
            print(
                f"LunarLander-v3 x64, {threads} thread(s): EnvPool {figures[0]:.0f}, envfleet "
                f"{figures[1]:.0f} env-steps/s ({figures[1] / figures[0]:.2f}x)"
            )


def _steps_per_second(pool: Any, actions: np.ndarray, seconds: float) -> float:
    """Env-steps per second of `pool` (64 envs) stepped with `actions` for `seconds`."""
    pool.reset()
    for batch in actions[:10]:
        pool.step(batch)
    start = time.perf_counter()
    batches = 0
    while time.perf_counter() - start < seconds:
        pool.step(actions[batches % len(actions)])
        batches += 1
    return batches * 64 / (time.perf_counter() - start)


if __name__ == "__main__":
    main()
