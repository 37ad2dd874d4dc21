"""A real local Ray cluster for the Ray tests: head node on loopback, 2 CPUs, no dashboard.

This folder has no __init__.py on purpose: as a package it would be named `ray` and shadow Ray.
Each test module skips when Ray is not installed (`pip install ".[ray]"`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

# Read when Ray is imported: keep every Ray address on loopback (Ray otherwise takes the
# machine's outward address) and send no usage statistics.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")

# The object store holds a few batches of small arrays at a time.
OBJECT_STORE_BYTES = 100 * 1024**2


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Any]:
    """A local Ray cluster for the session; workers import envfleet first, so RLlib's env
    runners find the `envfleet/<id>` Gymnasium ids."""
    import ray

    ray.init(
        address="local",
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=OBJECT_STORE_BYTES,
        runtime_env={"worker_process_setup_hook": "envfleet.register_with_gymnasium"},
        log_to_driver=False,
    )
    yield ray
    ray.shutdown()
