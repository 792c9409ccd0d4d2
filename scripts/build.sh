#!/usr/bin/env bash
# Configures and builds optconv (CLI and unit tests) into build/.
# BUILD_TYPE (default Release) and BUILD_DIR (default build) may be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
BUILD_TYPE=${BUILD_TYPE:-Release}
JOBS=${JOBS:-$(nproc)}

if [[ ! -f "$BUILD_DIR/build.ninja" ]] ||
   ! grep -q "CMAKE_BUILD_TYPE:STRING=$BUILD_TYPE\$" "$BUILD_DIR/CMakeCache.txt" 2>/dev/null; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="$BUILD_TYPE" >/dev/null
fi
# Progress lines only on a terminal; CI logs get warnings and errors only.
NINJA_FLAGS=()
[[ -t 1 ]] || NINJA_FLAGS=(--quiet)
ninja -C "$BUILD_DIR" -j "$JOBS" "${NINJA_FLAGS[@]}"
echo "build: $BUILD_DIR/cli/optconv"
