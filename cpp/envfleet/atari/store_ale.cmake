# Stores ALE's installed library and headers in the per-user cache (see fetch_ale.cmake).
#
# Usage: cmake -DPREFIX=<ALE's install prefix> -DCACHED=<cache folder> -P store_ale.cmake
# The copy is made under a temporary name and renamed into place, so a reader never sees half a
# folder and two builds storing the same key at once leave one complete copy. A cache that cannot
# be written (read-only home, full disk) is a warning, never a failed build.
if(EXISTS "${CACHED}/complete")
  return()
endif()
string(RANDOM LENGTH 8 suffix)
set(staging "${CACHED}.tmp-${suffix}")
# One command at a time (execute_process runs several COMMANDs at once, as a pipeline).
set(copied 0)
foreach(part lib include)
  if(copied EQUAL 0)
    execute_process(
      COMMAND "${CMAKE_COMMAND}" -E copy_directory "${PREFIX}/${part}" "${staging}/${part}"
      RESULT_VARIABLE copied
      ERROR_QUIET)
  endif()
endforeach()
if(copied EQUAL 0)
  file(TOUCH "${staging}/complete")
  file(RENAME "${staging}" "${CACHED}" RESULT renamed)
endif()
if(NOT copied EQUAL 0 OR NOT renamed EQUAL 0)
  file(REMOVE_RECURSE "${staging}")
  if(NOT EXISTS "${CACHED}/complete")
    message(WARNING "ALE: could not store the built library in ${CACHED}; the next build "
                    "compiles it again")
  endif()
else()
  message(STATUS "ALE: stored the built library in ${CACHED} for later builds")
endif()
