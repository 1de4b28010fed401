#!/usr/bin/env bash
# Configures and builds kiln into build/ (bin/kiln, lib/libkiln_rt.a, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${KILN_BUILD_DIR:-build}
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${KILN_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
fi
cmake --build "$build" -j"$(nproc)"
