# cmake -DKILN=... -DMODEL=... -DSRC=main.c -DRT=libkiln_rt.a -DRT_INCLUDE=...
#       -DWORK=dir -DCC=cc [-DFLAGS="--cpu;haswell"] -P CompileAndRun.cmake
#
# kiln compile MODEL -> convnet.o + convnet.h; cc main.c convnet.o libkiln_rt.a
# -lpthread -lm; run it.
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${KILN} compile ${MODEL} -o ${WORK}/convnet.o
                        --header ${WORK}/convnet.h --name convnet ${FLAGS}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "kiln compile failed (${rc})")
endif()
execute_process(COMMAND ${CC} -std=c99 -Wall -Werror -I${WORK} -I${RT_INCLUDE}
                        ${SRC} ${WORK}/convnet.o ${RT} -lpthread -lm -o ${WORK}/app
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cc failed (${rc})")
endif()
execute_process(COMMAND ${WORK}/app RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "ok")
  message(FATAL_ERROR "the compiled model failed (${rc}): ${out}")
endif()
