#!/usr/bin/env bash
# One torchvision family as users bring it: exported by PyTorch's own
# exporter (export.py, seeded random weights), compiled by kiln, linked into
# a C program and compared with ONNX Runtime (tests/compiled/compiled-model.sh
# does those steps):
#
#   torchvision-model.sh --python PY --export export.py --cache DIR
#                        --opset N --size S MODEL -- COMPILED-MODEL-ARGS...
#
#   MODEL   a torchvision builder name (resnet18) or segmentation:NAME
#   --cache DIR   where exports are kept: DIR/NAME-opN-S.onnx, with a .key
#                 file naming what made it (export.py's hash, the arguments,
#                 the torch and torchvision versions). An export whose key
#                 matches is reused, so re-runs skip the exporter; anything
#                 else re-exports. Delete DIR to force it.
#
# Everything after -- goes to compiled-model.sh, with --model-file FILE --size S
# --batch 1 --tag opN added (its work directory: NAME-opN). A missing PyTorch or torchvision is a failure with a
# message, never a skip.
set -euo pipefail

python='' export_py='' cache='' opset='' size='' model=''
while [ $# -gt 0 ]; do
  case $1 in
    --python) python=$2; shift 2 ;;
    --export) export_py=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --opset) opset=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --) shift; break ;;
    -*) echo "error: $0: unknown option '$1'" >&2; exit 2 ;;
    *) model=$1; shift ;;
  esac
done
for v in python export_py cache opset size model; do
  if [ -z "${!v}" ]; then
    echo "error: $0: missing ${v} (see the comment at the top)" >&2
    exit 2
  fi
done
compiled_model=$(dirname "$0")/../compiled/compiled-model.sh

# Versions without importing torch (that alone takes seconds).
if ! versions=$("$python" -c 'import importlib.metadata as m
print("torch", m.version("torch"), "torchvision", m.version("torchvision"))' 2>&1); then
  echo "error: $0: $python has no PyTorch or no torchvision, which export the models under" \
    "test (Debian: python3-torch python3-torchvision python3-onnx python3-numpy; scripts/setup.sh" \
    "installs them): $(echo "$versions" | tail -1)" >&2
  exit 1
fi

name=${model#segmentation:}
file=$cache/$name-op$opset-$size.onnx
key="$(sha256sum "$export_py" | cut -d' ' -f1) $model --opset $opset --size $size,$size --batch 1 --seed 0 $versions"
mkdir -p "$cache"
if [ -f "$file" ] && [ "$(cat "$file.key" 2>/dev/null)" = "$key" ]; then
  echo "export    cached: $file"
else
  rm -f "$file" "$file.key"
  t0=$(date +%s%N)
  # Under a temporary name, renamed when complete: an interrupted export
  # leaves no file a later run would take for a finished one.
  if ! "$python" "$export_py" "$model" "$file.tmp" --opset "$opset" --size "$size,$size" \
      --batch 1 --seed 0 >"$file.log" 2>&1; then
    echo "error: $0: the export of $model (opset $opset, ${size}x$size) failed:" >&2
    sed 's/^/  | /' "$file.log" >&2
    rm -f "$file.tmp"
    exit 1
  fi
  mv "$file.tmp" "$file"
  echo "$key" >"$file.key"
  ms=$((($(date +%s%N) - t0) / 1000000))
  # CPU seconds of the children (the exporter): comparable on a shared machine.
  # (`times` in this shell: in $(...) it would see no children.)
  times >"$file.times"
  cpu=$(awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%.1f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$file.times")
  rm -f "$file.times"
  printf "export    %4d.%03d s  (cpu %s s; %s, opset %s, %sx%s, %s)\n" $((ms / 1000)) $((ms % 1000)) \
    "$cpu" "$model" "$opset" "$size" "$size" "$versions"
fi

exec bash "$compiled_model" "$@" --model-file "$file" --size "$size" --batch 1 --tag "op$opset" "$name"
