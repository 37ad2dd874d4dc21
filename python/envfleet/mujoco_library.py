"""libmujoco for envfleet's MuJoCo families: found, checked and loaded before their modules.

envfleet's MuJoCo extension modules do not name libmujoco (no DT_NEEDED entry, no RPATH): the
library's file name carries MuJoCo's full version (``libmujoco.so.4.0.1``), so naming one file
would tie envfleet to one MuJoCo release, and a ``pip install dm-control`` that upgrades
mujoco-core would break it. Instead `load` takes the libmujoco of the ``mujoco`` package installed
now (mujoco-core's), checks that its release shares the major and minor version of the headers
envfleet was compiled with (MuJoCo changes its structs and functions only in those), and opens it
with ``RTLD_GLOBAL``; the modules imported after it bind their MuJoCo symbols to it.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class MujocoLibrary:
    """The libmujoco `load` opened: its file and its release (``mj_version()``, e.g. 4000001)."""

    path: Path
    version: int


def version_string(version: int) -> str:
    """MuJoCo's integer version (major * 1e6 + minor * 1e3 + patch) as "major.minor.patch"."""
    return f"{version // 1_000_000}.{version // 1_000 % 1_000}.{version % 1_000}"


def check_compatible(header_version: int, library_version: int) -> None:
    """ImportError unless a library of `library_version` runs code built on `header_version`."""
    if header_version // 1_000 == library_version // 1_000:
        return
    built, found = version_string(header_version), version_string(library_version)
    major_minor = ".".join(built.split(".")[:2])
    raise ImportError(
        f"envfleet was compiled with MuJoCo {built}'s headers, but the installed mujoco-core is "
        f"{found}, whose structs and functions differ: install mujoco-core {major_minor}.x "
        f"(pip install 'mujoco-core=={major_minor}.*'), or rebuild envfleet against {found} "
        "(pip install --force-reinstall --no-deps --no-cache-dir envfleet from its source)"
    )


def find_library() -> Path:
    """The libmujoco file of the installed ``mujoco`` package; ImportError if there is none."""
    spec = importlib.util.find_spec("mujoco")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(
            "envfleet's MuJoCo tasks need MuJoCo's library from the mujoco-core package: "
            "pip install mujoco-core (the versions envfleet supports are in its requirements)"
        )
    package = Path(next(iter(spec.submodule_search_locations)))
    found = sorted(package.glob("libmujoco.so.*"))
    if len(found) != 1:
        raise ImportError(
            f"expected one libmujoco.so.* in the mujoco package at {package}, found "
            f"{[path.name for path in found]}: reinstall mujoco-core"
        )
    return found[0]


@functools.cache
def load() -> MujocoLibrary | None:
    """Find, check and open libmujoco (once per process); ImportError saying what to install.

    None where this build of envfleet left the MuJoCo family out (nothing to load).
    """
    try:
        from envfleet._mujoco_headers import HEADER_VERSION
    except ModuleNotFoundError:
        return None
    path = find_library()
    library = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    library.mj_version.restype = ctypes.c_int
    version = int(library.mj_version())
    check_compatible(HEADER_VERSION, version)
    return MujocoLibrary(path=path, version=version)
