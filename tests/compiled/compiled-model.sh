#!/usr/bin/env bash
# One zoo model compiled by kiln, linked into a C program, run, and compared
# with ONNX Runtime on the same input:
#
#   compiled-model.sh [options] MODEL
#
#   1. kiln-zoo MODEL --batch B            the model (fixed batch B; with
#                                          --symbolic, the exporter's symbolic
#                                          batch, resolved by kiln compile);
#                                          or --model-file FILE
#   2. kiln compile [--batch B] FLAGS      NAME.o + NAME.h
#   3. cc -std=c99 model_main.c NAME.o libkiln_rt.a -lpthread -lm
#   4. the input: kiln-make-input's .npy (default), or with --random-input
#      each side generates it from the seed (checks the three generators
#      agree)
#   5. the program, on a kiln_pool of THREADS threads, run three times:
#      outputs must be bit-identical (--check-repeat)
#   6. node run.js                         ONNX Runtime's output
#   7. kiln-compare                        max|diff| <= 1e-4 max|ref|, top-1
#                                          (--compare-flags: e.g. per-pixel
#                                          argmax, --argmax-axis 1)
#
# Options (all but --flags, --zoo-flags, --model-file, --threads, --symbolic,
# --random-input and --compare-flags required):
#   --bin DIR        kiln, kiln-zoo, kiln-make-input, kiln-compare
#   --rt LIB         libkiln_rt.a            --include DIR  runtime/include
#   --harness FILE   model_main.c            --run-js FILE  tools/ort/run.js
#   --cc CC          the C compiler          --work DIR     scratch (DIR/MODEL-bB)
#   --batch B        --size S or H,W (input S x S or H x W)
#   --input NAME     --output NAME[,NAME...] (the outputs compared)
#   --flags "..."    more kiln compile flags (e.g. --target/--cpu, --input-shape)
#   --zoo-flags "..." more kiln-zoo flags (e.g. --dynamic)
#   --model-file F   this ONNX file instead of one kiln-zoo writes
#   --threads T      kiln's pool (default 2)
#   --tag TAG        names the work directory MODEL-TAG instead of MODEL-bB
#   --compare-flags "..."  more kiln-compare flags
#
# Prints the time of every step. Anything missing (node, onnxruntime-node, a
# tool) is a failure with a message, never a skip. A failed run keeps its
# work directory; a passing one deletes the large files.
set -euo pipefail

bin='' rt='' include='' harness='' runjs='' cc='' work='' batch='' size=''
input='' output='' flags='' threads=2 symbolic=0 random=0 tag='' model='' zoo_flags='' model_file=''
compare_flags=''
while [ $# -gt 0 ]; do
  case $1 in
    --bin) bin=$2; shift 2 ;;
    --rt) rt=$2; shift 2 ;;
    --include) include=$2; shift 2 ;;
    --harness) harness=$2; shift 2 ;;
    --run-js) runjs=$2; shift 2 ;;
    --cc) cc=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --input) input=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --flags) flags=$2; shift 2 ;;
    --zoo-flags) zoo_flags=$2; shift 2 ;;
    --model-file)
      if [ ! -f "$2" ]; then
        echo "error: $0: the model file '$2' does not exist" >&2
        exit 1
      fi
      model_file=$(realpath "$2"); shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --compare-flags) compare_flags=$2; shift 2 ;;
    --symbolic) symbolic=1; shift ;;
    --random-input) random=1; shift ;;
    -*) echo "error: $0: unknown option '$1'" >&2; exit 2 ;;
    *) model=$1; shift ;;
  esac
done
for v in model bin rt include harness runjs cc work batch size input output; do
  if [ -z "${!v}" ]; then
    echo "error: $0: missing ${v} (see the comment at the top)" >&2
    exit 2
  fi
done

tools=(kiln kiln-make-input kiln-compare)
if [ -z "$model_file" ]; then
  tools+=(kiln-zoo)
fi
for tool in "${tools[@]}"; do
  if [ ! -x "$bin/$tool" ]; then
    echo "error: $bin/$tool is not built (build the kiln, kiln-zoo, kiln-make-input, kiln-compare and kiln_rt targets)" >&2
    exit 1
  fi
done
if [ ! -f "$rt" ]; then
  echo "error: $rt is not built (build the kiln_rt target)" >&2
  exit 1
fi
if ! command -v node >/dev/null; then
  echo "error: node is not installed: ONNX Runtime, the oracle, runs on Node.js (scripts/setup.sh installs it)" >&2
  exit 1
fi
if [ ! -d "$(dirname "$runjs")/node_modules/onnxruntime-node" ]; then
  echo "error: onnxruntime-node is missing: run \`cd $(dirname "$runjs") && npm install --ignore-scripts\`" >&2
  exit 1
fi

# Absolute paths: the steps run inside the work directory.
bin=$(realpath "$bin") rt=$(realpath "$rt") include=$(realpath "$include")
harness=$(realpath "$harness") runjs=$(realpath "$runjs")
work=$work/$model-${tag:-b$batch}
name=$(echo "$model" | tr -c 'A-Za-z0-9\n' '_')
rm -rf "$work"
mkdir -p "$work"
cd "$work"

now() { date +%s%N; }
# CPU seconds (user + system) used by finished children so far: the machine
# is shared, so this is the figure comparable between runs.
cpu() { # sets CPU; must run in this shell, not in $(...)
  times >.times
  CPU=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' .times)
}
start=$(now)
step() { # NAME COMMAND...: runs COMMAND, logging to NAME.log; prints the time
  local step=$1 t0 t1 c0 c1 rc=0
  shift
  t0=$(now)
  cpu
  c0=$CPU
  "$@" >"$step.log" 2>&1 || rc=$?
  t1=$(now)
  cpu
  c1=$CPU
  local ms=$(((t1 - t0) / 1000000))
  printf "%-9s %4d.%03d s  (cpu %.1f s)\n" "$step" $((ms / 1000)) $((ms % 1000)) "$(awk -v a="$c1" -v b="$c0" 'BEGIN { print a - b }')"
  if [ $rc -ne 0 ]; then
    echo "error: $step failed (exit $rc): $*" >&2
    sed 's/^/  | /' "$step.log" >&2
    exit 1
  fi
}

zoo_batch=(--batch "$batch") compile_batch=()
if [ $symbolic = 1 ]; then
  zoo_batch=() compile_batch=(--batch "$batch")
fi
if [ -n "$model_file" ]; then
  step generate cp "$model_file" model.onnx
else
  # shellcheck disable=SC2086 # $zoo_flags is a list of words
  step generate "$bin/kiln-zoo" "$model" "${zoo_batch[@]}" $zoo_flags -o model.onnx
fi
# shellcheck disable=SC2086 # $flags is a list of words
step compile "$bin/kiln" compile model.onnx -o "$name.o" --header "$name.h" --name "$name" \
  "${compile_batch[@]}" $flags
step link "$cc" -std=c99 -O2 -Wall -Wextra -Werror "-DKILN_MODEL=$name" -I. "-I$include" \
  "$harness" "$name.o" "$rt" -lpthread -lm -o "$name-run"
if [ $random = 1 ]; then
  kiln_input=(--random-input 1) ort_input=(--random-input 1 --batch "$batch")
else
  hw=$size,$size
  [[ $size == *,* ]] && hw=$size
  step input "$bin/kiln-make-input" --shape "$batch,3,$hw" --seed 1 -o input.npy
  kiln_input=(--input "$input=input.npy") ort_input=(--input "$input=input.npy")
fi
step kiln "./$name-run" "${kiln_input[@]}" --output-dir kiln -t "$threads" --check-repeat
step ort node "$runjs" model.onnx "${ort_input[@]}" --output-dir ort --threads 1
sed 's/^/  generate: /' generate.log
sed 's/^/  kiln: /' kiln.log
IFS=, read -r -a outputs <<<"$output"
for o in "${outputs[@]}"; do
  echo "compare ort/$o.npy kiln/$o.npy:"
  # shellcheck disable=SC2086 # $compare_flags is a list of words
  "$bin/kiln-compare" $compare_flags "ort/$o.npy" "kiln/$o.npy"
done
rm -f model.onnx "$name.o" "$name-run" input.npy .times
ms=$((($(now) - start) / 1000000))
cpu
printf "total     %4d.%03d s  (cpu %.1f s)\n" $((ms / 1000)) $((ms % 1000)) "$CPU"
