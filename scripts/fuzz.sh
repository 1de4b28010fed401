#!/usr/bin/env bash
# Fuzzes the ONNX importer (and the pass pipeline behind it) with libFuzzer.
#
#   scripts/fuzz.sh [SECONDS]      default 120
#
# Configures build-fuzz with clang-16 and -DKILN_FUZZ=ON (libFuzzer + ASan +
# UBSan, LeakSanitizer on), builds tests/fuzz/fuzz_import.cpp, gathers seeds
# and runs it. The corpus it grows is kept in build-fuzz/corpus, so runs
# accumulate; crashing inputs land in build-fuzz/crashes/. Environment:
#   KILN_FUZZ_JOBS   ninja parallelism (default 2)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
build=build-fuzz

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-16 CXX=clang++-16 cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_FUZZ=ON >/dev/null
fi
targets=(kiln-fuzz-import kiln-make-bad-models)
if ninja -C "$build" -t targets all 2>/dev/null | grep -q '^kiln-zoo:'; then
  targets+=(kiln-zoo)
fi
ninja -C "$build" -j"${KILN_FUZZ_JOBS:-2}" "${targets[@]}"

# Seeds: regenerated each run, never checked in.
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
# Small zoo models, if the zoo generator can write them (under 256 KB).
if [ -x "$build/bin/kiln-zoo" ]; then
  for m in $("$build/bin/kiln-zoo" --list 2>/dev/null || true); do
    "$build/bin/kiln-zoo" "$m" -o "$seeds/zoo_$m.onnx" >/dev/null 2>&1 || continue
    [ "$(stat -c %s "$seeds/zoo_$m.onnx")" -le 262144 ] || rm -f "$seeds/zoo_$m.onnx"
  done
fi
# Models with external data are refused by the harness (no base folder):
# drop the .bin files, keep the .onnx as inputs.
find "$seeds" -type f ! -name '*.onnx' -delete
find "$seeds" -type l -delete
echo "fuzz: $(find "$seeds" -type f | wc -l) seeds, running for ${seconds}s"

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1"
"$build/bin/kiln-fuzz-import" \
  -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$build/crashes/" \
  "$build/corpus" "$seeds" "$seeds/bad" tests/fuzz/corpus
