#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs the Debian
# packages, builds, creates the pinned test venv, then runs the GoogleTest
# unit tests (ctest), the conformance suite (pytest) against the real
# runtimes, and the quick benchmark against the peers. Extra arguments go to
# pytest, e.g. `scripts/test.sh -k resnet`.
# Exits non-zero if anything fails, or if either runner ran no test.
set -euo pipefail
cd "$(dirname "$0")/.."

declare -a TIMES=()
stage() {  # stage NAME COMMAND...: runs and times one stage
  local name=$1 start=$SECONDS
  shift
  echo "=== $name" >&2
  "$@"
  TIMES+=("$(printf '%-12s %4ds' "$name" $((SECONDS - start)))")
}

stage setup scripts/setup.sh
stage build scripts/build.sh
stage venv scripts/test-venv.sh >/dev/null
PYTHON=.venv/bin/python

status=0
echo "=== unit tests (ctest)" >&2
start=$SECONDS
ctest --test-dir build --output-on-failure --no-tests=error -j "$(nproc)" || status=1
TIMES+=("$(printf '%-12s %4ds' ctest $((SECONDS - start)))")

printf "stage time: %s\n" "${TIMES[@]}" >&2

echo "=== conformance suite (pytest)" >&2
set +e
"$PYTHON" -m pytest tests/conformance "$@"
rc=$?
set -e
if ((rc == 5)); then
  echo "test.sh: pytest collected no tests (exit 5) — treating as failure" >&2
  rc=1
fi
((rc == 0)) || status=1

# The benchmark's CI variant (issue 3): one model per peer, float32 and int8,
# against onnx2tf and tf.lite.TFLiteConverter in their own venv. It fails on
# errors only (optconv crashing or failing a configuration it supports, or
# the harness breaking), never on timing. OPTCONV_SKIP_BENCH=1 skips it.
if [[ "${OPTCONV_SKIP_BENCH:-0}" != 1 ]]; then
  echo "=== benchmark, quick (bench/run --quick)" >&2
  start=$SECONDS
  OPTCONV_BIN="$PWD/build/cli/optconv" bench/run --quick || status=1
  echo "bench --quick: $((SECONDS - start))s" >&2
fi
exit "$status"
