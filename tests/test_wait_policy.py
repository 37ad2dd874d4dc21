"""The `wait_policy` pool keyword: how waiting threads use their core, never what they compute.

Each policy gives the default's trajectories exactly, sync and async; the keyword, the
ENVFLEET_WAIT_POLICY variable and bad values behave as docs/api.md says; `envfleet bench --load`
runs its busy processes and stops them.
"""

from __future__ import annotations

import numpy as np
import pytest

import envfleet
from envfleet.benchmark.load import busy_processes, fair_share
from envfleet.cli import main

POLICIES = ("auto", "spin", "block")


def sync_trajectory(make_counting, **kwargs) -> list[np.ndarray]:
    """Every observation and reward of 40 sync steps of 16 Counting envs on 2 threads, whose
    steps sleep long enough to be sharded over the threads."""
    pool = make_counting(num_envs=16, num_threads=2, step_sleep_us=20, step_parts=3, **kwargs)
    actions = np.random.default_rng(0).integers(0, 4, size=(40, 16))
    out = [pool.reset(seed=3)[0]]
    for step_actions in actions:
        obs, reward, *_ = pool.step(step_actions)
        out += [obs, reward]
    return out


def async_counts(make_counting, **kwargs) -> dict[int, list[float]]:
    """Each env's observed step counts over 200 async batches (8 envs in batches of 2)."""
    pool = make_counting(num_envs=8, batch_size=2, num_threads=2, step_sleep_us=5, **kwargs)
    pool.async_reset()
    seen: dict[int, list[float]] = {i: [] for i in range(8)}
    for _ in range(200):
        obs, _, _, _, info = pool.recv()
        for row, env in enumerate(info["env_id"]):
            seen[int(env)].append(float(obs[row, 0]))
        pool.send(np.ones(2, dtype=np.int64), info["env_id"])
    return seen


@pytest.mark.parametrize("policy", POLICIES)
def test_every_policy_gives_the_same_trajectories(make_counting, policy):
    reference = sync_trajectory(make_counting)
    for ours, theirs in zip(
        sync_trajectory(make_counting, wait_policy=policy), reference, strict=True
    ):
        np.testing.assert_array_equal(ours, theirs)
    # Async: each env counts 0, 1, ..., 5 (its episode), then 0 again, whatever the policy.
    for counts in async_counts(make_counting, wait_policy=policy).values():
        assert counts == [i % 6 for i in range(len(counts))]


def test_the_default_is_auto_and_the_keyword_is_reported(make_counting, monkeypatch):
    monkeypatch.delenv("ENVFLEET_WAIT_POLICY", raising=False)
    assert make_counting().wait_policy == "auto"
    for policy in POLICIES:
        assert make_counting(wait_policy=policy).wait_policy == policy


def test_the_environment_variable_sets_the_default_and_the_keyword_wins(make_counting, monkeypatch):
    monkeypatch.setenv("ENVFLEET_WAIT_POLICY", "block")
    assert make_counting().wait_policy == "block"
    assert make_counting(wait_policy="spin").wait_policy == "spin"


def test_bad_policies_are_refused_with_their_source(make_counting, monkeypatch):
    monkeypatch.delenv("ENVFLEET_WAIT_POLICY", raising=False)
    with pytest.raises(
        ValueError, match="wait_policy must be 'auto', 'spin' or 'block', got 'fast'"
    ):
        make_counting(wait_policy="fast")
    with pytest.raises(TypeError, match="wait_policy must be a str, got int"):
        make_counting(wait_policy=1)
    monkeypatch.setenv("ENVFLEET_WAIT_POLICY", "passive")
    with pytest.raises(ValueError, match=r"environment variable ENVFLEET_WAIT_POLICY: .*'passive'"):
        make_counting()


def test_busy_processes_run_for_the_block_and_are_stopped_after_it():
    with busy_processes(2) as processes:
        assert len(processes) == 2
        assert all(p.poll() is None for p in processes)
    assert all(p.poll() is not None for p in processes)
    with pytest.raises(ValueError, match=">= 0"), busy_processes(-1):
        pass


def test_fair_share_is_the_cores_over_all_parties():
    assert fair_share(2, 0) == 1.0
    assert fair_share(2, 1) == pytest.approx(2 / 3)
    assert fair_share(2, 2) == 0.5


def test_bench_load_measures_beside_busy_processes(capsys):
    argv = ["bench", "CartPole-v1", "--num-envs", "4", "--peers", "none", "--load", "1"]
    assert main([*argv, "--seconds", "0.02", "--repeats", "1", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "measured with 1 busy processes running beside" in out
    assert "CartPole-v1 x4" in out


def test_bench_load_must_not_be_negative(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "CartPole-v1", "--load", "-1"])
    assert "must be 0 or more" in capsys.readouterr().err


def test_make_gymnasium_documents_the_keyword():
    assert "wait_policy" in (envfleet.make_gymnasium.__doc__ or "")
