#!/usr/bin/env bash
# Sets up and builds kiln, then does its main job on a built-in model: the
# build generates ResNet-50 with the model zoo, compiles it with
# `kiln compile` to an object and a header, and links it into the classify
# sample (samples/classify). This script shows what the compiler did to the
# graph and runs the linked application.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
model=build/samples/classify/resnet50.onnx
echo
echo "== kiln dump --stage optimized $model (first lines)"
build/bin/kiln dump "$model" --stage optimized -o build/quickstart-resnet50.txt
head -12 build/quickstart-resnet50.txt
echo
echo "== build/bin/classify-resnet50 -t 2 -n 20   (the app linking kiln_models/resnet50.o)"
build/bin/classify-resnet50 -t 2 -n 20
