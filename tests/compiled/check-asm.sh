#!/usr/bin/env bash
# A zoo model's host assembly matches a pattern:
#
#   check-asm.sh BIN_DIR MODEL REGEX WORK_DIR
#
# kiln-zoo MODEL, then `kiln compile --emit asm` with the weights in a second
# file (so the code's assembly stays small), then grep -E REGEX in the code.
# Prints the number of matching lines; fails when there is none.
set -euo pipefail

if [ $# -ne 4 ]; then
  echo "usage: $0 BIN_DIR MODEL REGEX WORK_DIR" >&2
  exit 2
fi
bin=$1 model=$2 regex=$3 work=$4
for tool in kiln kiln-zoo; do
  if [ ! -x "$bin/$tool" ]; then
    echo "error: $bin/$tool is not built (build the kiln and kiln-zoo targets)" >&2
    exit 1
  fi
done
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$bin/kiln-zoo" "$model" -o model.onnx
"$bin/kiln" compile model.onnx --emit asm -o model.s --weights weights.s --name model
rm -f model.onnx weights.s
count=$(grep -cE "$regex" model.s || true)
echo "$count lines of model.s match '$regex'"
if [ "$count" -eq 0 ]; then
  echo "error: no line of $work/model.s matches '$regex'" >&2
  exit 1
fi
grep -m3 -E "$regex" model.s
rm -f model.s
