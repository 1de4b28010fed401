#!/usr/bin/env bash
# One zoo model end to end, against ONNX Runtime:
#
#   zoo-model.sh MODEL INPUT OUTPUT SIZE BIN_DIR RUN_JS WORK_DIR
#
#   1. BIN_DIR/kiln-zoo MODEL                 writes the model (checked by onnx::checker)
#   2. BIN_DIR/kiln-make-input                a [1,3,SIZE,SIZE] input in [-1, 1)
#   3. node RUN_JS                            ONNX Runtime's output: the reference
#   4. BIN_DIR/kiln run --reference           kiln's reference interpreter
#   5. BIN_DIR/kiln-compare                   max|diff| <= 1e-4 max|ref|, same top-1
#
# Prints how long each step took. Any missing piece (node, onnxruntime-node,
# a tool) is a failure with a message, never a skip. The work directory keeps
# everything of a failed run; a passing run removes its model file.
set -euo pipefail

if [ $# -ne 7 ]; then
  echo "usage: $0 MODEL INPUT OUTPUT SIZE BIN_DIR RUN_JS WORK_DIR" >&2
  exit 2
fi
model=$1 input=$2 output=$3 size=$4 bin=$5 runjs=$6 work=$7/$model

for tool in kiln-zoo kiln-make-input kiln kiln-compare; do
  if [ ! -x "$bin/$tool" ]; then
    echo "error: $bin/$tool is not built (build the kiln, kiln-zoo, kiln-make-input and kiln-compare targets)" >&2
    exit 1
  fi
done
if ! command -v node >/dev/null; then
  echo "error: node is not installed: ONNX Runtime, the oracle, runs on Node.js (scripts/setup.sh installs it)" >&2
  exit 1
fi

rm -rf "$work"
mkdir -p "$work"
cd "$work"

now() { date +%s%N; }
step() { # NAME COMMAND...: runs COMMAND, logging to NAME.log; prints the time
  local name=$1 t0 t1 rc=0
  shift
  t0=$(now)
  "$@" >"$name.log" 2>&1 || rc=$?
  t1=$(now)
  local ms=$(((t1 - t0) / 1000000))
  printf '%-9s %4d.%03d s\n' "$name" $((ms / 1000)) $((ms % 1000))
  if [ $rc -ne 0 ]; then
    echo "error: $name failed (exit $rc): $*" >&2
    sed 's/^/  | /' "$name.log" >&2
    exit 1
  fi
}

step generate "$bin/kiln-zoo" "$model" -o model.onnx
step input "$bin/kiln-make-input" --shape "1,3,$size,$size" --seed 1 -o input.npy
step ort node "$runjs" model.onnx --input "$input=input.npy" --output-dir ort --threads 1
step kiln "$bin/kiln" run --reference model.onnx --input "$input=input.npy" --output-dir kiln
sed 's/^/  generate: /' generate.log
echo "compare ort/$output.npy kiln/$output.npy:"
"$bin/kiln-compare" "ort/$output.npy" "kiln/$output.npy"
rm -f model.onnx
