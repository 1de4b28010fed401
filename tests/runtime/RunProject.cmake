# Configures, builds and runs a separate CMake project against kiln's CMake
# package, as a user would. Run with `cmake -D... -P RunProject.cmake`:
#
#   GENERATOR        CMake generator for every build below
#   KILN_SOURCE      optional: first configure kiln itself from here ...
#   KILN_BINARY      ... into this directory (wiped) ...
#   KILN_ARGS        ... with these arguments, build kiln_rt and ...
#   INSTALL_FROM     optional: `cmake --install` this build tree ...
#   PREFIX           ... into this prefix (wiped first)
#   PROJECT_SOURCE   the project to configure ...
#   PROJECT_BINARY   ... into this directory (wiped)
#   PROJECT_ARGS     ... with these arguments
#   RUN              the command to run at the end; a relative program name
#                    is looked up in PROJECT_BINARY
#
# List arguments use '|' as the separator (ctest would split on ';').
foreach(var KILN_ARGS PROJECT_ARGS RUN)
  string(REPLACE "|" ";" ${var} "${${var}}")
endforeach()

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n  ${ARGN}\n${out}")
  endif()
endfunction()

if(KILN_SOURCE)
  file(REMOVE_RECURSE ${KILN_BINARY})
  step("configuring kiln" ${CMAKE_COMMAND} -S ${KILN_SOURCE} -B ${KILN_BINARY} -G ${GENERATOR} ${KILN_ARGS})
  step("building kiln_rt" ${CMAKE_COMMAND} --build ${KILN_BINARY} --target kiln_rt -j 2)
  set(INSTALL_FROM ${KILN_BINARY})
endif()
if(INSTALL_FROM)
  file(REMOVE_RECURSE ${PREFIX})
  step("installing kiln" ${CMAKE_COMMAND} --install ${INSTALL_FROM} --prefix ${PREFIX})
endif()

file(REMOVE_RECURSE ${PROJECT_BINARY})
step("configuring ${PROJECT_SOURCE}" ${CMAKE_COMMAND} -S ${PROJECT_SOURCE} -B ${PROJECT_BINARY} -G ${GENERATOR} ${PROJECT_ARGS})
step("building ${PROJECT_SOURCE}" ${CMAKE_COMMAND} --build ${PROJECT_BINARY} -j 2)

list(GET RUN 0 program)
if(NOT IS_ABSOLUTE ${program} AND EXISTS ${PROJECT_BINARY}/${program})
  list(REMOVE_AT RUN 0)
  list(PREPEND RUN ${PROJECT_BINARY}/${program})
endif()
execute_process(COMMAND ${RUN} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "running ${RUN} failed (${rc})")
endif()
