"""What the snapshot tests share (tests/test_snapshots.py, tests/box2d/test_box2d_snapshots.py):
random actions for a pool, the rows of results its steps give, the exact comparison of two runs,
and the check that pickled snapshots continue exactly in a spawned interpreter.
"""

from __future__ import annotations

import multiprocessing
import pickle
from typing import Any

import numpy as np

import envfleet

NUM_ENVS = 3


def random_actions(pool: Any, count: int, seed: int = 0, beyond: float = 1.0) -> np.ndarray:
    """`count` batches of random actions for `pool`: discrete ones uniform over the space,
    continuous ones uniform in [low, high * beyond] (`beyond` > 1: past the upper bounds too)."""
    space = pool.single_action_space
    rng = np.random.default_rng(seed)
    if hasattr(space, "n"):
        return rng.integers(space.n, size=(count, pool.num_envs))
    low, high = space.low, space.high * beyond
    return rng.uniform(low, high, size=(count, pool.num_envs, *space.shape)).astype(space.dtype)


def run(
    pool: Any, actions: np.ndarray, env_id: Any = None, render_every: int = 0
) -> list[list[np.ndarray]]:
    """Every result of stepping `pool` with each batch of `actions`, copied: observation, reward,
    flags, elapsed_step, CarRacing's lap_finished, the episode statistics where the pool keeps
    them, and render()'s pictures every `render_every` steps (0: none)."""
    rows = []
    for step, batch in enumerate(actions):
        obs, reward, term, trunc, info = pool.step(batch, env_id)
        row = [np.array(obs), reward.copy(), term.copy(), trunc.copy()]
        row.append(info["elapsed_step"].copy())
        if "lap_finished" in info:
            row.append(info["lap_finished"].copy())
        if "episode" in info:
            row += [info["episode"]["r"].copy(), info["episode"]["l"].copy()]
        if render_every and step % render_every == 0:
            row.append(pool.render())
        rows.append(row)
    return rows


def assert_same(rows: list[list[np.ndarray]], reference: list[list[np.ndarray]]) -> None:
    """The two runs' rows are equal, bit for bit."""
    assert len(rows) == len(reference)
    for step, (row, ref) in enumerate(zip(rows, reference, strict=True)):
        assert len(row) == len(ref), f"step {step}: episode statistics differ"
        for got, want in zip(row, ref, strict=True):
            np.testing.assert_array_equal(got, want, err_msg=f"step {step}")


def _restore_in_a_new_process(
    task_id: str, options: dict[str, Any], snapshots: bytes, actions: np.ndarray
) -> list[list[np.ndarray]]:
    """Runs in a spawned interpreter: a fresh pool restores the pickled snapshots and steps."""
    pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=77, **options)
    pool.restore(pickle.loads(snapshots))
    rows = run(pool, actions)
    pool.close()
    return rows


def assert_continues_in_another_process(
    task_id: str, options: dict[str, Any], warmup: int, steps: int, beyond: float = 1.0
) -> None:
    """A pool of NUM_ENVS envs steps `warmup` steps with random_actions(..., beyond=beyond) and
    snapshots its envs; a pool in a spawned interpreter restores the pickled snapshots, and both
    step `steps` more steps with the same actions: the rows are the same."""
    pool = envfleet.make_gymnasium(task_id, num_envs=NUM_ENVS, seed=4, **options)
    try:
        actions = random_actions(pool, warmup + steps, beyond=beyond)
        pool.reset()
        run(pool, actions[:warmup])
        snapshots = pickle.dumps(pool.snapshot())
        reference = run(pool, actions[warmup:])
    finally:
        pool.close()
    with multiprocessing.get_context("spawn").Pool(1) as workers:
        rows = workers.apply(
            _restore_in_a_new_process, (task_id, options, snapshots, actions[warmup:])
        )
    assert_same(rows, reference)
