#!/usr/bin/env bash
# Builds kiln under the sanitizers and runs the fast tests.
#
#   scripts/sanitize.sh [--thread] [ctest args...]
#
# Default: AddressSanitizer + UndefinedBehaviorSanitizer + LeakSanitizer
# (-DKILN_SANITIZE=ON) in build-asan, then `ctest -L fast`. The native
# kernels and their tests get ASan only (see the top CMakeLists.txt: UBSan
# on their -O3 vector code makes clang take over ten minutes per file); the
# kernel bitcode the code generator links is never instrumented.
# --thread: ThreadSanitizer in build-tsan, building and running only the
# tests labelled `concurrent` (the libraries and the runtime used from many
# threads).
#
# Only what the selected tests run is built: the executables their commands
# name in the build's bin/ (ctest --show-only=json-v1).
#
# Environment:
#   CC/CXX                    default clang-16/clang++-16, else gcc/g++
#   KILN_SANITIZE_JOBS        build and test parallelism (default 2)
#   KILN_SANITIZE_BUILD_DIR   build directory (default build-asan/build-tsan)
#   KILN_SANITIZE_FUZZ=1      configure with -DKILN_FUZZ=ON (ASan+UBSan plus
#                             libFuzzer coverage): the build scripts/fuzz.sh
#                             can then reuse (KILN_FUZZ_BUILD_DIR), as CI does
#   KILN_SANITIZE_EXCLUDE     regex of tests to skip (ctest -E), not built
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
  build=${KILN_SANITIZE_BUILD_DIR:-build-asan}
  config=-DKILN_SANITIZE=ON
  if [ "${KILN_SANITIZE_FUZZ:-0}" = 1 ]; then
    config=-DKILN_FUZZ=ON
  fi
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $config >/dev/null
  fi
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1"
  label=fast
else
  build=${KILN_SANITIZE_BUILD_DIR:-build-tsan}
  if [ ! -f "$build/build.ninja" ]; then
    flags="-fsanitize=thread -fno-omit-frame-pointer"
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
      -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread >/dev/null
  fi
  export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}halt_on_error=1:second_deadlock_stack=1"
  label=concurrent
fi

select=(-L "$label")
if [ -n "${KILN_SANITIZE_EXCLUDE:-}" ]; then
  select+=(-E "$KILN_SANITIZE_EXCLUDE")
fi

# The executables the selected tests run: every path under bin/ in their
# add_test() lines (test programs, and the tools scripted tests call).
bin=$(cd "$build" && pwd)/bin
targets=$(
  cd "$build"
  for t in $(ctest -N "${select[@]}" 2>/dev/null | sed -n 's/^ *Test *#[0-9]*: //p'); do
    grep -rhF --include=CTestTestfile.cmake "add_test([=[$t]=]" . |
      grep -o "$bin/[A-Za-z0-9_.+-]*" | sed "s|^$bin/||"
  done | sort -u
)
if [ -z "$targets" ]; then
  echo "sanitize: no tests labelled '$label' in $build" >&2
  exit 1
fi
echo "sanitize: building" $targets
ninja -C "$build" -j"$jobs" $targets

cd "$build"
ctest "${select[@]}" --output-on-failure -j"$jobs" "$@"
