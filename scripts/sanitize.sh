#!/usr/bin/env bash
# Builds kiln under the sanitizers and runs the fast tests.
#
#   scripts/sanitize.sh [--thread] [ctest args...]
#
# Default: AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer
# (-DKILN_SANITIZE=ON) in build-asan, then `ctest -L fast`.
# --thread: ThreadSanitizer in build-tsan, building and running only the
# tests labelled `concurrent` (the libraries and the runtime used from many
# threads).
#
# Environment: CC/CXX (default clang-16/clang++-16, else gcc/g++),
# KILN_SANITIZE_JOBS (build and test parallelism, default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${KILN_SANITIZE_JOBS:-2}

mode=address
if [ "${1:-}" = --thread ]; then
  mode=thread
  shift
fi

if [ -z "${CC:-}" ]; then
  if command -v clang-16 >/dev/null; then
    export CC=clang-16 CXX=clang++-16
  else
    export CC=gcc CXX=g++
  fi
fi

export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
if [ $mode = address ]; then
  build=build-asan
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_SANITIZE=ON >/dev/null
  fi
  ninja -C "$build" -j"$jobs"
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
  label=fast
else
  build=build-tsan
  if [ ! -f "$build/build.ninja" ]; then
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
      -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
  fi
  # Only what the concurrent tests need: a full TSan build is slow.
  targets=$(cd "$build" && ctest -N -L concurrent 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p')
  ninja -C "$build" -j"$jobs" $targets
  export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}halt_on_error=1:second_deadlock_stack=1"
  label=concurrent
fi

cd "$build"
ctest -L "$label" --output-on-failure -j"$jobs" "$@"
