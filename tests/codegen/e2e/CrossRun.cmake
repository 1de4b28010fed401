# cmake -DKILN=kiln -DZOO=kiln-zoo -DCOMPARE=kiln-compare -DMODEL=resnet18
#       [-DSIZE=H,W] -DTRIPLE=aarch64-linux-gnu -DTOOLCHAIN=cmake/aarch64-linux-gnu.cmake
#       -DCC=aarch64-linux-gnu-gcc -DEMULATOR="qemu-aarch64;-L;/usr/aarch64-linux-gnu"
#       -DSOURCE=<kiln repo> -DSRC=npy_main.c -DWORK=dir -P CrossRun.cmake
#
# A zoo model compiled for another architecture, run under an emulator and
# compared with the reference interpreter on the host:
#   kiln-zoo MODEL -> model.onnx; kiln compile --target TRIPLE -> model.o/.h;
#   the runtime cross-built alone (KILN_RUNTIME_ONLY); CC npy_main.c model.o
#   libkiln_rt.a; EMULATOR app writes input.npy + output.npy; kiln run
#   --reference on input.npy; kiln-compare.
file(MAKE_DIRECTORY ${WORK})

function(step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}${err}")
  endif()
  message(STATUS "${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

set(size_args "")
if(SIZE)
  set(size_args --size ${SIZE})
endif()
step("kiln-zoo ${MODEL}" ${ZOO} ${MODEL} -o ${WORK}/model.onnx --batch 1 ${size_args})
step("kiln compile --target ${TRIPLE}" ${KILN} compile ${WORK}/model.onnx
     --target ${TRIPLE} -o ${WORK}/model.o --header ${WORK}/model.h --name model)
step("runtime for ${TRIPLE} (configure)" ${CMAKE_COMMAND} -S ${SOURCE}
     -B ${WORK}/runtime -DKILN_RUNTIME_ONLY=ON -DCMAKE_BUILD_TYPE=Release
     -DCMAKE_TOOLCHAIN_FILE=${TOOLCHAIN})
step("runtime for ${TRIPLE} (build)" ${CMAKE_COMMAND} --build ${WORK}/runtime
     --target kiln_rt)
file(GLOB_RECURSE rt ${WORK}/runtime/libkiln_rt.a)
if(NOT rt)
  message(FATAL_ERROR "no libkiln_rt.a under ${WORK}/runtime")
endif()
step("${CC} app" ${CC} -std=c99 -O2 -Wall -Werror -I${WORK} -I${SOURCE}/runtime/include
     ${SRC} ${WORK}/model.o ${rt} -lpthread -lm -o ${WORK}/app)
step("app under ${EMULATOR}" ${EMULATOR} ${WORK}/app ${WORK}/input.npy
     ${WORK}/output.npy)
# The reference names files by the graph's value names: one input, one output.
file(REMOVE_RECURSE ${WORK}/reference)
step("kiln run --reference" ${KILN} run ${WORK}/model.onnx --reference
     --input ${WORK}/input.npy --output-dir ${WORK}/reference)
file(GLOB ref ${WORK}/reference/*.npy)
list(LENGTH ref n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one reference output, got: ${ref}")
endif()
step("kiln-compare" ${COMPARE} ${ref} ${WORK}/output.npy)
message("${step_output}")
