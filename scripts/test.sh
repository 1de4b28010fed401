#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite (what CI runs), then the
# sanitizer and fuzzing stage:
#   1. scripts/build.sh into build/ and every ctest there;
#   2. one clang-16 ASan+UBSan+libFuzzer build (build-ci-sanitize) running the
#      fast tests (scripts/sanitize.sh) except the kernel tests, whose -O3
#      test programs alone would take ~15 min to compile instrumented (they
#      run uninstrumented in step 1; scripts/sanitize.sh runs them under ASan);
#   3. the libFuzzer harness on that same build for KILN_CI_FUZZ_SECONDS
#      (default 180) from a fresh corpus, on both cores.
# A failing test, a sanitizer report or a fuzzer crash fails CI.
# KILN_CI_SANITIZE=0 skips steps 2 and 3; `scripts/test.sh --sanitize-only`
# runs only them (after setup).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
if [ "${1:-}" != --sanitize-only ]; then
  scripts/build.sh
  (cd build && ctest --output-on-failure -j"$(nproc)" --timeout 1800)
fi

if [ "${KILN_CI_SANITIZE:-1}" = 0 ]; then
  exit 0
fi
if ! command -v clang++-16 >/dev/null; then
  echo "test.sh: clang++-16 missing, cannot run the sanitizer and fuzz stage" >&2
  exit 1
fi
ci_build=build-ci-sanitize
start=$SECONDS
echo "== sanitizers: ASan+UBSan fast tests in $ci_build"
CC=clang-16 CXX=clang++-16 KILN_SANITIZE_BUILD_DIR=$ci_build KILN_SANITIZE_FUZZ=1 \
  KILN_SANITIZE_JOBS="$(nproc)" KILN_SANITIZE_EXCLUDE='^kernels_' \
  scripts/sanitize.sh --timeout 900
echo "== sanitizers: $((SECONDS - start)) s"

start=$SECONDS
echo "== fuzzing: ${KILN_CI_FUZZ_SECONDS:-180} s from a fresh corpus"
rm -rf "$ci_build/corpus" "$ci_build/crashes"
KILN_FUZZ_BUILD_DIR=$ci_build KILN_FUZZ_JOBS="$(nproc)" KILN_FUZZ_WORKERS="$(nproc)" \
  scripts/fuzz.sh "${KILN_CI_FUZZ_SECONDS:-180}"
echo "== fuzzing: $((SECONDS - start)) s"
