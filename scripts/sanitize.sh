#!/usr/bin/env bash
# Builds kiln with AddressSanitizer + UndefinedBehaviorSanitizer (and
# LeakSanitizer) into build-asan and runs the fast tests (`ctest -L fast`).
#
#   scripts/sanitize.sh [ctest args...]
#
# Environment: CC/CXX (default clang-16/clang++-16, else gcc/g++),
# KILN_SANITIZE_JOBS (ninja parallelism, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-asan

if [ -z "${CC:-}" ]; then
  if command -v clang-16 >/dev/null; then
    export CC=clang-16 CXX=clang++-16
  else
    export CC=gcc CXX=g++
  fi
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_SANITIZE=ON >/dev/null
fi
ninja -C "$build" -j"${KILN_SANITIZE_JOBS:-2}"

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
cd "$build"
ctest -L fast --output-on-failure -j"${KILN_SANITIZE_JOBS:-2}" "$@"
