#!/usr/bin/env bash
# Builds the engine and every family with each sanitizer, then runs the engine's C++ tests and a
# subset of the Python tests against the sanitized extension modules.
#
#   scripts/sanitize.sh [thread|address ...]     (default: thread address)
#
# Build trees: build/sanitize-<name>/ (reused between runs; ALE without its profile-guided build).
# The Python tests import a staged package (build/sanitize-<name>/python/envfleet: the sources
# plus the sanitized modules), with the sanitizer's runtime preloaded into the interpreter. ASan
# runs with UBSan (halting on any report); leak checking is on for the C++ tests and off for
# Python (the interpreter keeps memory at exit).
# Exit status: 0 when every build and run is clean. Run it from the repository root, in the
# environment `pip install -e ".[test]"` made (it needs pybind11, mujoco-core and pytest).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python}"
if [[ $# -eq 0 ]]; then SANITIZERS=(thread address); else SANITIZERS=("$@"); fi
# The Python subset: the engine's semantics, bad input and faults, and one alignment test per
# family (classic control in full; a short Atari and MuJoCo run).
PYTEST_ARGS=(
  tests/test_pool_semantics.py tests/test_bad_input.py tests/test_autoreset_modes.py
  tests/reliability tests/classic_control
  "tests/atari/test_alignment.py::test_matches_reference_pipeline[Pong-v5]"
  tests/mujoco/test_mujoco_api.py
  -q -p no:cacheprovider -x
)

ubsan_options="halt_on_error=1 print_stacktrace=1"

for name in "${SANITIZERS[@]}"; do
  case "$name" in
    # TSan cannot follow a child that starts threads after a multi-threaded fork() ("dup thread
    # with used id"), so the fork tests run under ASan only.
    thread) runtime=libtsan.so; only=(-k "not fork") ;;
    address) runtime=libasan.so; only=() ;;
    *) echo "unknown sanitizer '$name' (thread or address)" >&2; exit 2 ;;
  esac
  build="$ROOT/build/sanitize-$name"
  echo "== $name: building into $build"
  cmake -S "$ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DENVFLEET_SANITIZER="$name" -DENVFLEET_BUILD_TESTS=ON -DENVFLEET_BUILD_PYTHON=ON \
    -DENVFLEET_ALE_PGO=OFF \
    -DPython_EXECUTABLE="$(command -v "$PYTHON")" \
    -Dpybind11_DIR="$("$PYTHON" -m pybind11 --cmakedir)" >/dev/null
  cmake --build "$build" -j "$(nproc)"

  echo "== $name: C++ engine tests"
  TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ASAN_OPTIONS="halt_on_error=1" \
    UBSAN_OPTIONS="$ubsan_options" "$build/tests/cpp/engine_tests" | tail -n 1

  echo "== $name: Python tests, $runtime preloaded"
  stage="$build/python"
  rm -rf "$stage" && mkdir -p "$stage/envfleet"
  cp "$ROOT"/python/envfleet/*.py "$ROOT"/python/envfleet/*.pyi "$stage/envfleet/"
  cp "$build"/_*.so "$build"/cpp/envfleet/mujoco/_mujoco_headers.py "$stage/envfleet/"
  # The runtime first, then libstdc++: the interpreter does not link it, and the sanitizer finds
  # the real __cxa_throw (to intercept C++ throws) only in libraries loaded at its start.
  # An editable install's import hook would win over PYTHONPATH: drop it, import the staged copy.
  preload="$(gcc -print-file-name="$runtime") $(gcc -print-file-name=libstdc++.so)"
  (cd "$ROOT" && \
    LD_PRELOAD="$preload" \
    PYTHONPATH="$stage" OPENBLAS_NUM_THREADS=1 \
    TSAN_OPTIONS="halt_on_error=1 die_after_fork=0" \
    ASAN_OPTIONS="halt_on_error=1 detect_leaks=0" UBSAN_OPTIONS="$ubsan_options" \
    "$PYTHON" - "${PYTEST_ARGS[@]}" "${only[@]}" <<'EOF'
import sys

sys.meta_path[:] = [f for f in sys.meta_path if "_editable" not in type(f).__module__]
import envfleet._testing  # noqa: E402

assert "/sanitize-" in envfleet._testing.__file__, envfleet._testing.__file__
import pytest  # noqa: E402

sys.exit(pytest.main(sys.argv[1:]))
EOF
  )
  echo "== $name: clean"
done
