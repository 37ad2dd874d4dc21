"""envfleet's MuJoCo family runs on each end of the MuJoCo range its requirements admit.

envfleet loads whichever libmujoco the installed mujoco-core holds (envfleet.mujoco_library). For
the oldest and the newest release of the range (pyproject.toml's runtime requirement, and the
newest release below its bound that pip finds now), mujoco-core is installed with pip into a
folder of its own and put first on the path of a child interpreter, which then checks that envfleet
loaded that release and that HalfCheetah-v5 steps as Gymnasium's twin does on the same MuJoCo
(state copied at reset; qpos and qvel equal after every step, observations and rewards within
1e-6, as tests/mujoco/test_mujoco_alignment.py compares them).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

from envfleet import mujoco_library

pytestmark = pytest.mark.slow  # installs MuJoCo releases with pip, steps Gymnasium beside envfleet

ROOT = Path(__file__).resolve().parents[2]


def supported_range() -> tuple[str, str]:
    """(oldest, bound) of pyproject.toml's runtime requirement mujoco-core>=oldest,<bound."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (requirement,) = [dep for dep in project["dependencies"] if dep.startswith("mujoco-core")]
    match = re.fullmatch(r"mujoco-core>=([\d.]+),<([\d.]+)", requirement)
    assert match, requirement
    return match[1], match[2]


def release_at(end: str) -> str:
    """The oldest release of the range, or the newest one pip finds below its bound."""
    oldest, bound = supported_range()
    if end == "oldest":
        return oldest
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "mujoco-core"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    versions = re.search(r"Available versions: (.*)", listed)[1].split(", ")

    def key(version: str) -> tuple[int, ...]:
        return tuple(int(part) for part in version.split("."))

    return max((v for v in versions if key(oldest) <= key(v) < key(bound)), key=key)


def test_the_range_holds_one_minor_release():
    # MuJoCo changes its structs and functions between minor releases: the range stays in one.
    oldest, bound = supported_range()
    major, minor, _ = (int(part) for part in oldest.split("."))
    assert bound == f"{major}.{minor + 1}"


CHILD = r"""
import json, sys, warnings
import numpy as np
import gymnasium
import envfleet
from envfleet import mujoco_library
import mujoco

pool = envfleet.make_gym("HalfCheetah-v5", num_envs=1, seed=3)
obs, _ = pool.reset()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    twin = gymnasium.make("HalfCheetah-v5", disable_env_checker=True)
twin.reset(seed=0)
state = pool.get_state()
twin.unwrapped.set_state(state["qpos"][0], state["qvel"][0])
rng = np.random.default_rng(0)
worst = 0.0
for _ in range(200):
    action = rng.uniform(-1, 1, size=(1, 6)).astype(np.float32)
    obs, reward, *_ = pool.step(action)
    twin_obs, twin_reward, *_ = twin.step(action[0])
    state = pool.get_state()
    assert np.array_equal(state["qpos"][0], twin.unwrapped.data.qpos)
    assert np.array_equal(state["qvel"][0], twin.unwrapped.data.qvel)
    worst = max(worst, float(np.abs(obs[0] - twin_obs).max()), abs(float(reward[0]) - twin_reward))
library = mujoco_library.load()
print(json.dumps({"library": str(library.path), "version": library.version,
                  "bindings": mujoco.__version__, "worst": worst}))
"""


@pytest.mark.parametrize("end", ["oldest", "newest"])
def test_each_end_of_the_range_loads_and_steps_as_gymnasium(end, tmp_path_factory):
    release = release_at(end)
    folder = tmp_path_factory.mktemp(f"mujoco-core-{release}")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(folder),
            f"mujoco-core=={release}",
        ],
        check=True,
    )
    env = {"PYTHONPATH": str(folder), "MUJOCO_GL": "egl", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=env,
        cwd=tmp_path_factory.mktemp("cwd"),
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["library"].startswith(str(folder))
    assert mujoco_library.version_string(result["version"]) == release == result["bindings"]
    # qpos and qvel equal to the last bit after every step (asserted in the child); observations
    # and rewards within the alignment tests' 1e-6 (test_mujoco_alignment.py says why).
    assert result["worst"] <= 1e-6


def test_a_library_of_another_minor_release_is_refused_with_what_to_install():
    mujoco_library.check_compatible(4_000_000, 4_000_001)
    with pytest.raises(
        ImportError, match=r"MuJoCo 4\.0\.0's headers.*4\.1\.0.*mujoco-core==4\.0\.\*"
    ):
        mujoco_library.check_compatible(4_000_000, 4_001_000)
    with pytest.raises(ImportError, match=r"5\.0\.2"):
        mujoco_library.check_compatible(4_000_000, 5_000_002)


def test_without_mujoco_installed_the_error_says_what_to_install(tmp_path):
    # A child that cannot find the mujoco package: find_library says to install mujoco-core.
    code = (
        "import importlib.util, sys\n"
        "real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, *a: None if name == 'mujoco' else real(name, *a)\n"
        "from envfleet import mujoco_library\n"
        "try:\n"
        "    mujoco_library.find_library()\n"
        "except ImportError as error:\n"
        "    print(error)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install mujoco-core" in out.stdout
