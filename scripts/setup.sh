#!/usr/bin/env bash
# Installs the Debian 12 packages optconv needs to build and test.
# Idempotent: when every package is already installed it touches nothing
# (no apt-get update), so repeated runs take well under a second.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config
  libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler
  libonnx-dev libabsl-dev libcli11-dev libspdlog-dev libgtest-dev
  libsnappy-dev  # TF checkpoint indexes may hold snappy-compressed blocks
  # tests: the venv, the torch exporter for generated models, ONNX's own cases
  python3 python3-venv python3-numpy
  python3-torch python3-torchvision python3-onnx python3-pil
  libonnx-testdata
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#PACKAGES[@]} Debian packages already installed"
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "setup: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
  SUDO=(sudo)
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
echo "setup: done"
