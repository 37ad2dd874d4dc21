"""The MuJoCo headers this build of envfleet was compiled with (CMake writes the module from
cpp/envfleet/mujoco/mujoco_headers.py.in; a build without the MuJoCo family has none)."""

HEADER_VERSION: int
