# cmake -DKILN=... -DMODEL=... -DOUT=file -DFLAGS=... -DPATTERN=regex
#       [-DOBJDUMP=llvm-objdump] -P CheckAsm.cmake
# Compiles MODEL and checks that the assembly (or disassembled object)
# matches PATTERN.
execute_process(COMMAND ${KILN} compile ${MODEL} -o ${OUT} --name m ${FLAGS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kiln compile failed (${rc})")
endif()
if(OBJDUMP)
  execute_process(COMMAND ${OBJDUMP} -d ${OUT} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "objdump failed")
  endif()
else()
  file(READ ${OUT} text)
endif()
if(NOT text MATCHES "${PATTERN}")
  message(FATAL_ERROR "no match for '${PATTERN}' in ${OUT}")
endif()
