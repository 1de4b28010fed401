#!/usr/bin/env bash
# The flags that bind symbolic input dimensions, through the CLI
# (tools/kiln/ShapeFlags.h, frontend/InputShapes.h):
#   - every error is exit 1 with one line on stderr naming the input and flag,
#     from dump, compile, run and bench alike;
#   - a symbolic batch bound by default is said once, as a note;
#   - `kiln dump` shows the binding, and the optimized graph holds no shape
#     arithmetic; the header states the bound shapes.
#
#   input-shape-cli.sh KILN KILN_ZOO WORK_DIR
set -uo pipefail

kiln=$1 zoo=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work" || exit 1
# ResNet-18 as torch.onnx.export writes it with dynamic_axes for batch,
# height and width, flattening with x.view(x.size(0), -1).
"$zoo" resnet18 --dynamic --reshape-flatten --size 64 -o m.onnx >/dev/null || {
  echo "FAIL: kiln-zoo resnet18 --dynamic"; exit 1; }

failures=0 checks=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }

# expect_error NEEDLE COMMAND ARGS...: exit 1, exactly one stderr line, which
# starts with "error: " and contains NEEDLE (fixed string).
expect_error() {
  local needle=$1 rc=0
  shift
  checks=$((checks + 1))
  "$kiln" "$@" >out.txt 2>err.txt || rc=$?
  if [ $rc -ne 1 ]; then
    fail "kiln $*: exit $rc, expected 1"; sed 's/^/  | /' err.txt; return
  fi
  if [ "$(wc -l <err.txt)" -ne 1 ] || ! grep -q '^error: ' err.txt ||
     ! grep -qF -- "$needle" err.txt; then
    fail "kiln $*: expected one 'error:' line with: $needle"; sed 's/^/  | /' err.txt
  fi
}

out=(-o m.o --header m.h --name m)
# Nothing binds height and width.
for cmd in "dump" "compile ${out[*]}" "run --random-input 1" "bench --iterations 1 --no-peak"; do
  # shellcheck disable=SC2086 # $cmd is a list of words
  expect_error "error: m.onnx: graph input 'input': dimension 2 ('height') is symbolic; bind it with --dim height=N or --input-shape input=1x3xNxN" $cmd m.onnx
done
for cmd in "dump" "compile ${out[*]}" "run --random-input 1" "bench --iterations 1 --no-peak"; do
  # shellcheck disable=SC2086
  expect_error "graph input 'input' has 4 dimensions, --input-shape gives 3" $cmd m.onnx --input-shape input=1x3x64
done
expect_error "graph input 'input': dimension 1 is 3 in the model, --input-shape gives 4" dump m.onnx --input-shape input=1x4x64x64
expect_error "--input-shape names 'data', which is not a graph input (the inputs are 'input')" dump m.onnx --input-shape data=1x3x64x64
expect_error "graph input 'input': dimension 2 ('height') cannot be 0 (--input-shape): a dimension is at least 1" dump m.onnx --input-shape 1x3x0x64
expect_error "graph input 'input': dimension 3 ('width') cannot be 0 (--dim width=0): a dimension is at least 1" dump m.onnx --dim height=64 --dim width=0
expect_error "graph input 'input': dimension 2 ('height') cannot be 99999999999 (--input-shape): more than the limit of 4294967296 elements" dump m.onnx --input-shape input=1x3x99999999999x64
expect_error "graph input 'input': shape [1,3,100000,100000] has too many elements" compile "${out[@]}" m.onnx --dim height=100000 --dim width=100000
expect_error "graph input 'input': dimension 3 ('width') is symbolic; bind it with --dim width=N or --input-shape input=2x3x64xN" dump m.onnx --batch 2 --dim height=64
expect_error "--dim heigth=64: no graph input has a dimension named 'heigth' (the inputs' symbols are 'batch_size', 'height', 'width')" dump m.onnx --dim heigth=64
expect_error "graph input 'input': dimension 0 ('batch_size') is 1 by --input-shape and 2 by --batch 2" dump m.onnx --input-shape 1x3x64x64 --batch 2
expect_error "graph input 'input': dimension 2 ('height') is 64 by --input-shape and 32 by --dim height=32" dump m.onnx --input-shape 1x3x64x64 --dim height=32
# Usage errors: the flag's syntax.
expect_error "error: kiln dump: --input-shape 'input=1x3xfoo': expected [NAME=]D0xD1x... with integer dimensions" dump m.onnx --input-shape input=1x3xfoo
expect_error "error: kiln compile: --dim 'height': expected SYMBOL=VALUE" compile "${out[@]}" m.onnx --dim height
expect_error "error: kiln run: --input-shape is given twice for 'input'" run m.onnx --input-shape input=1x3x8x8 --input-shape input=1x3x8x8
expect_error "error: kiln bench: --batch must be at least 1, got 0" bench m.onnx --batch 0

# A default batch is said once, as a note; the dump shows every binding.
checks=$((checks + 1))
if ! "$kiln" dump m.onnx --dim height=64 --dim width=48 >dump.txt 2>err.txt; then
  fail "dump --dim: exit $?"; sed 's/^/  | /' err.txt
elif [ "$(cat err.txt)" != "note: m.onnx: input 'input' dimension 0 ('batch_size') bound to 1; use --batch or --input-shape" ]; then
  fail "dump --dim: expected one note on stderr"; sed 's/^/  | /' err.txt
elif ! grep -qxF "// input 'input' bound: f32[1,3,64,48] (batch_size=1 by default, height=64, width=48)" dump.txt; then
  fail "dump --dim: no binding line"; head -3 dump.txt | sed 's/^/  | /'
fi
# Bound by the flags: no note. The optimized graph is static: the
# Shape/Gather/Unsqueeze/Concat chain folded into the Reshape's shape.
checks=$((checks + 1))
if ! "$kiln" dump m.onnx --stage optimized --input-shape 3x3x64x96 >dump.txt 2>err.txt; then
  fail "dump --input-shape: exit $?"; sed 's/^/  | /' err.txt
elif [ -s err.txt ]; then
  fail "dump --input-shape: expected nothing on stderr"; sed 's/^/  | /' err.txt
elif ! grep -qxF "// input 'input' bound: f32[3,3,64,96] (batch_size=3, height=64, width=96)" dump.txt ||
     grep -qE '= (Shape|Gather|Unsqueeze|Concat)\(' dump.txt ||
     ! grep -qE '= Reshape\(.*shape=\[3,512\].* : f32\[3,512\]' dump.txt ||
     ! grep -qE '^ *%output = .* : f32\[3,1000\]' dump.txt; then
  fail "dump --input-shape: expected the binding, a static Reshape to [3,512] and output f32[3,1000]"
  grep -E 'bound|Reshape|Shape|Gather|%output' dump.txt | sed 's/^/  | /'
fi
# The header and NAME_info state the bound shapes.
checks=$((checks + 1))
if ! "$kiln" compile m.onnx "${out[@]}" -O0 --input-shape input=2x3x32x40 >/dev/null 2>err.txt; then
  fail "compile --input-shape: exit $?"; sed 's/^/  | /' err.txt
elif ! grep -qF ' *   input[0] "input" [2,3,32,40]: 7680 x float' m.h ||
     ! grep -qF ' *   output[0] "output" [2,1000]: 2000 x float' m.h ||
     ! grep -qF ' *   "input" f32[2,3,32,40] (batch_size=2, height=32, width=40)' m.h ||
     ! grep -qxF '#define m_INPUT0_DIM3 40' m.h; then
  fail "compile --input-shape: the header does not state the bound shapes"; sed -n '1,20p' m.h | sed 's/^/  | /'
fi
checks=$((checks + 1))
if ! "$kiln" run m.onnx --random-input 1 --dim batch_size=2 --dim height=32 --dim width=40 >run.txt 2>err.txt ||
   ! grep -q "^output 'output' f32\[2,1000\]" run.txt || [ -s err.txt ]; then
  fail "run --dim: expected output f32[2,1000] and a quiet stderr"; cat run.txt err.txt | sed 's/^/  | /'
fi

echo "$checks checks, $failures failures"
[ $failures -eq 0 ]
