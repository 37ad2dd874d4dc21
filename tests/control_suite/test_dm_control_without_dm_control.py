"""Without dm_control installed, envfleet still lists every id, and making a suite id says what to
install. A child interpreter hides the package (sys.modules entry None: importlib finds nothing)."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_listing_works_and_making_a_suite_id_names_the_package_to_install():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["dm_control"] = None
        import envfleet
        assert "CartpoleBalance-v1" in envfleet.list_all_envs()
        envfleet.make("CartPole-v1").close()
        try:
            envfleet.make("CartpoleBalance-v1")
        except ImportError as error:
            print("ImportError:", error)
        else:
            raise SystemExit("made a suite id without dm_control")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "pip install dm-control" in result.stdout
