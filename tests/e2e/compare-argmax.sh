#!/usr/bin/env bash
# kiln-compare --argmax-axis: two [1, 2, 1, 2] score maps (2 classes, 2
# pixels) within the value tolerance whose argmax differs at one pixel pass
# without the flag (rank 4 has no top-1) and fail with --argmax-axis 1,
# naming that pixel; equal maps pass with it.
#
#   compare-argmax.sh KILN-COMPARE WORK-DIR
set -euo pipefail
compare=$(realpath "$1") work=$2
mkdir -p "$work"
cd "$work"

# A version 1 .npy of shape (1, 2, 1, 2), '<f4', from 4 little-endian floats
# given as \x escapes.
npy() { # FILE DATA
  local header="{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 1, 2), }"
  # 10 bytes of preamble, then the header padded with spaces and ended by
  # '\n' to 118 bytes (0x76): 128 in all, a multiple of 64.
  printf '\x93NUMPY\x01\x00\x76\x00%-117s\n' "$header" >"$1"
  printf "$2" >>"$1"
}
# class 0: [1.0, 0.0]; class 1: [0.99999, 1.0]  -> argmax per pixel: 0, 1
npy ref.npy '\x00\x00\x80\x3f\x00\x00\x00\x00\x58\xff\x7f\x3f\x00\x00\x80\x3f'
# class 1 at pixel 0 becomes 1.00001 (|diff| 2e-5 <= 1e-4) -> argmax 1, 1
npy near.npy '\x00\x00\x80\x3f\x00\x00\x00\x00\x54\x00\x80\x3f\x00\x00\x80\x3f'

fail() { echo "FAIL: $*" >&2; exit 1; }
"$compare" ref.npy near.npy >plain.log || fail "without --argmax-axis the maps must pass: $(cat plain.log)"
"$compare" --argmax-axis 1 ref.npy ref.npy >same.log || fail "equal maps must pass: $(cat same.log)"
rc=0
"$compare" --argmax-axis 1 ref.npy near.npy >flip.log || rc=$?
[ $rc = 1 ] || fail "a flipped pixel must fail with exit 1, got $rc: $(cat flip.log)"
grep -q "position 0 .*argmax reference 0 .*candidate 1 .*MISMATCH" flip.log ||
  fail "the flipped pixel is not named: $(cat flip.log)"
grep -q "1 of 2 positions differ" flip.log || fail "the count is wrong: $(cat flip.log)"
rc=0
"$compare" --argmax-axis 4 ref.npy ref.npy >rank.log || rc=$?
[ $rc = 1 ] || fail "an axis past the rank must fail, got $rc: $(cat rank.log)"
cat flip.log
echo "OK"
