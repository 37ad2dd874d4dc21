"""The manylinux wheel of scripts/build_wheel.sh: it installs into a fresh virtualenv with pip's
binary-only install (nothing compiled) and steps one env of each family there exactly as the
envfleet under test does.

The wheel is built as `pip install .` builds (ALE without its profile, ENVFLEET_ALE_PGO=OFF), so
it reuses that install's build folder and ALE from the per-user cache: after the README's test
command, little is compiled. Set ENVFLEET_WHEEL to a wheel built before to test that one instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
TASKS = ("CartPole-v1", "Pong-v5", "HalfCheetah-v5")

# Run by the envfleet under test and by the wheel's: where envfleet was imported from, and each
# task's observation and reward sums after 20 steps of the zero action, seed 0, two envs.
STEP_EACH_FAMILY = """
import json, sys
import numpy as np
import envfleet
sums = {}
for task_id in sys.argv[1:]:
    pool = envfleet.make_gymnasium(task_id, num_envs=2, seed=0)
    space = pool.single_action_space
    obs, _ = pool.reset()
    total = 0.0
    for _ in range(20):
        obs, reward, *_ = pool.step(np.zeros((2, *space.shape), space.dtype))
        total += float(reward.sum())
    sums[task_id] = [float(np.asarray(obs, np.float64).sum()), total]
    pool.close()
print(json.dumps({"file": envfleet.__file__, "sums": sums}))
"""


def step_each_family(python: Path | str, cwd: Path) -> dict:
    ran = subprocess.run(
        [str(python), "-c", STEP_EACH_FAMILY, *TASKS],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    return json.loads(ran.stdout.splitlines()[-1])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel under test: ENVFLEET_WHEEL, or one built now by scripts/build_wheel.sh."""
    if "ENVFLEET_WHEEL" in os.environ:
        return Path(os.environ["ENVFLEET_WHEEL"])
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_wheel.sh"), str(out)],
        env={**os.environ, "PYTHON": sys.executable, "ENVFLEET_ALE_PGO": "OFF"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return Path(built.stdout.splitlines()[-1])


def venv_with_wheel(path: Path, wheel: Path) -> Path:
    """A new virtualenv with `wheel` installed, whose dependencies are then the running
    interpreter's (appended to its path by a .pth file, after its own site-packages); its python.

    The wheel goes in first: with the .pth in place, pip would take the envfleet it finds through
    it for the wheel's and install nothing."""
    venv.EnvBuilder(with_pip=False).create(path)
    python = path / "bin" / "python"
    # --only-binary :all: --no-index: pip may build nothing and fetch nothing.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--only-binary",
            ":all:",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    ours |= {p for p in sys.path if p.endswith(("site-packages", "dist-packages"))}
    (site / "dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def test_the_wheel_is_manylinux_and_leaves_libmujoco_out(wheel: Path) -> None:
    assert "-manylinux_" in wheel.name and wheel.name.endswith("_x86_64.whl")
    listed = subprocess.check_output([sys.executable, "-m", "zipfile", "-l", str(wheel)], text=True)
    assert "libmujoco" not in listed
    for family in ("_classic_control", "_atari", "_mujoco"):
        assert f"envfleet/{family}." in listed


def test_the_wheel_installs_without_building_and_steps_each_family(
    wheel: Path, tmp_path: Path
) -> None:
    python = venv_with_wheel(tmp_path / "venv", wheel)
    installed = step_each_family(python, tmp_path)
    assert Path(installed["file"]).is_relative_to(tmp_path / "venv")
    assert installed["sums"] == step_each_family(sys.executable, tmp_path)["sums"]
