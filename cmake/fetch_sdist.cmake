# envfleet_fetch_sdist: the source tree of a pinned Python source distribution (sdist) whose C++
# a family compiles (Box2D from box2d-py, ALE from ale-py); nothing third-party is vendored.
#
#   envfleet_fetch_sdist(<out_var>
#     NAME <pip name> VERSION <version> SHA256 <hash>
#     STEM <the sdist's file stem: the archive is STEM-VERSION.tar.gz, the tree STEM-VERSION/>
#     MARKER <a file the tree must hold, relative to it>
#     SOURCE_DIR_ENV <environment variable naming a local tree to use instead>
#     DISABLE_OPTION <the -D option that builds without the family, for error messages>
#     [TRY_WITHOUT_ISOLATION])
#
# With SOURCE_DIR_ENV set, <out_var> is that tree (checked for MARKER). Otherwise the sdist is
# fetched once with pip (the build's only network access) into <source>/.cache/NAME-VERSION/
# (git-ignored), checked against its pinned sha256 before a byte of it is used (a mismatch
# deletes it and stops), and unpacked there; a rebuild fetches nothing. TRY_WITHOUT_ISOLATION:
# pip reads the sdist's metadata through its build backend, first with this build's packages
# (--no-build-isolation) and only then in an isolated environment, for sdists whose isolated
# backend would install large build requirements.
function(envfleet_fetch_sdist out_var)
  cmake_parse_arguments(PARSE_ARGV 1 arg "TRY_WITHOUT_ISOLATION"
                        "NAME;VERSION;SHA256;STEM;MARKER;SOURCE_DIR_ENV;DISABLE_OPTION" "")

  # A local tree named by the environment.
  if(DEFINED ENV{${arg_SOURCE_DIR_ENV}})
    set(source_dir "$ENV{${arg_SOURCE_DIR_ENV}}")
    if(NOT EXISTS "${source_dir}/${arg_MARKER}")
      message(FATAL_ERROR "${arg_SOURCE_DIR_ENV}=${source_dir} is not a source tree of ${arg_NAME}")
    endif()
    set(${out_var} "${source_dir}" PARENT_SCOPE)
    return()
  endif()

  set(cache_dir "${PROJECT_SOURCE_DIR}/.cache/${arg_NAME}-${arg_VERSION}")
  set(archive "${cache_dir}/${arg_STEM}-${arg_VERSION}.tar.gz")
  set(source_dir "${cache_dir}/${arg_STEM}-${arg_VERSION}")

  # Fetch the sdist once, with pip.
  if(NOT EXISTS "${archive}")
    find_package(Python REQUIRED COMPONENTS Interpreter)
    message(STATUS "Fetching the ${arg_NAME} ${arg_VERSION} source distribution with pip")
    set(attempts isolated)
    if(arg_TRY_WITHOUT_ISOLATION)
      set(attempts not_isolated isolated)
    endif()
    foreach(attempt IN LISTS attempts)
      set(isolation "")
      if(attempt STREQUAL "not_isolated")
        set(isolation "--no-build-isolation")
      endif()
      if(NOT EXISTS "${archive}")
        execute_process(
          COMMAND "${Python_EXECUTABLE}" -m pip download "${arg_NAME}==${arg_VERSION}" --no-deps
                  --no-binary ${arg_NAME} --disable-pip-version-check ${isolation}
                  -d "${cache_dir}"
          RESULT_VARIABLE pip_result)
      endif()
    endforeach()
    if(NOT pip_result EQUAL 0 OR NOT EXISTS "${archive}")
      message(FATAL_ERROR "pip could not fetch the ${arg_NAME} ${arg_VERSION} sdist; set "
                          "${arg_SOURCE_DIR_ENV} or build with ${arg_DISABLE_OPTION}")
    endif()
  endif()

  # Check it against the pinned hash before using a single byte of it.
  file(SHA256 "${archive}" actual_sha256)
  if(NOT actual_sha256 STREQUAL arg_SHA256)
    file(REMOVE "${archive}")
    message(FATAL_ERROR "${arg_NAME} sdist sha256 ${actual_sha256} != pinned ${arg_SHA256}")
  endif()
  if(NOT EXISTS "${source_dir}/${arg_MARKER}")
    file(ARCHIVE_EXTRACT INPUT "${archive}" DESTINATION "${cache_dir}")
  endif()
  set(${out_var} "${source_dir}" PARENT_SCOPE)
endfunction()
