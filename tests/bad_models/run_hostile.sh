#!/usr/bin/env bash
# The hostile-names model (quotes, backslashes, newlines, "*/", UTF-8, C
# keywords, a 5000-character name) must go through every output kiln makes:
#   - `kiln dump` in text, json and dot; the JSON parses (node's JSON.parse)
#     and holds every name exactly; the text keeps one line per node;
#   - when the CLI has `compile`: the header compiles as C99 with -Wall
#     -Werror, and a C program linked with the object runs; when it also has
#     `run`, its output matches `kiln run --reference`.
#
#   run_hostile.sh KILN GENERATOR WORKDIR [SANITIZED(0|1) [KILN_COMPARE]]
set -uo pipefail

kiln=$1 generator=$2 work=$3 sanitized=${4:-0} compare=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
model=$work/hostile.onnx
"$generator" --hostile "$model" || { echo "FAIL: generator failed"; exit 1; }

failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }

# compare_with_reference: `kiln run --reference` on the input the C program
# used must give its output, within kiln-compare's tolerance (tests/e2e).
compare_with_reference() {
  if [ -z "$compare" ] || [ ! -x "$compare" ]; then
    fail "kiln-compare is not built: compiled output cannot be compared with the reference"
    return
  fi
  rm -rf "$work/ref"
  if ! "$kiln" run "$model" --reference --input "in\"put'=$work/input.npy" \
      --output-dir "$work/ref" >"$work/run.out" 2>&1; then
    fail "kiln run --reference failed:"; head -c 600 "$work/run.out"; echo
    return
  fi
  local ref
  ref=$(find "$work/ref" -name '*.npy' | head -1)
  "$compare" "$ref" "$work/compiled.npy" || fail "compiled output differs from kiln run --reference"
}

for format in text json dot; do
  if ! "$kiln" dump --format "$format" "$model" -o "$work/hostile.$format" 2>"$work/dump.$format.err"; then
    fail "kiln dump --format $format exited non-zero:"
    head -c 600 "$work/dump.$format.err"; echo
  fi
done

# JSON: valid, and every hostile name survives exactly (as some string).
if command -v node >/dev/null; then
  node - "$work/hostile.json" <<'EOF' || fail "JSON dump is not valid or lost names (see above)"
const fs = require('fs');
let doc;
try {
  doc = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
} catch (e) {
  console.log('JSON.parse: ' + e.message);
  process.exit(1);
}
const strings = new Set();
(function walk(v) {
  if (typeof v === 'string') strings.add(v);
  else if (Array.isArray(v)) v.forEach(walk);
  else if (v && typeof v === 'object') Object.entries(v).forEach(([k, x]) => { strings.add(k); walk(x); });
})(doc);
let long = '';
for (let i = 0; long.length < 5000; ++i) long += 'long_' + i + '_';
long = long.slice(0, 5000);
const names = ['in"put\'', '*/ /* evil */ //', 'int', 'return', long,
  'back\\slash\\', 'new\nline\r\t', '\u00fcml\u00e4ut_\u5f20\u91cf_\u{1f525}', 'void',
  '{}[],:"\\u0000', 'struct', 'out"\n\\put */'];
// Conv/Relu/Gemm names are node names; Flatten may legitimately become a view.
const missing = names.filter(n => !strings.has(n));
if (missing.length) {
  console.log('names missing from the JSON dump: ' + JSON.stringify(missing.map(n => n.slice(0, 40))));
  process.exit(1);
}
EOF
else
  fail "node is not installed (scripts/setup.sh installs it)"
fi

# Text: a name's newline must not start a new line.
if grep -qaE '^(line|\\put)' "$work/hostile.text" 2>/dev/null; then
  fail "text dump has a raw newline from a name:"
  grep -naE '^(line|\\put)' "$work/hostile.text" | head -3
fi
# Dot: graphviz must accept it when it is installed. Either way, every quoted
# string must close on its line: a raw newline or an unescaped quote from a
# name would split or end it.
if command -v dot >/dev/null; then
  dot -Tsvg "$work/hostile.dot" -o /dev/null 2>"$work/dot.err" || { fail "dot rejects the dot dump:"; head -5 "$work/dot.err"; }
fi
if command -v node >/dev/null; then
  node - "$work/hostile.dot" <<'EOF2' || fail "dot dump has a broken quoted string (see above)"
const lines = require('fs').readFileSync(process.argv[2], 'utf8').split('\n');
let bad = 0;
lines.forEach((line, i) => {
  let quoted = false;
  for (let j = 0; j < line.length; ++j) {
    if (quoted && line[j] === '\\') { ++j; continue; }
    if (line[j] === '"') quoted = !quoted;
  }
  if (quoted) { console.log(`line ${i + 1}: unterminated string: ${line.slice(0, 80)}`); ++bad; }
});
const opens = (lines.join('\n').replace(/"(\\.|[^"\\])*"/g, '').match(/{/g) || []).length;
const closes = (lines.join('\n').replace(/"(\\.|[^"\\])*"/g, '').match(/}/g) || []).length;
if (opens !== closes) { console.log(`unbalanced braces outside strings: ${opens} { vs ${closes} }`); ++bad; }
process.exit(bad ? 1 : 0);
EOF2
fi

# Compiled code: only once `kiln compile` exists.
if "$kiln" --help 2>/dev/null | grep -qE '^\s+compile\s'; then
  cc=${CC:-cc}
  # An ASan-built runtime needs the sanitizer runtimes at link time.
  san=()
  [ "$sanitized" = 1 ] && san=(-fsanitize=address,undefined)
  if ! "$kiln" compile "$model" -o "$work/m.o" --header "$work/m.h" --name m 2>"$work/compile.err"; then
    fail "kiln compile failed:"; head -c 600 "$work/compile.err"; echo
  else
    rt=$(dirname "$kiln")/../lib
    inc=$here/../../runtime/include
    if ! "$cc" -std=c99 -Wall -Wextra -Werror -pedantic -I"$inc" -I"$work" -c \
        "$here/hostile_main.c" -o "$work/main.o" "${san[@]}" 2>"$work/cc.err"; then
      fail "the generated header does not compile as C99 -Wall -Werror:"; head -20 "$work/cc.err"
    elif ! "$cc" "${san[@]}" "$work/main.o" "$work/m.o" -L"$rt" -lkiln_rt -lpthread -lm -o "$work/hostile_main" \
        2>"$work/link.err"; then
      fail "linking the C program failed:"; head -20 "$work/link.err"
    elif ! "$work/hostile_main" "$work/input.npy" "$work/compiled.npy" >"$work/main.out" 2>&1; then
      fail "the C program failed:"; head -20 "$work/main.out"
    elif "$kiln" --help 2>/dev/null | grep -qE '^\s+run\s'; then
      compare_with_reference
    else
      fail "'kiln run' is missing from this build"
    fi
  fi
else
  fail "'kiln compile' is missing from this build"
fi

echo "hostile names: $failures failed"
[ "$failures" = 0 ]
