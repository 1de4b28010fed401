# cmake -DNM=llvm-nm -DDEF=Kernels.def -DBLOBS="arch|lanes|name|path;..."
#       -DSTAMP=file -P CheckKernels.cmake
#
# Fails when an entry of kernels/Kernels.def is not defined in the kernel
# bitcode: a Fast kernel must be in the bitcode of every (arch, lanes>0)
# variant, a Generic kernel in the lane-independent bitcode of every arch.
# Lowering names kernels only through that table, so a wrong name fails the
# build instead of a model's link.
# The table's entries: every line that starts with KERNEL, parsed strictly
# below.
file(STRINGS "${DEF}" entries REGEX "^[ \t]*KERNEL[ \t]*\\(")
if(NOT entries)
  message(FATAL_ERROR "${DEF}: no KERNEL(...) entries")
endif()

# Bitcode files per variant: "arch-lanes" -> files.
set(variants "")
foreach(entry ${BLOBS})
  string(REPLACE "|" ";" parts "${entry}")
  list(GET parts 0 arch)
  list(GET parts 1 lanes)
  list(GET parts 3 path)
  set(key "${arch}-${lanes}")
  list(APPEND variants ${key})
  list(APPEND files_${key} ${path})
endforeach()
list(REMOVE_DUPLICATES variants)

set(errors "")
foreach(key ${variants})
  execute_process(COMMAND ${NM} --defined-only --extern-only --just-symbol-name
                          ${files_${key}}
                  OUTPUT_VARIABLE syms RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${files_${key}}: ${err}")
  endif()
  set(syms "\n${syms}\n")
  if(key MATCHES "-0$")
    set(want Generic) # lanes 0: the lane-independent generic kernels
  else()
    set(want Fast)
  endif()
  foreach(e ${entries})
    if(NOT e MATCHES "^[ \t]*KERNEL\\(([A-Za-z0-9_]+), *([A-Za-z0-9_]+), *([A-Za-z]+)\\)")
      list(APPEND errors "  ${e}: not KERNEL(Id, symbol, Family)")
      continue()
    endif()
    set(fields "${CMAKE_MATCH_1};${CMAKE_MATCH_2};${CMAKE_MATCH_3}")
    list(GET fields 1 sym)
    list(GET fields 2 family)
    if(NOT family MATCHES "^(Fast|Generic)$")
      list(APPEND errors "  ${e}: family must be Fast or Generic")
      continue()
    endif()
    if(NOT family STREQUAL want)
      continue() # defined by the other family's bitcode
    endif()
    string(FIND "${syms}" "\n${sym}\n" at)
    if(at EQUAL -1)
      list(APPEND errors "  ${sym} (${family}) is not defined in the ${key} kernel bitcode")
    endif()
  endforeach()
endforeach()
if(errors)
  list(REMOVE_DUPLICATES errors)
  string(REPLACE ";" "\n" errors "${errors}")
  message(FATAL_ERROR "${DEF} names kernels the bitcode does not define:\n${errors}")
endif()
file(WRITE "${STAMP}" "ok\n")
