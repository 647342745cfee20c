# Sourced by the other scripts: one place that decides where builds and the virtualenv live.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Reuse a target directory outside the clone when one exists (polars takes ~10 min to build cold);
# otherwise build in ./target from scratch.
SHARED="$HOME/.cache/takedowns-target"
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$SHARED" ]; then
  export CARGO_TARGET_DIR="$SHARED"
fi
# pyo3's build script keys on the interpreter's path, and everything built on pyo3 (polars
# included) rebuilds when it changes. So when builds are shared, the virtualenv is shared too, at
# a fixed path beside them; otherwise it lives in the clone.
if [ -n "${TAKEDOWNS_VENV:-}" ]; then
  VENV="$TAKEDOWNS_VENV"
elif [ "${CARGO_TARGET_DIR:-}" = "$SHARED" ]; then
  VENV="$HOME/.cache/takedowns-venv"
else
  VENV="$ROOT/.venv"
fi
ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements-dev.txt"
}
# Builds the extension in release (the same profile as `cargo test --release`) into the venv.
build_python() {
  # The module is abi3 (_core.abi3.so); an older per-version build left beside it would be found
  # first by the import system.
  rm -f "$ROOT"/python/takedowns/_core.cpython-*.so
  VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release --quiet
}
