# envfleet_copy_headers(FROM TO): copies the folder FROM into TO, rewriting only the files whose
# content differs.
#
# pip builds in a build environment at a new temporary path on every `pip install`, and pybind11's
# and MuJoCo's headers live there. Compiled from a copy in the build folder instead, the compile
# commands and the headers' file times stay the same from one install to the next, so a second
# build in the same build folder (tool.scikit-build.build-dir) recompiles only what changed.
include_guard(GLOBAL)

function(envfleet_copy_headers from to)
  file(GLOB_RECURSE files RELATIVE "${from}" "${from}/*")
  foreach(file IN LISTS files)
    get_filename_component(folder "${to}/${file}" DIRECTORY)
    file(MAKE_DIRECTORY "${folder}")
    file(COPY_FILE "${from}/${file}" "${to}/${file}" ONLY_IF_DIFFERENT)
  endforeach()
endfunction()
