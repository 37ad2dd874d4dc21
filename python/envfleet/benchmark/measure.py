"""The timed loop: env-steps per second of an opened harness, after a warm-up."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

from envfleet.benchmark.harness import Harness

# Distinct random action batches per measurement; the timed loop cycles through them.
ACTION_POOL = 64
# Warm-up before the timed runs: at least this many steps of each env of the batch and this share
# of `seconds`.
WARMUP_STEPS = 50
WARMUP_SHARE = 0.2
# The clock is read once per chunk of steps; chunks are sized to about this share of `seconds`.
CHUNK_SHARE = 0.02
ACTION_SEED = 12345


def random_actions(space: Any, batch: int | None, count: int, seed: int) -> list[Any]:
    """`count` random actions of a single-env space; batched to (batch, ...) unless batch is None.

    Discrete actions of a single env are Python ints, as a user passes them.
    """
    from gymnasium import spaces

    rng = np.random.default_rng(seed)
    lead = (count,) if batch is None else (count, batch)
    if isinstance(space, spaces.Discrete):
        start, n = int(space.start), int(space.n)
        drawn = rng.integers(start, start + n, size=lead, dtype=np.int64)
        return drawn.tolist() if batch is None else list(drawn)
    if isinstance(space, spaces.Box):
        drawn = rng.uniform(space.low, space.high, size=lead + space.shape).astype(space.dtype)
        return list(drawn)
    raise TypeError(f"no random actions for action space {space}")


def measure(
    harness: Harness,
    batch_size: int,
    seconds: float,
    repeats: int,
    on_repeat: Callable[[], None] = lambda: None,
) -> list[float]:
    """Env-steps/s of `repeats` timed runs of about `seconds` each, after a warm-up.

    Each step call moves `batch_size` envs one step (or makes `harness.env_steps_per_call`
    env-steps); the rate is multiplied by `harness.cores`.
    """
    batch = batch_size if harness.batched else None
    per_call = harness.env_steps_per_call or batch_size
    pool = random_actions(harness.action_space, batch, ACTION_POOL, ACTION_SEED)
    step = harness.step
    harness.reset()

    # Warm-up, doubling the chunk until one chunk takes about CHUNK_SHARE of `seconds`.
    chunk_s = seconds * CHUNK_SHARE
    warmup_end = time.perf_counter() + seconds * WARMUP_SHARE
    chunk, warmed = 1, 0
    while True:
        start = time.perf_counter()
        for i in range(chunk):
            step(pool[(warmed + i) % ACTION_POOL])
        now = time.perf_counter()
        warmed += chunk
        warm = warmed * per_call >= WARMUP_STEPS * batch_size and now >= warmup_end
        if warm and now - start >= chunk_s / 2:
            break
        if now - start < chunk_s:
            chunk *= 2
    actions = [pool[i % ACTION_POOL] for i in range(chunk)]

    # Timed runs: whole chunks until the deadline, the clock read once per chunk.
    rates = []
    for _ in range(repeats):
        steps = 0
        start = time.perf_counter()
        deadline = start + seconds
        while True:
            for action in actions:
                step(action)
            steps += chunk
            now = time.perf_counter()
            if now >= deadline:
                break
        rates.append(steps * per_call * harness.cores / (now - start))
        on_repeat()
    return rates
