# Builds Box2D 2.3 from the pinned box2d-py source distribution and defines the static library
# target `envfleet_box2d_physics`.
#
# Gymnasium's Box2D envs run Box2D 2.3 through pybox2d's SWIG bindings (the `box2d` wheel); the
# box2d-py sdist carries the same C++ sources under Box2D/ (pybox2d's settings included, e.g.
# b2_maxPolygonVertices 16). The sdist is fetched with pip (the build's only network access),
# checked against its pinned sha256 and cached under <source>/.cache/ (git-ignored), so a rebuild
# fetches nothing. Set the environment variable ENVFLEET_BOX2D_SOURCE_DIR to an unpacked box2d-py
# source tree to build from a local copy instead. Only the C++ sources are compiled, not the SWIG
# layer.
set(ENVFLEET_BOX2D_VERSION 2.3.8)
set(ENVFLEET_BOX2D_SHA256 bdacfbbc56079bb317548efe49d3d5a86646885cc27f4a2ee97e4b2960921ab7)

if(DEFINED ENV{ENVFLEET_BOX2D_SOURCE_DIR})
  set(box2d_source_dir "$ENV{ENVFLEET_BOX2D_SOURCE_DIR}")
  if(NOT EXISTS "${box2d_source_dir}/Box2D/Box2D.h")
    message(FATAL_ERROR "ENVFLEET_BOX2D_SOURCE_DIR=${box2d_source_dir} is not a box2d-py source tree")
  endif()
else()
  set(cache_dir "${PROJECT_SOURCE_DIR}/.cache/box2d-py-${ENVFLEET_BOX2D_VERSION}")
  set(archive "${cache_dir}/box2d-py-${ENVFLEET_BOX2D_VERSION}.tar.gz")
  set(box2d_source_dir "${cache_dir}/box2d-py-${ENVFLEET_BOX2D_VERSION}")

  # Fetch the sdist once, with pip.
  if(NOT EXISTS "${archive}")
    find_package(Python REQUIRED COMPONENTS Interpreter)
    message(STATUS "Fetching the box2d-py ${ENVFLEET_BOX2D_VERSION} source distribution with pip")
    execute_process(
      COMMAND "${Python_EXECUTABLE}" -m pip download "box2d-py==${ENVFLEET_BOX2D_VERSION}"
              --no-deps --no-binary box2d-py --disable-pip-version-check -d "${cache_dir}"
      RESULT_VARIABLE pip_result)
    if(NOT pip_result EQUAL 0 OR NOT EXISTS "${archive}")
      message(FATAL_ERROR "pip could not fetch the box2d-py ${ENVFLEET_BOX2D_VERSION} sdist; set "
                          "ENVFLEET_BOX2D_SOURCE_DIR or build with -DENVFLEET_WITH_BOX2D=OFF")
    endif()
  endif()

  # Check it against the pinned hash before using a single byte of it.
  file(SHA256 "${archive}" actual_sha256)
  if(NOT actual_sha256 STREQUAL ENVFLEET_BOX2D_SHA256)
    file(REMOVE "${archive}")
    message(FATAL_ERROR
            "box2d-py sdist sha256 ${actual_sha256} != pinned ${ENVFLEET_BOX2D_SHA256}")
  endif()
  if(NOT EXISTS "${box2d_source_dir}/Box2D/Box2D.h")
    file(ARCHIVE_EXTRACT INPUT "${archive}" DESTINATION "${cache_dir}")
  endif()
endif()

# Box2D's C++ sources (Collision, Common, Dynamics: 45 files), compiled as they come.
file(GLOB_RECURSE box2d_sources CONFIGURE_DEPENDS "${box2d_source_dir}/Box2D/*.cpp")
# Its profiling timer is replaced by one that reads no clock (box2d_timer.cc): a few percent of a
# step, for b2World::GetProfile() only.
list(FILTER box2d_sources EXCLUDE REGEX "/Common/b2Timer\\.cpp$")
add_library(envfleet_box2d_physics STATIC ${box2d_sources}
                                          "${CMAKE_CURRENT_LIST_DIR}/box2d_timer.cc")
# Headers include each other as "Box2D/..."; b2Settings.h's <Python.h> is assert_shim/Python.h
# (b2Assert throws without calling Python). No fused multiply-adds, as in the reference wheel.
target_include_directories(envfleet_box2d_physics SYSTEM BEFORE
                           PUBLIC "${CMAKE_CURRENT_LIST_DIR}/assert_shim" "${box2d_source_dir}")
target_compile_options(envfleet_box2d_physics PRIVATE -ffp-contract=off -w)
