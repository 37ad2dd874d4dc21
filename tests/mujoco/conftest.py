"""Fixtures of the MuJoCo tests: Gymnasium's reference envs, and libmujoco's log out of the tree.

This folder has no __init__.py on purpose: as a package it would be named `mujoco` and shadow
the MuJoCo library.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import gymnasium
import numpy as np
import pytest

# Gymnasium's reference pictures: MuJoCo's Python bindings on a headless EGL context, the platform
# envfleet uses when MUJOCO_GL is unset (Gymnasium would try glfw first, which needs a display).
os.environ.setdefault("MUJOCO_GL", "egl")


@pytest.fixture(autouse=True)
def _mujoco_log_in_tmp(tmp_path, monkeypatch) -> None:
    """libmujoco writes its warnings (e.g. about deprecated XML attributes) to MUJOCO_LOG.TXT in
    the working directory: keep that file out of the source tree."""
    monkeypatch.chdir(tmp_path)


def _make_reference(task_id: str, **options: Any) -> gymnasium.Env:
    """Gymnasium's env for `task_id` (TimeLimit included), with its warnings silenced.

    Gymnasium 1.4 refuses Pusher-v4 with mujoco >= 3 by a version check in the constructor (its
    results differ from those of mujoco 2, for which v4 was published); the class itself runs
    unchanged. envfleet's Pusher-v4 is v4's semantics on the MuJoCo it links, so it is compared
    with Gymnasium's v4 class on that same MuJoCo: only the version check sees a mujoco 2 version
    string, while the env is made.
    """
    with warnings.catch_warnings(), pytest.MonkeyPatch.context() as patch:
        warnings.simplefilter("ignore")
        if task_id == "Pusher-v4":
            from gymnasium.envs.mujoco import pusher_v4

            patch.setattr(pusher_v4.mujoco, "__version__", "2.3.7")
        return gymnasium.make(task_id, disable_env_checker=True, **options)


def close_reference(reference: gymnasium.Env) -> None:
    """Closes Gymnasium's env, freeing each renderer's GL objects in the renderer's own context.

    Gymnasium's close() frees a viewer's GL context but leaves its MjrContext (MuJoCo's textures,
    framebuffers and display lists) to the garbage collector, whose mjr_freeContext then deletes
    those objects' ids in whatever context is current: another live renderer's. On Mesa, with
    one context per twin, that deleted a later twin's skybox texture (its pictures got black
    corners). Freeing the MjrContext with its own context current first deletes only its own.
    """
    renderer = getattr(reference.unwrapped, "mujoco_renderer", None)
    for viewer in [] if renderer is None else list(renderer._viewers.values()):
        viewer.make_context_current()
        viewer.con.free()
    reference.close()


@pytest.fixture
def make_reference() -> Iterator[Callable[..., gymnasium.Env]]:
    """make_reference(task_id, **options): Gymnasium's env, Pusher-v4 included; closed at
    teardown by close_reference()."""
    references: list[gymnasium.Env] = []

    def make(task_id: str, **options: Any) -> gymnasium.Env:
        references.append(_make_reference(task_id, **options))
        return references[-1]

    yield make
    for reference in references:
        close_reference(reference)


def _load_state(reference: gymnasium.Env, qpos: np.ndarray, qvel: np.ndarray) -> None:
    """Starts a Gymnasium episode from (qpos, qvel) with Gymnasium's own set_state. The state
    Gymnasium's reset draws is overwritten, so its seed is irrelevant."""
    reference.reset(seed=0)
    reference.unwrapped.set_state(qpos, qvel)


@pytest.fixture
def load_state() -> Callable[[gymnasium.Env, np.ndarray, np.ndarray], None]:
    """load_state(reference, qpos, qvel): a Gymnasium episode starting from that state."""
    return _load_state
