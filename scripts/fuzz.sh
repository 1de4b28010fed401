#!/usr/bin/env bash
# Fuzzes kiln from ONNX bytes to LLVM IR with libFuzzer: the importer, the
# pass pipeline, lowering and (below a size bound) LLVM module emission and
# verification (tests/fuzz/fuzz_import.cpp).
#
#   scripts/fuzz.sh [SECONDS]      default 120
#
# Configures a build with clang-16 and -DKILN_FUZZ=ON (libFuzzer + ASan +
# UBSan, LeakSanitizer on), builds the harness, gathers seeds and runs it.
# The corpus it grows is kept in BUILD/corpus, so runs accumulate; crashing
# inputs land in BUILD/crashes/. Any crash, sanitizer report, leak, timeout
# (20 s per input) or out-of-memory (4 GB) makes the script fail. Environment:
#   KILN_FUZZ_JOBS        ninja parallelism (default 2)
#   KILN_FUZZ_BUILD_DIR   the build (default build-fuzz); may be one
#                         scripts/sanitize.sh made with KILN_SANITIZE_FUZZ=1
#   KILN_FUZZ_WORKERS     fuzzing processes (default 1: libFuzzer -fork=N
#                         when more)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
build=${KILN_FUZZ_BUILD_DIR:-build-fuzz}
workers=${KILN_FUZZ_WORKERS:-1}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-16 CXX=clang++-16 cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_FUZZ=ON >/dev/null
fi
ninja -C "$build" -j"${KILN_FUZZ_JOBS:-2}" kiln-fuzz-import kiln-make-bad-models

# Seeds: regenerated each run, never checked in (tests/fuzz/corpus holds the
# checked-in ones: past crashes and hand-picked inputs).
seeds=$build/seeds
rm -rf "$seeds" && mkdir -p "$seeds" "$build/corpus" "$build/crashes"
"$build/bin/kiln-make-bad-models" --bad "$seeds/bad" >/dev/null
"$build/bin/kiln-make-bad-models" --hostile "$seeds/hostile.onnx"
# The node tests of the ops kiln imports: small, valid, varied attributes.
node_tests=/usr/share/libonnx-testdata/data/node
if [ -d "$node_tests" ]; then
  ops='conv|maxpool|averagepool|globalaveragepool|globalmaxpool|lrn|batchnorm|gemm|matmul|add|sub|mul|div|sum|relu|leakyrelu|sigmoid|clip|softmax|flatten|reshape|transpose|concat|pad|identity|dropout|shape|gather|unsqueeze|squeeze|cast'
  for d in "$node_tests"/test_*; do
    name=${d##*/test_}
    if [[ $name =~ ^($ops)(_|$) ]] && [ -f "$d/model.onnx" ]; then
      cp "$d/model.onnx" "$seeds/node_$name.onnx"
    fi
  done
fi
# The zoo's models are not seeds: their weights make them megabytes, and
# libFuzzer mutates small inputs far faster. Models with external data are
# refused by the harness (no base folder): drop the .bin files.
find "$seeds" -type f \( ! -name "*.onnx" -o -size +64k \) -delete
find "$seeds" -type l -delete
echo "fuzz: $(find "$seeds" -type f | wc -l) seeds + $(find tests/fuzz/corpus -type f ! -name "*.md" | wc -l) checked in," \
     "$(ls "$build/corpus" | wc -l) in $build/corpus; running for ${seconds}s," \
     "$workers worker(s)"

fork=()
if [ "$workers" -gt 1 ]; then
  fork=(-fork="$workers")
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
crashes_before=$(ls "$build/crashes" | wc -l)
status=0
"$build/bin/kiln-fuzz-import" "${fork[@]}" \
  -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$build/crashes/" \
  "$build/corpus" "$seeds" "$seeds/bad" tests/fuzz/corpus || status=$?
if [ $status != 0 ] || [ "$(ls "$build/crashes" | wc -l)" != "$crashes_before" ]; then
  echo "fuzz: FAILED (exit $status); reproducers in $build/crashes:" >&2
  ls -l "$build/crashes" >&2
  echo "fuzz: replay one with $build/bin/kiln-fuzz-import FILE" >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s"
