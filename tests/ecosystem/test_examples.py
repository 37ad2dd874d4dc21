"""Each example in examples/ runs end to end on a tiny budget, so that none can rot.

The examples run in this process (PyTorch is imported once), except the DQN variant that acts in
a spawned child process, which needs the script as a real `__main__`.
"""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import imageio.v3 as iio
import pytest

# Each trains (a few updates of PPO or DQN, with PyTorch) or records a video.
pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run_example(name: str, *args: str, monkeypatch, capsys) -> str:
    """Runs examples/`name` with `args` as its command line; returns what it printed."""
    monkeypatch.setattr(sys, "argv", [name, *args])
    monkeypatch.syspath_prepend(str(EXAMPLES))  # as `python examples/<name>` does
    runpy.run_path(str(EXAMPLES / name), run_name="__main__")
    return capsys.readouterr().out


@pytest.mark.parametrize(
    ("script", "pool_size"),
    [("ppo_atari.py", ("--num-envs", "2")), ("ppo_atari_async.py", ("--batch-size", "2"))],
)
def test_ppo_atari(monkeypatch, capsys, script, pool_size):
    out = run_example(
        script,
        *("--total-timesteps", "64", *pool_size, "--num-steps", "16"),
        *("--num-minibatches", "2", "--update-epochs", "1"),
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert re.search(r"^update=2/2 steps/s=\d+ policy_loss=\S+ value_loss=\S+$", out, re.M)


@pytest.mark.parametrize("env_id", ["HalfCheetah-v5", "Ant-v5"])
def test_ppo_continuous(monkeypatch, capsys, env_id):
    # Ant's episodes end early when it flips: a run long enough to see some end.
    out = run_example(
        "ppo_continuous.py",
        *("--env-id", env_id, "--total-timesteps", "256", "--num-envs", "2"),
        *("--num-steps", "128", "--num-minibatches", "2", "--update-epochs", "1"),
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    assert re.search(r"^update=1/1 steps/s=\d+ policy_loss=\S+ value_loss=\S+$", out, re.M)
    assert "nan" not in out


TINY_DQN = ("--total-timesteps", "48", "--learning-starts", "24", "--batch-size", "8")
TINY_DQN += ("--buffer-size", "64", "--target-sync", "2")


@pytest.mark.parametrize("num_envs", ["1", "3"])
def test_dqn_pong(monkeypatch, capsys, num_envs):
    out = run_example(
        "dqn_pong.py", *TINY_DQN, "--num-envs", num_envs, monkeypatch=monkeypatch, capsys=capsys
    )
    assert re.search(r"^steps=\d+ frames/s=[\d.]+ episodes=0 ", out, re.M)


def test_dqn_pong_acting_in_a_separate_process():
    command = [sys.executable, str(EXAMPLES / "dqn_pong.py"), *TINY_DQN, "--num-envs", "3"]
    out = subprocess.run(
        [*command, "--separate-process"], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    final = out.strip().splitlines()[-1]
    assert re.match(r"steps=(4[89]|5\d) frames/s=[\d.]+ episodes=0 ", final)


@pytest.mark.parametrize(
    ("example", "args"),
    [
        ("ppo_atari.py", ("--num-envs", "2", "--num-steps", "16", "--total-timesteps", "32")),
        (
            "ppo_continuous.py",
            ("--num-envs", "2", "--num-steps", "8", "--total-timesteps", "16"),
        ),
    ],
)
def test_capture_video(monkeypatch, capsys, tmp_path, example, args):
    """CleanRL's --capture-video: the first episode of the pool's envs, side by side, in videos/
    (the working directory is tmp_path); episodes outlast the run, so the video is cut at close."""
    run_example(
        example,
        *args,
        *("--num-minibatches", "2", "--update-epochs", "1", "--capture-video"),
        monkeypatch=monkeypatch,
        capsys=capsys,
    )
    (video,) = (tmp_path / "videos").rglob("*.mp4")
    frames = iio.imread(video)
    assert len(frames) >= 8 and frames.shape[-1] == 3 and frames.std() > 0
