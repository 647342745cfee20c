# Sourced by the other scripts: one place that decides where builds and the virtualenv live.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# Reuse a target directory outside the clone when one exists (polars takes ~10 min to build cold);
# otherwise build in ./target from scratch.
if [ -z "${CARGO_TARGET_DIR:-}" ] && [ -d "$HOME/.cache/takedowns-target" ]; then
  export CARGO_TARGET_DIR="$HOME/.cache/takedowns-target"
fi
VENV="${TAKEDOWNS_VENV:-$ROOT/.venv}"
ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements-dev.txt"
}
# Builds the extension in release (the same profile as `cargo test --release`) into the venv.
build_python() {
  VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" develop --release --quiet
}
