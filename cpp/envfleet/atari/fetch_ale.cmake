# Builds the Arcade Learning Environment's C++ library from the pinned ale-py source distribution
# and defines the imported target `ale::ale`.
#
# The sdist is fetched with pip (the only network access of the build), checked against its
# pinned sha256 and cached under <source>/.cache/ (git-ignored), so a rebuild fetches nothing
# (cmake/fetch_sdist.cmake).
# Set the environment variable ENVFLEET_ALE_SOURCE_DIR to an unpacked ale-py source tree to build
# from a local copy instead. ALE is built by its own CMake, without SDL and without its Python layer.
#
# The built library and its headers are kept in a per-user cache (ENVFLEET_ALE_CACHE_DIR, default
# $XDG_CACHE_HOME/envfleet or ~/.cache/envfleet), in a folder named by a hash of everything the
# library depends on: ALE's version and sha256, the compiler and its version, the flags and
# whether the build is profile-guided. A later build with the same key (a reinstall, the README's
# test command after `pip install .`, another clone) links the cached library and neither fetches
# nor compiles ALE. -DENVFLEET_ALE_CACHE=OFF builds ALE afresh and stores nothing.
include(ExternalProject)

set(ENVFLEET_ALE_VERSION 0.12.1)
set(ENVFLEET_ALE_SHA256 c503d574c5983e1063b451201ccb779d935919c0f6bf116fb0f4f8aa4c86d249)
find_package(ZLIB REQUIRED)

# ALE's own build: the static C++ library only, by ALE's CMake. Hidden symbols: linked into one
# module, ALE's calls between its own functions need no PLT and can be inlined. Each function on
# its own 64-byte line: ALE's code sits after envfleet's in the module, so without this any change
# to envfleet's code moves the emulator's tiny hot functions (System::peek / poke) across cache
# lines; one such 32-byte shift cost Pong 8-11% (docs/atari.md, "Code placement").
set(ale_flags "-fvisibility=hidden -fvisibility-inlines-hidden -falign-functions=64")
# Off by default: the profile-guided build compiles ALE twice and plays a training run, the
# largest part of a first install, for 4-9% less CPU time per emulated frame (docs/atari.md).
# scripts/build_wheel.sh turns it on: a wheel is built once and installed many times.
option(ENVFLEET_ALE_PGO "Optimise ALE with the profile of a training run (GCC only)" OFF)
option(ENVFLEET_ALE_CACHE "Reuse (and store) ALE's built library in the per-user cache" ON)

# Profile-guided optimisation (GCC, ENVFLEET_ALE_PGO=ON): an instrumented ALE plays a few games
# (ROMs from the ale-py that pip installs into the build environment), and the real build is
# optimised with that profile. Without ale-py or with another compiler, ALE is built without one.
set(ale_pgo OFF)
set(ale_rom_dir "")
if(ENVFLEET_ALE_PGO AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(STATUS "ALE: ${CMAKE_CXX_COMPILER_ID} is not GCC; building without a profile")
elseif(ENVFLEET_ALE_PGO)
  find_package(Python REQUIRED COMPONENTS Interpreter)
  execute_process(
    COMMAND "${Python_EXECUTABLE}" -c
            "import importlib.util as u, pathlib as p; s = u.find_spec('ale_py'); print(p.Path(s.origin).parent / 'roms' if s else '')"
    OUTPUT_VARIABLE ale_rom_dir
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(EXISTS "${ale_rom_dir}/pong.bin")
    set(ale_pgo ON)
  else()
    message(STATUS "ALE: no ale-py ROMs in the build environment; building without a profile")
    set(ale_rom_dir "")
  endif()
endif()

# The cache key: what the built library depends on, no path of this build tree ("1": the layout
# of a cache folder). A local ALE source (ENVFLEET_ALE_SOURCE_DIR) may differ from the pinned one,
# so its library is neither reused nor stored.
if(DEFINED ENV{ENVFLEET_ALE_SOURCE_DIR})
  set(ENVFLEET_ALE_CACHE OFF)
endif()
file(REAL_PATH "${CMAKE_CXX_COMPILER}" compiler)  # /usr/bin/c++ and /usr/bin/g++: one compiler
set(ale_key "1;${ENVFLEET_ALE_VERSION};${ENVFLEET_ALE_SHA256};${CMAKE_SYSTEM_PROCESSOR};")
string(APPEND ale_key "${compiler};${CMAKE_CXX_COMPILER_ID};")
string(APPEND ale_key "${CMAKE_CXX_COMPILER_VERSION};${ale_flags};pgo=${ale_pgo}")
string(SHA256 ale_key "${ale_key}")
string(SUBSTRING "${ale_key}" 0 16 ale_key)
if(DEFINED ENV{ENVFLEET_ALE_CACHE_DIR})
  set(ale_cache_root "$ENV{ENVFLEET_ALE_CACHE_DIR}")
elseif(DEFINED ENV{XDG_CACHE_HOME})
  set(ale_cache_root "$ENV{XDG_CACHE_HOME}/envfleet")
else()
  set(ale_cache_root "$ENV{HOME}/.cache/envfleet")
endif()
set(ale_cached "${ale_cache_root}/ale-${ENVFLEET_ALE_VERSION}-${ale_key}")

# ALE is linked from its install folder in this build folder, built or cached alike, so that a
# later build in the same folder sees the same paths and file times.
set(ale_prefix "${CMAKE_CURRENT_BINARY_DIR}/ale")
set(ale_library "${ale_prefix}/lib/${CMAKE_STATIC_LIBRARY_PREFIX}ale${CMAKE_STATIC_LIBRARY_SUFFIX}")
add_library(ale::ale STATIC IMPORTED GLOBAL)
set_target_properties(ale::ale PROPERTIES
  IMPORTED_LOCATION "${ale_library}"
  INTERFACE_INCLUDE_DIRECTORIES "${ale_prefix}/include;${ale_prefix}/include/ale"
  INTERFACE_LINK_LIBRARIES "ZLIB::ZLIB;Threads::Threads")

# A cached library: copied in (only the files that differ), and nothing built.
if(ENVFLEET_ALE_CACHE AND EXISTS "${ale_cached}/complete")
  message(STATUS "ALE: reusing the library built earlier, ${ale_cached}")
  include(${PROJECT_SOURCE_DIR}/cpp/envfleet/python/copy_headers.cmake)
  envfleet_copy_headers("${ale_cached}/include" "${ale_prefix}/include")
  file(MAKE_DIRECTORY "${ale_prefix}/lib")
  string(REPLACE "${ale_prefix}" "${ale_cached}" cached_library "${ale_library}")
  file(COPY_FILE "${cached_library}" "${ale_library}" ONLY_IF_DIFFERENT)
  return()
endif()
if(ale_pgo)
  message(STATUS "ALE: building it from source twice, for its profile-guided build")
else()
  message(STATUS "ALE: building it from source")
endif()
if(ENVFLEET_ALE_CACHE)
  message(STATUS "ALE: later builds will reuse it from ${ale_cached}")
endif()

# pip reads the sdist's metadata through its build backend (scikit-build-core, which this build
# has); in an isolated environment it would first install all of ale-py's build requirements, JAX
# included (minutes), so isolation is tried last.
include(${PROJECT_SOURCE_DIR}/cmake/fetch_sdist.cmake)
envfleet_fetch_sdist(ale_source_dir
  NAME ale-py VERSION ${ENVFLEET_ALE_VERSION} SHA256 ${ENVFLEET_ALE_SHA256} STEM ale_py
  MARKER src/ale/ale_interface.hpp SOURCE_DIR_ENV ENVFLEET_ALE_SOURCE_DIR
  DISABLE_OPTION -DENVFLEET_WITH_ATARI=OFF TRY_WITHOUT_ISOLATION)

set(ale_cmake_args
    -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_INSTALL_PREFIX=<INSTALL_DIR>
    -DCMAKE_INSTALL_LIBDIR=lib
    -DCMAKE_POSITION_INDEPENDENT_CODE=ON
    -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
    -DBUILD_CPP_LIB=ON
    -DBUILD_PYTHON_LIB=OFF
    -DSDL_SUPPORT=OFF
    -DBUILD_VECTOR_LIB=OFF)
set(ale_depends "")
if(ale_pgo)
  # The profile's file names are the object paths relative to each build's own directory, so
  # the instrumented build's profile matches the optimised build's objects.
  set(profile_dir "${CMAKE_CURRENT_BINARY_DIR}/ale-profile")
  set(instrumented_dir "${CMAKE_CURRENT_BINARY_DIR}/ale-instrumented-build")
  set(instrumented_prefix "${CMAKE_CURRENT_BINARY_DIR}/ale-instrumented")
  ExternalProject_Add(
    ale_instrumented
    SOURCE_DIR "${ale_source_dir}"
    BINARY_DIR "${instrumented_dir}"
    INSTALL_DIR "${instrumented_prefix}"
    CMAKE_ARGS ${ale_cmake_args}
               "-DCMAKE_CXX_FLAGS=${ale_flags} -fprofile-generate -fprofile-update=single -fprofile-dir=${profile_dir} -fprofile-prefix-path=${instrumented_dir}"
    BUILD_BYPRODUCTS "${instrumented_prefix}/lib/libale.a"
    UPDATE_COMMAND ""
    EXCLUDE_FROM_ALL ON)
  file(MAKE_DIRECTORY "${instrumented_prefix}/include/ale")

  # The training run: the games most often benchmarked, a few thousand frames each.
  add_executable(ale_profile_training EXCLUDE_FROM_ALL
                 ${CMAKE_CURRENT_LIST_DIR}/ale_profile_training.cc)
  add_dependencies(ale_profile_training ale_instrumented)
  target_include_directories(ale_profile_training PRIVATE "${instrumented_prefix}/include"
                                                          "${instrumented_prefix}/include/ale")
  target_link_libraries(ale_profile_training PRIVATE "${instrumented_prefix}/lib/libale.a"
                                                     ZLIB::ZLIB Threads::Threads)
  target_link_options(ale_profile_training PRIVATE -fprofile-generate)
  set(profile_stamp "${profile_dir}/trained.stamp")
  add_custom_command(
    OUTPUT "${profile_stamp}"
    COMMAND ${CMAKE_COMMAND} -E rm -rf "${profile_dir}"
    COMMAND ale_profile_training "${ale_rom_dir}" 12000 pong breakout space_invaders ms_pacman
            seaquest qbert beam_rider enduro alien freeway
    COMMAND ${CMAKE_COMMAND} -E touch "${profile_stamp}"
    DEPENDS ale_profile_training
    COMMENT "Training run of ALE's profile-guided build")
  add_custom_target(ale_profile DEPENDS "${profile_stamp}")
  set(ale_depends ale_profile)
  string(APPEND ale_flags " -fprofile-use -fprofile-partial-training -Wno-missing-profile"
                          " -fprofile-dir=${profile_dir}"
                          " -fprofile-prefix-path=${CMAKE_CURRENT_BINARY_DIR}/ale-build")
endif()

ExternalProject_Add(
  ale_build
  SOURCE_DIR "${ale_source_dir}"
  BINARY_DIR "${CMAKE_CURRENT_BINARY_DIR}/ale-build"
  INSTALL_DIR "${ale_prefix}"
  CMAKE_ARGS ${ale_cmake_args} "-DCMAKE_CXX_FLAGS=${ale_flags}"
  DEPENDS ${ale_depends}
  BUILD_BYPRODUCTS "${ale_library}"
  UPDATE_COMMAND ""
  EXCLUDE_FROM_ALL ON)
if(ENVFLEET_ALE_CACHE)
  ExternalProject_Add_Step(
    ale_build store_in_cache
    COMMAND "${CMAKE_COMMAND}" "-DPREFIX=${ale_prefix}" "-DCACHED=${ale_cached}" -P
            "${CMAKE_CURRENT_LIST_DIR}/store_ale.cmake"
    DEPENDEES install
    COMMENT "Storing ALE's library in the per-user cache")
endif()

# The imported library's folders exist before ALE is built (CMake checks them at generation).
file(MAKE_DIRECTORY "${ale_prefix}/include/ale")
add_dependencies(ale::ale ale_build)
