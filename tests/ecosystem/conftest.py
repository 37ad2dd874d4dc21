"""Settings of the ecosystem tests.

Tianshou's replay buffers compile their index helpers with numba on first use (about 11 s here);
the tests collect a few hundred steps, for which numba's interpreted fallback is as exact and
faster. Set before Tianshou (and so numba) is imported.
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("NUMBA_DISABLE_JIT", "1")


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path, monkeypatch) -> None:
    """libmujoco writes MUJOCO_LOG.TXT and the examples write run folders to the working
    directory: keep them out of the source tree."""
    monkeypatch.chdir(tmp_path)
