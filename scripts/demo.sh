#!/usr/bin/env bash
# Fresh Debian 12 machine to a converted model: installs the Debian packages,
# builds optconv and converts the bundled example (examples/tiny_cnn.onnx, made
# by tests/models/make_example.py) to build/demo/tiny_cnn.tflite.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
scripts/build.sh
mkdir -p build/demo
build/cli/optconv convert examples/tiny_cnn.onnx -o build/demo/tiny_cnn.tflite
build/cli/optconv inspect build/demo/tiny_cnn.tflite
