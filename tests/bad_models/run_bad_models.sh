#!/usr/bin/env bash
# Runs every case of the bad-model corpus through `kiln dump` and, when the CLI
# has it, `kiln compile`, and checks the contract of expectations.tsv:
#   - exit code exactly 1 (not 0, not a signal, not a timeout);
#   - stderr has a line starting with "error: " that contains every needle
#     (case-insensitive; "a|b" accepts either), at most 1000 bytes long;
#   - "oneline" cases print exactly one line on stderr;
#   - done within 20 s and within a 4 GB address space.
# The valid controls (valid_*.onnx) must import, so that a case fails for its
# defect and not for what it shares with them.
#
#   run_bad_models.sh KILN GENERATOR WORKDIR [SANITIZED(0|1)]
set -uo pipefail

kiln=$1 generator=$2 work=$3 sanitized=${4:-0}
corpus=$work/corpus out=$work/out
rm -rf "$work" && mkdir -p "$corpus" "$out"
"$generator" --bad "$corpus" >/dev/null || { echo "FAIL: generator failed"; exit 1; }

# Memory bound: ulimit -v for normal builds; ASan reserves terabytes of
# address space, so sanitized builds bound their heap through ASan instead.
if [ "$sanitized" = 1 ]; then
  export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=4096:malloc_limit_mb=4096:detect_leaks=1"
  limit=""
else
  limit="ulimit -v 4194304;"
fi

commands=(dump)
if "$kiln" --help 2>/dev/null | grep -qE '^\s+compile\s'; then
  commands+=(compile)
else
  echo "FAIL: 'kiln compile' is missing from this build"; exit 1
fi

# run_kiln COMMAND MODEL ERRFILE: runs kiln bounded in time and memory, prints rc.
run_kiln() {
  local cmd=$1 model=$2 err=$3 base
  base=$out/$(basename "$model" .onnx).$cmd
  local args=("$cmd" "$model")
  [ "$cmd" = compile ] && args+=(-o "$base.o" --header "$base.h" --name m)
  [ "$cmd" = dump ] && args+=(-o "$base.txt")
  bash -c "$limit exec timeout -s KILL 20 \"\$0\" \"\$@\"" "$kiln" "${args[@]}" \
    </dev/null >/dev/null 2>"$err"
  echo $?
}

failures=0 cases=0 checks=0
fail() { # CASE COMMAND WHY ERRFILE
  failures=$((failures + 1))
  echo "FAIL: $1 [$2]: $3"
  head -c 600 "$4" | sed 's/^/      | /'
  echo
}

for control in "$corpus"/valid_*.onnx; do
  # The deep chain (50k nodes) and the wide concat (100k operands) check
  # that nothing recurses per node and that compile work stays near-linear:
  # each compiles within the same 20 s as every case.
  control_commands=("${commands[@]}")
  for cmd in "${control_commands[@]}"; do
    err=$out/$(basename "$control" .onnx).$cmd.err
    rc=$(run_kiln "$cmd" "$control" "$err")
    checks=$((checks + 1))
    if [ "$rc" != 0 ]; then
      fail "$(basename "$control" .onnx)" "$cmd" "valid control exited $rc, expected 0" "$err"
    fi
  done
done

while IFS=$'\t' read -r -a fields; do
  name=${fields[0]} flags=${fields[1]}
  needles=("${fields[@]:2}")
  cases=$((cases + 1))
  for cmd in "${commands[@]}"; do
    checks=$((checks + 1))
    err=$out/$name.$cmd.err
    rc=$(run_kiln "$cmd" "$corpus/$name.onnx" "$err")
    if [ "$rc" != 1 ]; then
      why="exit code $rc, expected 1"
      [ "$rc" = 137 ] && why="killed (timeout after 20 s or signal 9)"
      [ "$rc" -gt 128 ] && [ "$rc" != 137 ] && why="killed by signal $((rc - 128))"
      fail "$name" "$cmd" "$why" "$err"
      continue
    fi
    line=$(grep -m1 -a '^error: ' "$err")
    if [ -z "$line" ]; then
      fail "$name" "$cmd" "no line starting with 'error: ' on stderr" "$err"
      continue
    fi
    # The needles are matched against the message alone: the file name holds
    # the case name, which would match anything.
    prefix="error: $corpus/$name.onnx: "
    if [ "${line#"$prefix"}" = "$line" ]; then
      fail "$name" "$cmd" "error line does not start with '$prefix'" "$err"
      continue
    fi
    line=${line#"$prefix"}
    if [ "${#line}" -gt 1000 ]; then
      fail "$name" "$cmd" "error line is ${#line} bytes long (max 1000)" "$err"
      continue
    fi
    if [ "$flags" = oneline ] && [ "$(wc -l <"$err")" != 1 ]; then
      fail "$name" "$cmd" "stderr has $(wc -l <"$err") lines, expected exactly one" "$err"
      continue
    fi
    missing=()
    for needle in "${needles[@]}"; do
      found=0
      IFS='|' read -r -a alternatives <<<"$needle"
      for alt in "${alternatives[@]}"; do
        if grep -qiF -- "$alt" <<<"$line"; then found=1; break; fi
      done
      [ $found = 1 ] || missing+=("'$needle'")
    done
    if ((${#missing[@]})); then
      fail "$name" "$cmd" "error line lacks ${missing[*]}" "$err"
      continue
    fi
  done
done <"$corpus/expectations.tsv"

echo "bad models: $cases cases, $checks checks (${commands[*]}), $failures failed"
[ "$failures" = 0 ]
