#!/usr/bin/env bash
# Reentrancy of generated code under ThreadSanitizer: a zoo ResNet-18 compiled
# by kiln, linked with the runtime's sources built with -fsanitize=thread, run
# from 4 threads at once (concurrent_main.c).
#   concurrent.sh BIN_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
rm -rf "$work"; mkdir -p "$work"; cd "$work"
"$bin/kiln-zoo" resnet18 --batch 1 -o resnet18.onnx >/dev/null
"$bin/kiln" compile resnet18.onnx -o model.o --header model.h --name model
cc -std=c11 -O1 -g -fsanitize=thread -I. -I"$src/runtime/include" \
  "$src/tests/concurrent/concurrent_main.c" "$src"/runtime/src/*.c model.o \
  -o concurrent_main -lpthread -lm
# TSan needs its shadow memory where ASLR may put the binary on new kernels.
setarch "$(uname -m)" -R env TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ./concurrent_main
rm -f resnet18.onnx model.o
