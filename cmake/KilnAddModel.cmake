# KilnAddModel.cmake: compile an ONNX model into a library at build time.
#
#   kiln_add_model(<name> MODEL <model.onnx>
#                  [BATCH <n>] [TARGET <triple>] [CPU <cpu>]
#                  [FEATURES <+f,-f,...>] [OPT_LEVEL <0|1|2|3>]
#                  [WEIGHTS embed|<file>] [OUTPUT_DIR <dir>]
#                  [OPTIONS <more kiln compile flags>...]
#                  [DEPENDS <files or targets>...])
#
# Adds a build step
#
#   kiln compile <model> -o <dir>/<name>.o --header <dir>/<name>.h --name <name>
#                [--batch n] [--target t] [--cpu c] [--features f] [-On]
#                [--weights w] <OPTIONS>
#
# that reruns when the model or the kiln binary changes, and a static library
# target <name> holding <name>.o, whose users get <dir> on their include path
# (#include "<name>.h") and link kiln::kiln_rt, Threads and libm.
#
#   <name>       a C identifier: the generated symbols are <name>_run,
#                <name>_workspace_size, <name>_info.
#   MODEL        relative paths are relative to CMAKE_CURRENT_SOURCE_DIR. A
#                model produced by a custom command of the same directory
#                works as is; from elsewhere, add its target to DEPENDS.
#   TARGET       an LLVM target triple. When cross-compiling and not given, it
#                defaults to CMAKE_C_COMPILER_TARGET, else the compiler's
#                library architecture (e.g. aarch64-linux-gnu).
#   OUTPUT_DIR   where <name>.o and <name>.h go; default
#                ${CMAKE_CURRENT_BINARY_DIR}/kiln_models.
#   OPTIONS      e.g. --input-shape x=1x3x640x640 for a model whose input
#                dimensions are symbolic (--dim SYMBOL=N binds one by name).
#   WEIGHTS      embed (kiln's default) or an object file for the weights,
#                relative to OUTPUT_DIR; that object goes into the library
#                too (weights kept apart, e.g. to cache a slow weight object
#                across code changes).
#
# The compiler is, in order: ${KILN_EXECUTABLE} if set, the `kiln` target of
# the kiln source tree, or kiln::kiln from find_package(kiln).

include_guard(GLOBAL)

function(kiln_add_model name)
  cmake_parse_arguments(PARSE_ARGV 1 K ""
    "MODEL;BATCH;TARGET;CPU;FEATURES;OPT_LEVEL;WEIGHTS;OUTPUT_DIR"
    "OPTIONS;DEPENDS")
  if(K_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "kiln_add_model(${name}): unknown arguments: ${K_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT name MATCHES "^[A-Za-z_][A-Za-z0-9_]*$")
    message(FATAL_ERROR "kiln_add_model(${name}): the name must be a C identifier "
      "(it prefixes the generated symbols, e.g. ${name}_run)")
  endif()
  if(NOT K_MODEL)
    message(FATAL_ERROR "kiln_add_model(${name}): MODEL <file.onnx> is required")
  endif()
  if(DEFINED K_OPT_LEVEL AND NOT K_OPT_LEVEL MATCHES "^[0-3]$")
    message(FATAL_ERROR "kiln_add_model(${name}): OPT_LEVEL must be 0, 1, 2 or 3")
  endif()
  if(DEFINED K_BATCH AND NOT K_BATCH MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "kiln_add_model(${name}): BATCH must be a positive integer")
  endif()

  # The compiler, and what the build step depends on to rerun when it changes.
  if(KILN_EXECUTABLE)
    set(exe "${KILN_EXECUTABLE}")
    set(exe_dep "${KILN_EXECUTABLE}")
  elseif(TARGET kiln AND NOT TARGET kiln::kiln)
    # Inside kiln's own source tree.
    get_target_property(kind kiln TYPE)
    if(NOT kind STREQUAL "EXECUTABLE")
      message(FATAL_ERROR "kiln_add_model(${name}): target 'kiln' is not the kiln compiler")
    endif()
    set(exe "$<TARGET_FILE:kiln>")
    set(exe_dep kiln)
  elseif(TARGET kiln::kiln)
    set(exe "$<TARGET_FILE:kiln::kiln>")
    set(exe_dep "$<TARGET_FILE:kiln::kiln>")
  else()
    message(FATAL_ERROR "kiln_add_model(${name}): no kiln compiler found: this kiln "
      "package has no bin/kiln (a runtime-only build?). Set KILN_EXECUTABLE to a kiln binary.")
  endif()

  if(NOT K_TARGET AND CMAKE_CROSSCOMPILING)
    if(CMAKE_C_COMPILER_TARGET)
      set(K_TARGET "${CMAKE_C_COMPILER_TARGET}")
    elseif(CMAKE_LIBRARY_ARCHITECTURE)
      set(K_TARGET "${CMAKE_LIBRARY_ARCHITECTURE}")
    endif()
  endif()

  cmake_path(ABSOLUTE_PATH K_MODEL BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    NORMALIZE OUTPUT_VARIABLE model)
  if(K_OUTPUT_DIR)
    cmake_path(ABSOLUTE_PATH K_OUTPUT_DIR BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}"
      NORMALIZE OUTPUT_VARIABLE dir)
  else()
    set(dir "${CMAKE_CURRENT_BINARY_DIR}/kiln_models")
  endif()
  # The object is linked by the project's C (or C++) toolchain.
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if("C" IN_LIST languages)
    set(link_language C)
  elseif("CXX" IN_LIST languages)
    set(link_language CXX)
  else()
    message(FATAL_ERROR "kiln_add_model(${name}): enable C or CXX in project()")
  endif()
  set(obj "${dir}/${name}${CMAKE_${link_language}_OUTPUT_EXTENSION}")
  set(hdr "${dir}/${name}.h")

  set(outputs "${obj}" "${hdr}")
  set(weights_obj)
  if(K_WEIGHTS AND NOT K_WEIGHTS STREQUAL "embed")
    cmake_path(ABSOLUTE_PATH K_WEIGHTS BASE_DIRECTORY "${dir}" NORMALIZE
      OUTPUT_VARIABLE weights_obj)
    set(K_WEIGHTS "${weights_obj}")
    list(APPEND outputs "${weights_obj}")
  endif()

  set(flags --name ${name})
  if(K_BATCH)
    list(APPEND flags --batch ${K_BATCH})
  endif()
  if(K_TARGET)
    list(APPEND flags --target ${K_TARGET})
  endif()
  if(K_CPU)
    list(APPEND flags --cpu ${K_CPU})
  endif()
  if(K_FEATURES)
    list(APPEND flags --features ${K_FEATURES})
  endif()
  if(DEFINED K_OPT_LEVEL)
    list(APPEND flags -O${K_OPT_LEVEL})
  endif()
  if(K_WEIGHTS)
    list(APPEND flags --weights ${K_WEIGHTS})
  endif()
  list(APPEND flags ${K_OPTIONS})

  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT ${outputs}
    COMMAND "${exe}" compile "${model}" -o "${obj}" --header "${hdr}" ${flags}
    DEPENDS "${model}" ${exe_dep} ${K_DEPENDS}
    COMMENT "kiln: compiling ${K_MODEL} into ${name}"
    VERBATIM)

  # A static library of one prebuilt object: users link it like any other.
  add_library(${name} STATIC ${outputs})
  set_source_files_properties("${obj}" ${weights_obj} PROPERTIES
    EXTERNAL_OBJECT TRUE GENERATED TRUE)
  set_target_properties(${name} PROPERTIES LINKER_LANGUAGE ${link_language})
  target_include_directories(${name} PUBLIC "$<BUILD_INTERFACE:${dir}>")
  if(NOT TARGET Threads::Threads)
    find_package(Threads REQUIRED)
  endif()
  target_link_libraries(${name} PUBLIC kiln::kiln_rt Threads::Threads)
  if(UNIX AND NOT APPLE)
    target_link_libraries(${name} PUBLIC m)
  endif()
  set_target_properties(${name} PROPERTIES
    KILN_MODEL "${model}" KILN_HEADER "${hdr}" KILN_OBJECT "${obj}")
endfunction()
