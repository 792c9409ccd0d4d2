#!/usr/bin/env bash
# Bad-input conformance cases under AddressSanitizer + UBSan: builds optconv
# with -DOPTCONV_ASAN=ON into build-asan/ (incremental after the first time,
# ~7 minutes of both cores from scratch), then runs
# the bad-input tests (tests/conformance/test_bad_inputs.py, test_tf_bad_inputs.py)
# with OPTCONV pointing at that binary.
# Any sanitizer report fails the run: the sanitizers stop at the first error
# with exit code 86, and harness.run_optconv fails a test whose stderr holds
# "AddressSanitizer", "LeakSanitizer" or "runtime error:".
# Extra arguments go to pytest, e.g. `scripts/asan.sh -k truncated`.
# BUILD_DIR (default build-asan) and JOBS (default nproc) may be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build-asan}
JOBS=${JOBS:-$(nproc)}
PYTHON=${PYTHON:-.venv/bin/python}

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  # RelWithDebInfo: reports with file:line at a bearable speed. The unit
  # tests are not needed here.
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DOPTCONV_ASAN=ON -DOPTCONV_BUILD_TESTS=OFF >/dev/null
fi
if ! grep -q '^OPTCONV_ASAN:BOOL=ON$' "$BUILD_DIR/CMakeCache.txt"; then
  echo "asan.sh: $BUILD_DIR is not configured with -DOPTCONV_ASAN=ON" >&2
  exit 1
fi
NINJA_FLAGS=()
[[ -t 1 ]] || NINJA_FLAGS=(--quiet)
ninja -C "$BUILD_DIR" -j "$JOBS" "${NINJA_FLAGS[@]}" optconv

[[ -x "$PYTHON" ]] || { echo "asan.sh: no test venv at $PYTHON (run scripts/test-venv.sh)" >&2; exit 1; }

# exitcode=86: a sanitizer stop never looks like one of optconv's documented
# exit codes (0-4), so the exit-code assertions fail as well.
export ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:exitcode=86:detect_leaks=1:strict_string_checks=1:detect_stack_use_after_return=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=86
export LSAN_OPTIONS=exitcode=86
export OPTCONV="$PWD/$BUILD_DIR/cli/optconv"

set +e
"$PYTHON" -m pytest tests/conformance/test_bad_inputs.py tests/conformance/test_tf_bad_inputs.py \
  -q -p no:cacheprovider "$@"
rc=$?
set -e
if ((rc == 5)); then
  echo "asan.sh: pytest collected no tests (exit 5) — treating as failure" >&2
  rc=1
fi
exit "$rc"
