#!/usr/bin/env bash
# `kiln run --output-dir` writes every output to a file of its own: 'out/1'
# and 'out_1' sanitize to the same name, so the second gets a suffix (said on
# stderr); a 300-byte name is shortened. Reference and compiled engines.
#   run-output-names.sh KILN WORKDIR
set -euo pipefail
kiln=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
long=$(printf 'n%.0s' $(seq 300))
cat > "$work/model.txt" <<TXT
ir_version: 8
opset_import { domain: "" version: 13 }
graph {
  name: "names"
  node { op_type: "Relu" input: "x" output: "out/1" name: "relu" }
  node { op_type: "Sigmoid" input: "x" output: "out_1" name: "sigmoid" }
  node { op_type: "Relu" input: "x" output: "$long" name: "long" }
  input { name: "x" type { tensor_type { elem_type: 1 shape { dim { dim_value: 2 } dim { dim_value: 3 } } } } }
  output { name: "out/1" type { tensor_type { elem_type: 1 } } }
  output { name: "out_1" type { tensor_type { elem_type: 1 } } }
  output { name: "$long" type { tensor_type { elem_type: 1 } } }
}
TXT
protoc --encode=onnx.ModelProto -I/usr/include /usr/include/onnx/onnx.proto \
  < "$work/model.txt" > "$work/model.onnx"
for engine in --reference ""; do
  out=$work/out${engine:+-ref}
  "$kiln" run "$work/model.onnx" $engine --random-input 1 --output-dir "$out" 2>"$work/err"
  grep -q "note: output 'out_1' is written as out_1_2.npy" "$work/err" ||
    { echo "FAIL: no note on the collision"; cat "$work/err"; exit 1; }
  [ -f "$out/out_1.npy" ] && [ -f "$out/out_1_2.npy" ] ||
    { echo "FAIL: expected out_1.npy and out_1_2.npy"; ls "$out"; exit 1; }
  cmp -s "$out/out_1.npy" "$out/out_1_2.npy" &&
    { echo "FAIL: the two outputs were written with the same data"; exit 1; }
  n=$(ls "$out" | wc -l)
  [ "$n" = 3 ] || { echo "FAIL: $n files, expected 3"; ls "$out"; exit 1; }
  for f in "$out"/*; do
    [ "$(basename "$f" | wc -c)" -le 110 ] || { echo "FAIL: long file name $f"; exit 1; }
  done
done
echo "PASS: distinct output files"
