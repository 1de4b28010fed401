#!/usr/bin/env bash
# `kiln run --compare` (compiler/driver/Compare.h), on the zoo's ResNet-18:
#   - every layer of the optimized graph is listed in order and all are within
#     the tolerance (exit 0), the fused ones under their fused op;
#   - --compare-all-outputs DIR writes one .npy per layer for each side;
#   - with one conv's weights perturbed in the compiled code only
#     (--compare-perturb), exactly that layer is marked as the first past the
#     tolerance, every layer before it is within, and the exit code is 1.
#
#   compare-cli.sh KILN KILN_ZOO WORK_DIR
set -uo pipefail

kiln=$1 zoo=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cd "$work" || exit 1
"$zoo" resnet18 --size 64 -o m.onnx >/dev/null || { echo "FAIL: kiln-zoo resnet18"; exit 1; }

failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }
# The rows of the table: "#  layer  op  output  max|ref|  max-abs-err  rel-err [mark]".
rows() { grep -E '^ +[0-9]+  ' "$1"; }

# 1. Every layer within the tolerance.
rc=0
"$kiln" run m.onnx --random-input 1 --compare --compare-all-outputs layers >ok.txt 2>err.txt || rc=$?
[ $rc -eq 0 ] || { fail "--compare: exit $rc"; sed 's/^/  | /' ok.txt err.txt | tail -30; }
n=$(rows ok.txt | wc -l)
[ "$n" -ge 20 ] || fail "--compare: only $n layers listed"
grep -qx "$n layers, all within the tolerance" ok.txt || fail "--compare: no 'all within' summary"
rows ok.txt | grep -q 'Conv+Relu ' || fail "--compare: no fused Conv+Relu layer"
rows ok.txt | grep -q 'first past' && fail "--compare: a layer is marked on the unperturbed model"
# rows are numbered 1..n in order
[ "$(rows ok.txt | awk '{print $1}' | tr '\n' ' ')" = "$(seq 1 "$n" | tr '\n' ' ')" ] ||
  fail "--compare: rows are not numbered 1..$n"
for side in compiled reference; do
  files=$(find "layers/$side" -name '*.npy' | wc -l)
  [ "$files" -eq "$n" ] || fail "--compare-all-outputs: $files files in layers/$side, expected $n"
done
first=$(find layers/compiled -name '0001_*.npy' | head -1)
[ -n "$first" ] && head -c 6 "$first" | grep -q 'NUMPY' || fail "--compare-all-outputs: 0001_*.npy is not a .npy file"

# 2. A perturbed layer is the first marked one.
target=$(rows ok.txt | awk '$3 ~ /^Conv/ && $2 !~ /\.\.\.$/ {print $2}' | sed -n 8p)
index=$(rows ok.txt | awk -v t="$target" '$2 == t {print $1; exit}')
[ -n "$target" ] || { fail "no 8th Conv layer to perturb"; exit 1; }
rc=0
"$kiln" run m.onnx --random-input 1 --compare-perturb "$target" >bad.txt 2>err.txt || rc=$?
[ $rc -eq 1 ] || { fail "--compare-perturb $target: exit $rc, expected 1"; sed 's/^/  | /' err.txt; }
marked=$(rows bad.txt | grep -c 'first past the tolerance')
[ "$marked" -eq 1 ] || fail "--compare-perturb: $marked layers marked first, expected 1"
got=$(rows bad.txt | awk '/first past the tolerance/ {print $1 " " $2}')
[ "$got" = "$index $target" ] ||
  { fail "--compare-perturb $target (#$index): the first marked layer is '$got'"; rows bad.txt | sed -n "1,$((index + 2))p"; }
grep -qE "layers, [0-9]+ past the tolerance; the first: #$index '$target'" bad.txt ||
  fail "--compare-perturb: the summary does not name #$index '$target'"

# 3. A node that does not exist is an error naming it.
rc=0
"$kiln" run m.onnx --random-input 1 --compare-perturb no.such.node >/dev/null 2>err.txt || rc=$?
[ $rc -eq 1 ] && grep -qF "no node 'no.such.node' in the optimized graph" err.txt ||
  { fail "--compare-perturb no.such.node: exit $rc"; sed 's/^/  | /' err.txt; }

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "compare: all passed ($n layers; perturbed #$index '$target' marked first)"
