#!/usr/bin/env bash
# Sets up and builds kiln, then does its main job on a built-in model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
mkdir -p build/quickstart
build/bin/kiln-zoo resnet50 -o build/quickstart/resnet50.onnx
build/bin/kiln dump build/quickstart/resnet50.onnx | head -20
