"""Registers every envfleet task with Gymnasium as `envfleet/<id>`.

`gymnasium.make_vec("envfleet/<id>", num_envs=n)` (the vector entry point) is an envfleet pool;
`gymnasium.make("envfleet/<id>")` (the entry point) is one env on the engine (single_env.py), which
also makes make_vec's "sync" and "async" modes work.
"""

from __future__ import annotations

import gymnasium

from envfleet.registry import list_all_envs

NAMESPACE = "envfleet"


def register_with_gymnasium() -> None:
    """Registers the tasks not yet registered (idempotent)."""
    for task_id in list_all_envs():
        gym_id = f"{NAMESPACE}/{task_id}"
        if gym_id in gymnasium.registry:
            continue
        gymnasium.register(
            id=gym_id,
            entry_point="envfleet.single_env:SingleEnv",
            vector_entry_point="envfleet.api:gymnasium_vector_entry_point",
            kwargs={"task_id": task_id},
        )
