"""MuJoCo's warnings as a user sees them: none for the model files envfleet loads itself, a line on
stderr for a file the user names, and never a MUJOCO_LOG.TXT in the working directory.

Each case runs in a fresh interpreter: models are compiled once per process, and MuJoCo's warning
handler is process-wide.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import gymnasium

ASSETS = Path(gymnasium.__file__).parent / "envs" / "mujoco" / "assets"
# Gymnasium's half_cheetah.xml sets `settotalmass`, which MuJoCo 4 warns is deprecated.
DEPRECATED = "compiler attribute 'settotalmass' is deprecated"


def run(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    ran = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    return ran


def test_envfleets_own_model_files_load_silently(tmp_path: Path) -> None:
    ran = run(
        "import envfleet; envfleet.make_gymnasium('HalfCheetah-v5', num_envs=2).close()\n"
        "from envfleet.cli import main; main(['info', 'HalfCheetah-v4'])",
        tmp_path,
    )
    assert DEPRECATED not in ran.stdout + ran.stderr
    assert "WARNING" not in ran.stdout + ran.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_users_model_file_warns_once_on_stderr(tmp_path: Path) -> None:
    xml = tmp_path / "models" / "half_cheetah.xml"
    xml.parent.mkdir()
    shutil.copy(ASSETS / "half_cheetah.xml", xml)
    ran = run(
        "import envfleet\n"
        "for _ in range(2):\n"
        f"    envfleet.make_gymnasium('HalfCheetah-v5', num_envs=2, xml_file={str(xml)!r}).close()",
        tmp_path,
    )
    assert ran.stdout == ""
    assert ran.stderr.count(DEPRECATED) == 1
    assert ran.stderr.startswith(f"MuJoCo warning while loading {xml}: {DEPRECATED}")
    assert [p.name for p in tmp_path.iterdir()] == ["models"]


def test_other_mujoco_warnings_go_to_stderr_without_a_log_file(tmp_path: Path) -> None:
    # After envfleet's MuJoCo family is loaded, a warning MuJoCo raises for the user's own use of
    # its bindings goes through envfleet's handler too.
    ran = run(
        "import envfleet\n"
        "envfleet.make_gymnasium('Hopper-v5').close()\n"
        "import mujoco\n"
        f"mujoco.MjModel.from_xml_path({str(ASSETS / 'half_cheetah.xml')!r})",
        tmp_path,
    )
    assert ran.stdout == ""
    assert ran.stderr.startswith(f"MuJoCo warning: {DEPRECATED}")
    assert list(tmp_path.iterdir()) == []
