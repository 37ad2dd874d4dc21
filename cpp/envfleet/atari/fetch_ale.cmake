# Builds the Arcade Learning Environment's C++ library from the pinned ale-py source distribution
# and defines the imported target `ale::ale`.
#
# The sdist is fetched with pip (the only network access of the build), checked against its
# pinned sha256 and cached under <source>/.cache/ (git-ignored), so a rebuild fetches nothing.
# Set the environment variable ENVFLEET_ALE_SOURCE_DIR to an unpacked ale-py source tree to build
# from a local copy instead. ALE is built by its own CMake, without SDL and without its Python layer.
include(ExternalProject)

set(ENVFLEET_ALE_VERSION 0.12.1)
set(ENVFLEET_ALE_SHA256 c503d574c5983e1063b451201ccb779d935919c0f6bf116fb0f4f8aa4c86d249)

if(DEFINED ENV{ENVFLEET_ALE_SOURCE_DIR})
  set(ale_source_dir "$ENV{ENVFLEET_ALE_SOURCE_DIR}")
  if(NOT EXISTS "${ale_source_dir}/src/ale/ale_interface.hpp")
    message(FATAL_ERROR "ENVFLEET_ALE_SOURCE_DIR=${ale_source_dir} is not an ale-py source tree")
  endif()
else()
  set(cache_dir "${PROJECT_SOURCE_DIR}/.cache/ale-py-${ENVFLEET_ALE_VERSION}")
  set(archive "${cache_dir}/ale_py-${ENVFLEET_ALE_VERSION}.tar.gz")
  set(ale_source_dir "${cache_dir}/ale_py-${ENVFLEET_ALE_VERSION}")

  # Fetch the sdist once, with pip.
  if(NOT EXISTS "${archive}")
    find_package(Python REQUIRED COMPONENTS Interpreter)
    message(STATUS "Fetching the ale-py ${ENVFLEET_ALE_VERSION} source distribution with pip")
    execute_process(
      COMMAND "${Python_EXECUTABLE}" -m pip download "ale-py==${ENVFLEET_ALE_VERSION}" --no-deps
              --no-binary ale-py --disable-pip-version-check -d "${cache_dir}"
      RESULT_VARIABLE pip_result)
    if(NOT pip_result EQUAL 0 OR NOT EXISTS "${archive}")
      message(FATAL_ERROR "pip could not fetch the ale-py ${ENVFLEET_ALE_VERSION} sdist; set "
                          "ENVFLEET_ALE_SOURCE_DIR or build with -DENVFLEET_WITH_ATARI=OFF")
    endif()
  endif()

  # Check it against the pinned hash before using a single byte of it.
  file(SHA256 "${archive}" actual_sha256)
  if(NOT actual_sha256 STREQUAL ENVFLEET_ALE_SHA256)
    file(REMOVE "${archive}")
    message(FATAL_ERROR "ale-py sdist sha256 ${actual_sha256} != pinned ${ENVFLEET_ALE_SHA256}")
  endif()
  if(NOT EXISTS "${ale_source_dir}/src/ale/ale_interface.hpp")
    file(ARCHIVE_EXTRACT INPUT "${archive}" DESTINATION "${cache_dir}")
  endif()
endif()

# ALE's own build: the static C++ library only.
set(ale_prefix "${CMAKE_CURRENT_BINARY_DIR}/ale")
set(ale_library "${ale_prefix}/lib/${CMAKE_STATIC_LIBRARY_PREFIX}ale${CMAKE_STATIC_LIBRARY_SUFFIX}")
ExternalProject_Add(
  ale_build
  SOURCE_DIR "${ale_source_dir}"
  BINARY_DIR "${CMAKE_CURRENT_BINARY_DIR}/ale-build"
  INSTALL_DIR "${ale_prefix}"
  CMAKE_ARGS -DCMAKE_BUILD_TYPE=Release
             -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
             -DCMAKE_INSTALL_LIBDIR=lib
             -DCMAKE_POSITION_INDEPENDENT_CODE=ON
             -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
             # Hidden symbols: linked into one module, ALE's calls between its own functions
             # need no PLT and can be inlined across files by the link-time optimiser.
             "-DCMAKE_CXX_FLAGS=-fvisibility=hidden -fvisibility-inlines-hidden"
             -DBUILD_CPP_LIB=ON
             -DBUILD_PYTHON_LIB=OFF
             -DSDL_SUPPORT=OFF
             -DBUILD_VECTOR_LIB=OFF
  BUILD_BYPRODUCTS "${ale_library}"
  UPDATE_COMMAND ""
  EXCLUDE_FROM_ALL ON)

# The imported library, its headers (which include "ale/..." and "version.hpp") and zlib.
find_package(ZLIB REQUIRED)
file(MAKE_DIRECTORY "${ale_prefix}/include/ale")
add_library(ale::ale STATIC IMPORTED GLOBAL)
set_target_properties(ale::ale PROPERTIES
  IMPORTED_LOCATION "${ale_library}"
  INTERFACE_INCLUDE_DIRECTORIES "${ale_prefix}/include;${ale_prefix}/include/ale"
  INTERFACE_LINK_LIBRARIES "ZLIB::ZLIB;Threads::Threads")
add_dependencies(ale::ale ale_build)
