#!/usr/bin/env bash
# `kiln compile` with nothing but a model, and kiln's version:
#   - MODEL's stem .o and .h land in the current directory, the symbols named
#     after the file made a C identifier; --name, -o and --header override,
#     the header follows -o; -o /dev/null writes no header;
#   - every usage error of a command line is reported at once, then exit 1;
#   - `kiln --version` and `kiln version` name kiln, the git revision the
#     build was configured from, LLVM and the host target; the header names
#     them too, and the object stays byte-identical across compiles.
#
#   compile-defaults-cli.sh KILN KILN_ZOO SOURCE_DIR WORK_DIR
set -uo pipefail

kiln=$1 zoo=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work/models" "$work/run"
cd "$work/run" || exit 1
"$zoo" resnet18 --size 32 -o ../models/my-net.v2.onnx >/dev/null &&
  cp ../models/my-net.v2.onnx ../models/3d.onnx || { echo "FAIL: kiln-zoo resnet18"; exit 1; }

failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }
expect_file() { [ -s "$1" ] || fail "$2: $1 was not written"; }

# 1. Defaults: like cc, in the current directory.
if ! "$kiln" compile ../models/my-net.v2.onnx --batch 1 -O0 2>err.txt; then
  fail "kiln compile MODEL: exit $?"; sed 's/^/  | /' err.txt
fi
expect_file my-net.v2.o "kiln compile MODEL"
expect_file my-net.v2.h "kiln compile MODEL"
grep -q 'my_net_v2_run(' my-net.v2.h || fail "the header does not declare my_net_v2_run"
# (nm into a file: under pipefail, grep -q closing the pipe early fails nm)
nm my-net.v2.o >syms.txt
grep -q ' T my_net_v2_run$' syms.txt || fail "the object does not define my_net_v2_run"
[ -s err.txt ] && { fail "kiln compile MODEL printed to stderr without a terminal:"; sed 's/^/  | /' err.txt; }
"$kiln" compile ../models/3d.onnx --batch 1 -O0 || fail "kiln compile 3d.onnx: exit $?"
grep -q 'model_3d_run(' 3d.h || fail "3d.onnx: the symbols are not prefixed model_3d"

# 2. Overrides: --name; -o with the header derived from it; --header.
mkdir -p out
"$kiln" compile ../models/my-net.v2.onnx --batch 1 -O0 -o out/net.o --name net || fail "-o out/net.o: exit $?"
expect_file out/net.o "-o out/net.o"
expect_file out/net.h "-o out/net.o (header derived from -o)"
grep -q 'net_run(' out/net.h || fail "--name net: no net_run in the header"
"$kiln" compile ../models/my-net.v2.onnx --batch 1 -O0 -o out/a.o --header out/b.h || fail "--header: exit $?"
expect_file out/b.h "--header out/b.h"
[ -e out/a.h ] && fail "--header out/b.h: out/a.h was written too"

# 3. Every usage error at once, then exit 1 (the model is never read).
rc=0
"$kiln" compile --name 1bad --emit exe --dim height --batch 0 --bogus -o 2>err.txt >/dev/null || rc=$?
[ $rc -eq 1 ] || fail "usage errors: exit $rc, expected 1"
for needle in "--name '1bad' is not a C identifier" "bad --emit 'exe'" \
              "--dim 'height': expected SYMBOL=VALUE" "--batch must be at least 1" \
              "unknown option '--bogus'" "option '-o' needs a value" "missing MODEL"; do
  grep -qF -- "error: kiln compile: $needle" err.txt || fail "usage errors: no line with: $needle"
done
[ "$(grep -c '^error: ' err.txt)" -eq 7 ] || { fail "usage errors: expected 7 error lines"; sed 's/^/  | /' err.txt; }
rc=0
"$kiln" run --random-input -2 --compare --reference --bogus 2>err.txt >/dev/null || rc=$?
[ $rc -eq 1 ] && [ "$(grep -c '^error: kiln run: ' err.txt)" -eq 4 ] ||
  { fail "kiln run: expected exit 1 and 4 usage errors"; sed 's/^/  | /' err.txt; }

# 4. The version: kiln, the revision the build was configured from, LLVM, the host.
rev=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
for cmd in --version version; do
  if ! "$kiln" $cmd >ver.txt 2>err.txt; then fail "kiln $cmd: exit $?"; continue; fi
  grep -qE '^kiln [0-9]+\.[0-9]+\.[0-9]+$' ver.txt || fail "kiln $cmd: no 'kiln X.Y.Z' line"
  grep -qE "^revision: ${rev}(-dirty)?$" ver.txt || { fail "kiln $cmd: revision is not $rev"; cat ver.txt; }
  grep -qE '^LLVM: 16\.' ver.txt || fail "kiln $cmd: no 'LLVM: 16.x' line"
  grep -qE "^host: $(uname -m)-.* cpu=.* lanes=(4|8|16)" ver.txt || { fail "kiln $cmd: no host line"; cat ver.txt; }
done
# Outside a git checkout the revision is "unknown" (cmake/KilnRevision.cmake).
mkdir -p nogit
GIT_CEILING_DIRECTORIES="$work" cmake -DSRC="$work/run/nogit" -DOUT="$work/run/nogit/rev.h" \
  -P "$src/cmake/KilnRevision.cmake" && grep -qx '#define KILN_GIT_REVISION "unknown"' nogit/rev.h ||
  fail "KilnRevision.cmake outside git: the revision is not \"unknown\""
version=$(sed -n 's/^kiln //p' ver.txt)
grep -qF " * Made by: kiln $version (git $rev" my-net.v2.h && grep -q ', LLVM 16\.' my-net.v2.h ||
  { fail "the header does not name kiln $version, git $rev and LLVM"; sed -n '1,6p' my-net.v2.h; }

# 5. Reproducible: the same model and flags give the same bytes.
"$kiln" compile ../models/my-net.v2.onnx --batch 1 -O0 -o again.o --header again.h --name my_net_v2 ||
  fail "second compile: exit $?"
cmp -s my-net.v2.o again.o || fail "two compiles of one model differ (my-net.v2.o, again.o)"
cmp -s my-net.v2.h again.h || fail "two compiles of one model give different headers"

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "compile defaults, usage errors, version: all passed"
