#!/usr/bin/env bash
# Installs what kiln needs on Debian bookworm, and nothing when it is all there.
#   Debian packages: LLVM 16, clang 16, ONNX (+ its test data), protobuf, fmt, doctest, ...;
#     for the tests only, PyTorch, torchvision, ONNX and NumPy for Debian's python3
#     (tests/torchvision exports the torchvision models with PyTorch's exporter;
#     kiln itself needs no Python)
#   npm: onnxruntime-node (the test oracle), into tools/ort/node_modules.
# Runs apt-get as root, or through sudo.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake ninja-build git ca-certificates pkg-config
  llvm-16-dev clang-16 lld-16 libclang-rt-16-dev libzstd-dev zlib1g-dev libedit-dev libxml2-dev libffi-dev libtinfo-dev
  libonnx-dev libonnx-testdata libprotobuf-dev protobuf-compiler
  libfmt-dev doctest-dev
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user
  python3-torch python3-torchvision python3-onnx python3-numpy
)

# Node.js and npm run the ONNX Runtime oracle. Take Debian's only when the
# machine has none: a Node.js from elsewhere (NodeSource's bundles npm) conflicts
# with Debian's npm package, and apt then refuses the whole install.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ONNX Runtime, the oracle the tests compare with. --ignore-scripts: its
# install script tries to download a binary; the npm package already has one.
if [ ! -f tools/ort/node_modules/onnxruntime-node/package.json ]; then
  echo "setup: installing onnxruntime-node (npm)"
  (cd tools/ort && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
fi
