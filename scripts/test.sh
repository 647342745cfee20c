#!/usr/bin/env bash
# Runs every test: Rust unit, integration and doc tests; then the Python package's tests.
source "$(dirname "$0")/env.sh"
echo "== cargo test (release profile, shared with the wheel)"
cargo test --release
cargo bench --no-run --quiet
if [ -f "$ROOT/pyproject.toml" ]; then
  echo "== python: venv, build, pytest"
  ensure_venv
  build_python
  echo "== pytest (tests/python and the docstring examples in python/takedowns)"
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider
  echo "== mypy --strict on python/ and stubtest on the native module"
  "$VENV/bin/python" -m mypy --no-incremental
  "$VENV/bin/python" -m mypy.stubtest takedowns._core
fi
