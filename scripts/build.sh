#!/usr/bin/env bash
# Configures and builds kiln into build/ (bin/kiln, lib/libkiln_rt.a, ...).
# KILN_WERROR=ON|OFF in the environment (CI: .ci/run) sets CMake's
# KILN_WERROR, also in an already configured build/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${KILN_BUILD_DIR:-build}
werror=()
if [ -n "${KILN_WERROR:-}" ]; then
  werror=(-DKILN_WERROR="$KILN_WERROR")
fi
if [ ! -f "$build/build.ninja" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=${KILN_BUILD_TYPE:-RelWithDebInfo} \
    "${werror[@]}" "$@" >/dev/null
elif [ ${#werror[@]} -gt 0 ]; then
  cmake "$build" "${werror[@]}" >/dev/null
fi
cmake --build "$build" -j"$(nproc)"
