#!/usr/bin/env bash
# Runs every test: the gates (formatting, lints), then Rust unit, integration and doc tests, then
# the Python package's tests and type checks, then the abi3 wheel installed into a clean venv.
source "$(dirname "$0")/env.sh"
echo "== rustfmt --check"
cargo fmt --all --check
rustfmt --check --edition 2021 fuzz/fuzz_targets/*.rs
echo "== clippy -D warnings (all targets; then the Python binding; also checks rust-version: incompatible_msrv)"
cargo clippy --release --all-targets --quiet -- -D warnings
if [ -f "$ROOT/pyproject.toml" ]; then
  ensure_venv
  # In a target directory of its own: pyo3's build script reruns when its interpreter setting
  # changes, and sharing it with maturin's build would make each rebuild the other's polars.
  CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}/clippy-python" PYO3_PYTHON="$VENV/bin/python" \
    cargo clippy --release --lib --features python --quiet -- -D warnings
  echo "== ruff check, ruff format --check"
  "$VENV/bin/ruff" check --quiet .
  "$VENV/bin/ruff" format --check --quiet .
fi
echo "== cargo test (release profile, shared with the wheel)"
cargo test --release
cargo bench --no-run --quiet
if [ -f "$ROOT/pyproject.toml" ]; then
  echo "== python: build, pytest"
  build_python
  echo "== pytest (tests/python and the docstring examples in python/takedowns)"
  "$VENV/bin/python" -m pytest -q -p no:cacheprovider
  echo "== mypy --strict on python/ and stubtest on the native module"
  "$VENV/bin/python" -m mypy --no-incremental
  "$VENV/bin/python" -m mypy.stubtest takedowns._core
  echo "== wheel: the abi3 wheel installed in a clean venv runs the README quick start"
  bash "$ROOT/scripts/wheel_check.sh"
fi
