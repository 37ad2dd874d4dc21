"""The messages a new user meets first: unknown ids, async send without env_id, a missing
dm_env, and what `import envfleet` puts in the namespace."""

from __future__ import annotations

import importlib
import sys

import numpy as np
import pytest

import envfleet
from envfleet import suggest
from envfleet.atari_games import TASK_IDS as ATARI_TASK_IDS


@pytest.mark.parametrize(
    ("task_id", "suggestions"),
    [
        # Another case of an existing id: only that id.
        ("cartpole-v1", ["CartPole-v1"]),
        ("HALFCHEETAH-V5", ["HalfCheetah-v5"]),
        # Another version of a task: its versions, newest first, nothing else.
        ("CartPole-v2", ["CartPole-v1", "CartPole-v0"]),
        ("Humanoid-v3", ["Humanoid-v5", "Humanoid-v4"]),
        ("halfcheetah", ["HalfCheetah-v5", "HalfCheetah-v4"]),
        # Gymnasium's and ale-py's older Atari ids: the game's -v5 id.
        ("PongNoFrameskip-v4", ["Pong-v5"]),
        ("BreakoutDeterministic-v4", ["Breakout-v5"]),
        ("SpaceInvaders-ramNoFrameskip-v4", ["SpaceInvaders-v5"]),
        ("ALE/Pong-v5", ["Pong-v5"]),
        ("Pong-v4", ["Pong-v5"]),
        # Nothing close: nothing.
        ("NoSuchEnv-v0", []),
    ],
)
def test_close_task_ids(task_id: str, suggestions: list[str]) -> None:
    known = envfleet.list_all_envs()
    assert suggest.close_task_ids(task_id, known, ATARI_TASK_IDS) == suggestions


def test_an_older_atari_id_says_what_envfleet_atari_ids_are() -> None:
    with pytest.raises(ValueError) as raised:
        envfleet.make_gymnasium("PongNoFrameskip-v4")
    assert str(raised.value) == (
        "unknown task id 'PongNoFrameskip-v4'. Did you mean 'Pong-v5'? "
        + suggest.ATARI_NOTE.format(game="Pong-v5")
        + " See envfleet.list_all_envs()."
    )


def test_a_case_mistake_gets_no_atari_note() -> None:
    with pytest.raises(ValueError) as raised:
        envfleet.make_gymnasium("pong-v5")
    assert str(raised.value) == (
        "unknown task id 'pong-v5'. Did you mean 'Pong-v5'? See envfleet.list_all_envs()."
    )


def test_async_send_without_env_id_says_to_pass_recvs_env_ids(make_counting) -> None:
    pool = make_counting(num_envs=8, batch_size=4)
    pool.async_reset()
    *_, info = pool.recv()
    with pytest.raises(ValueError) as raised:
        pool.send(np.zeros(4, dtype=np.int64))
    assert str(raised.value) == (
        "actions must have shape [8], got [4]: without env_id, send() steps all 8 envs; to step "
        'the 4 envs recv() returned, pass env_id=info["env_id"]'
    )
    # What the message says to do works.
    pool.send(np.zeros(4, dtype=np.int64), info["env_id"])
    assert pool.recv()[0].shape[0] == 4


def test_a_sync_step_of_the_wrong_shape_has_no_async_hint(make_counting) -> None:
    pool = make_counting(num_envs=8)
    pool.reset()
    with pytest.raises(ValueError) as raised:
        pool.step(np.zeros(4, dtype=np.int64))
    assert str(raised.value) == "actions must have shape [8], got [4]"


def test_make_dm_without_dm_env_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    # None in sys.modules makes dm_env unimportable; dm_pool is imported afresh.
    monkeypatch.setitem(sys.modules, "dm_env", None)
    monkeypatch.delitem(sys.modules, "envfleet.dm_pool", raising=False)
    with pytest.raises(ImportError) as raised:
        importlib.import_module("envfleet.dm_pool")
    assert str(raised.value) == (
        "envfleet.make_dm needs the dm-env package: pip install dm-env "
        "(or, in an envfleet checkout, pip install '.[dm]')"
    )


def test_the_package_namespace_has_no_stray_names() -> None:
    public = {name for name in dir(envfleet) if not name.startswith("_")}
    assert "annotations" not in public
    assert set(envfleet.__all__) - {"__version__"} <= public
