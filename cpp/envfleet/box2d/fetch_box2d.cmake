# Builds Box2D 2.3 from the pinned box2d-py source distribution and defines the static library
# target `envfleet_box2d_physics`.
#
# Gymnasium's Box2D envs run Box2D 2.3 through pybox2d's SWIG bindings (the `box2d` wheel); the
# box2d-py sdist carries the same C++ sources under Box2D/ (pybox2d's settings included, e.g.
# b2_maxPolygonVertices 16). The sdist is fetched with pip (the build's only network access),
# checked against its pinned sha256 and cached under <source>/.cache/ (git-ignored), so a rebuild
# fetches nothing (cmake/fetch_sdist.cmake). Set the environment variable
# ENVFLEET_BOX2D_SOURCE_DIR to an unpacked box2d-py source tree to build from a local copy instead.
# Only the C++ sources are compiled, not the SWIG layer.
set(ENVFLEET_BOX2D_VERSION 2.3.8)
set(ENVFLEET_BOX2D_SHA256 bdacfbbc56079bb317548efe49d3d5a86646885cc27f4a2ee97e4b2960921ab7)

include(${PROJECT_SOURCE_DIR}/cmake/fetch_sdist.cmake)
envfleet_fetch_sdist(box2d_source_dir
  NAME box2d-py VERSION ${ENVFLEET_BOX2D_VERSION} SHA256 ${ENVFLEET_BOX2D_SHA256} STEM box2d-py
  MARKER Box2D/Box2D.h SOURCE_DIR_ENV ENVFLEET_BOX2D_SOURCE_DIR
  DISABLE_OPTION -DENVFLEET_WITH_BOX2D=OFF)

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
