"""snapshot() / restore() / fork(): the same three methods on the Gymnasium and dm_env pools."""

from __future__ import annotations

from typing import Any


class SnapshotMethods:
    """Whole-env snapshots of a pool whose extension Pool is `self._native`."""

    _native: Any

    def snapshot(self, env_id: Any = None) -> list[bytes]:
        """One snapshot per env in `env_id` (all when None): opaque bytes holding everything the
        env needs to continue exactly (simulator state, random stream, preprocessing buffers,
        elapsed_step, episode flags and statistics). Plain bytes: pickle them, send them to
        another process. See docs/api.md#snapshots-restores-and-forks."""
        return self._native.snapshot(env_id)

    def restore(self, snapshots: Any, env_id: Any = None) -> None:
        """Loads `snapshots[r]` into env `env_id[r]` (all envs when None), in any pool of the same
        task and options: from there the same actions give bit-identical results. A snapshot of
        another task or options raises ValueError before any env changes."""
        self._native.restore(list(snapshots), env_id)

    def fork(self, source_env: int, env_id: Any) -> None:
        """Copies env `source_env` into each env of `env_id` (a snapshot restored into each, in
        C++ on the pool's threads). The copies share its random stream too."""
        self._native.fork(int(source_env), env_id)
