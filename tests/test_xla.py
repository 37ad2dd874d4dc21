"""xla(): a rollout jitted with jax (lax.scan over step) equals the same rollout stepped from
Python, on envfleet's own pools and on envfleet.envpool's, value for value.

The handlers are built against jaxlib's FFI headers, which `pip install .` brings as a build
requirement (docs/development.md); a build without them fails these tests, saying why.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

import jax
import numpy as np
import pytest

import envfleet
import envfleet.envpool
import envfleet.registry

STEPS = 40


def _require_handlers(family: str) -> None:
    try:
        envfleet.registry.import_family(family).xla_handlers()
    except RuntimeError as error:
        pytest.fail(f"this build has no xla() handlers: {error}")


def _jitted_rollout(step, handle, actions):
    """(obs, reward, terminated, truncated, env_id, elapsed_step) per step, from one jit call."""

    @jax.jit
    def rollout(handle, actions):
        def body(handle, action):
            handle, (obs, reward, terminated, truncated, info) = step(handle, action)
            return handle, (
                obs,
                reward,
                terminated,
                truncated,
                info["env_id"],
                info["elapsed_step"],
            )

        return jax.lax.scan(body, handle, actions)

    _, outputs = rollout(handle, actions)
    return [np.asarray(output) for output in outputs]


@pytest.mark.parametrize(
    ("task_id", "family"), [("CartPole-v1", "classic_control"), ("Pong-v5", "atari")]
)
def test_jitted_rollout_equals_python_rollout(task_id, family):
    _require_handlers(family)
    jitted = envfleet.make_gym(task_id, num_envs=3, seed=4, max_episode_steps=15)
    stepped = envfleet.make_gym(task_id, num_envs=3, seed=4, max_episode_steps=15)
    try:
        handle, _, _, step = jitted.xla()
        jitted.reset(), stepped.reset()
        n = jitted.single_action_space.n
        actions = np.random.default_rng(0).integers(n, size=(STEPS, 3)).astype(np.int32)
        outputs = _jitted_rollout(step, handle, actions)
        for t in range(STEPS):
            obs, reward, terminated, truncated, info = stepped.step(actions[t])
            expected = (obs, reward, terminated, truncated, info["env_id"], info["elapsed_step"])
            for got, want in zip(outputs, expected, strict=True):
                # Without jax_enable_x64, float64 rewards come back as float32 (exact here).
                np.testing.assert_array_equal(got[t], want.astype(got.dtype), f"step {t}")
        assert outputs[3].any()  # the time limit was reached, and the autoreset followed
    finally:
        jitted.close(), stepped.close()


def test_envpool_layer_xla_matches_its_python_steps():
    _require_handlers("atari")
    jitted = envfleet.envpool.make_gym("Breakout-v5", num_envs=2, seed=1)
    stepped = envfleet.envpool.make_gym("Breakout-v5", num_envs=2, seed=1)
    try:
        handle, recv, send, step = jitted.xla()
        jitted.async_reset(), stepped.async_reset()
        handle, (obs, *_) = recv(handle)
        np.testing.assert_array_equal(obs, stepped.recv()[0])
        actions = np.random.default_rng(0).integers(4, size=(STEPS, 2)).astype(np.int32)
        outputs = _jitted_rollout(step, handle, actions)
        for t in range(STEPS):
            obs, reward, terminated, truncated, info = stepped.step(actions[t])
            assert reward.dtype == outputs[1].dtype == np.float32
            expected = (obs, reward, terminated, truncated, info["env_id"], info["elapsed_step"])
            for got, want in zip(outputs, expected, strict=True):
                np.testing.assert_array_equal(got[t], want, f"step {t}")
    finally:
        jitted.close(), stepped.close()


def test_envpool_dm_xla_matches_its_python_steps():
    _require_handlers("classic_control")
    jitted = envfleet.envpool.make_dm("CartPole-v1", num_envs=3, seed=2, max_episode_steps=12)
    stepped = envfleet.envpool.make_dm("CartPole-v1", num_envs=3, seed=2, max_episode_steps=12)
    try:
        handle, _, _, step = jitted.xla()
        jitted.reset(), stepped.reset()

        @jax.jit
        def rollout(handle, actions):
            def body(handle, action):
                handle, ts = step(handle, action)
                return handle, (ts.step_type, ts.reward, ts.discount, ts.observation.obs)

            return jax.lax.scan(body, handle, actions)

        actions = np.random.default_rng(1).integers(2, size=(STEPS, 3)).astype(np.int32)
        _, outputs = rollout(handle, actions)
        for t in range(STEPS):
            ts = stepped.step(actions[t])
            expected = (ts.step_type, ts.reward, ts.discount, ts.observation.obs)
            for got, want in zip(outputs, expected, strict=True):
                assert np.asarray(got).dtype == want.dtype
                np.testing.assert_array_equal(np.asarray(got)[t], want, f"step {t}")
        assert (np.asarray(outputs[0]) == 2).any()  # LAST steps (the time limit) were compared
    finally:
        jitted.close(), stepped.close()


def test_async_xla_loop_runs_in_jit():
    # EnvPool's async pattern: recv a batch, send actions for its envs, inside lax.fori_loop.
    _require_handlers("atari")
    pool = envfleet.envpool.make_gym("Pong-v5", num_envs=4, batch_size=2, num_threads=2)
    try:
        handle, recv, send, _ = pool.xla()
        pool.async_reset()

        def actor_step(_, handle):
            handle, (_, _, _, _, info) = recv(handle)
            return send(handle, jax.numpy.ones(2, dtype=jax.numpy.int32), info["env_id"])

        handle = jax.jit(lambda h: jax.lax.fori_loop(0, 20, actor_step, h))(handle)
        _, (obs, *_, info) = recv(handle)
        assert obs.shape == (2, 4, 84, 84)
        assert set(np.asarray(info["env_id"]).tolist()) <= {0, 1, 2, 3}
    finally:
        pool.close()


@pytest.mark.slow  # trains
def test_ppo_atari_xla_jax_example_trains(monkeypatch, capsys):
    # examples/ppo_atari_xla_jax.py end to end on a tiny budget: two updates.
    _require_handlers("atari")
    example = Path(__file__).resolve().parents[1] / "examples" / "ppo_atari_xla_jax.py"
    args = ["--total-timesteps", "64", "--num-envs", "2", "--num-steps", "16"]
    args += ["--num-minibatches", "2", "--update-epochs", "1"]
    monkeypatch.setattr(sys, "argv", [example.name, *args])
    monkeypatch.syspath_prepend(str(example.parent))  # as `python examples/<name>` does
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert re.search(r"^update=2/2 steps/s=\d+ policy_loss=\S+ value_loss=\S+$", out, re.M)
    assert "nan" not in out
