#!/usr/bin/env bash
# Progress on a terminal, nothing elsewhere (tools/kiln/Progress.h):
#   - `kiln compile` on a terminal shows its stages on one line rewritten
#     with \r and clears it at the end; with stderr a file, stderr is empty;
#   - `kiln conformance` on a terminal shows a running count [k/n].
# The terminal is a pseudo-terminal from script(1).
#
#   progress-cli.sh KILN KILN_ZOO NODE_SUITE_DIR WORK_DIR
set -uo pipefail

kiln=$1 zoo=$2 suite=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
cd "$work" || exit 1
"$zoo" resnet18 --size 32 -o m.onnx >/dev/null || { echo "FAIL: kiln-zoo resnet18"; exit 1; }
command -v script >/dev/null || { echo "FAIL: script(1) (util-linux) is missing"; exit 1; }

failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }
clear=$'\r\033[K'

# On a terminal: the stages, each on the one line, and the line cleared last.
TERM=xterm script -qefc "'$kiln' compile m.onnx --batch 1 -O0 -o tty.o" /dev/null >tty.txt 2>&1 ||
  fail "kiln compile on a terminal: exit $?"
for stage in import "optimize graph" lower "generate LLVM IR" "machine code"; do
  grep -qF "${clear}${stage}" tty.txt || fail "kiln compile on a terminal: stage '$stage' not shown"
done
grep -qE 'generate LLVM IR: layers [0-9]+ of [0-9]+' tty.txt ||
  fail "kiln compile on a terminal: no 'layers i of n' step"
[ "$(tail -c 4 tty.txt | od -An -c | tr -d ' ')" = '\r033[K' ] ||
  { fail "kiln compile on a terminal: the progress line is not cleared at the end"; tail -c 80 tty.txt | od -c | tail -5; }
[ -s tty.o ] || fail "kiln compile on a terminal: no object"

# Not a terminal: nothing at all on stderr.
"$kiln" compile m.onnx --batch 1 -O0 -o file.o 2>err.txt || fail "kiln compile: exit $?"
[ -s err.txt ] && { fail "kiln compile, stderr a file: it is not empty"; od -c err.txt | head -5; }
TERM=dumb script -qefc "'$kiln' compile m.onnx --batch 1 -O0 -o dumb.o" /dev/null >dumb.txt 2>&1
grep -qF "$clear" dumb.txt && fail "kiln compile with TERM=dumb drew a progress line"

# kiln conformance: a running count on a terminal, none in its stdout file.
TERM=xterm script -qefc "'$kiln' conformance '$suite/test_relu' '$suite/test_add' >conf.out" \
  /dev/null >conf-tty.txt 2>&1 || fail "kiln conformance on a terminal: exit $?"
grep -qF "${clear}[1/2] 0 passed, 0 failed, 0 unsupported: test_relu" conf-tty.txt &&
  grep -qF "${clear}[2/2] 1 passed, 0 failed, 0 unsupported: test_add" conf-tty.txt ||
  { fail "kiln conformance on a terminal: no running count"; od -c conf-tty.txt | head; }
grep -qF "$clear" conf.out && fail "kiln conformance: progress went to stdout"
grep -qx '2 passed, 0 failed, 0 unsupported' conf.out || fail "kiln conformance: wrong summary"

if [ $failures -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "progress: all passed"
