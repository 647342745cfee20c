#!/usr/bin/env bash
# Builds the abi3 wheel (one wheel for CPython 3.9 and later), installs it into a clean virtualenv
# with nothing else from this checkout, and runs the README's Python quick start from it: what a
# user without a Rust toolchain gets from `pip install takedowns-*.whl`.
source "$(dirname "$0")/env.sh"
ensure_venv
rm -rf "$ROOT/dist"
# The same profile and features as the development build, so nothing is compiled again.
VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" "$VENV/bin/maturin" build --release --quiet --out "$ROOT/dist"
shopt -s nullglob
wheels=("$ROOT"/dist/takedowns-*-cp39-abi3-*.whl)
if [ "${#wheels[@]}" -ne 1 ]; then
  echo "expected one abi3 wheel in dist/, found: $(ls "$ROOT/dist")" >&2
  exit 1
fi
CLEAN="$(mktemp -d)"
trap 'rm -rf "$CLEAN"' EXIT
python3 -m venv "$CLEAN/venv"
"$CLEAN/venv/bin/python" -m pip install -q --disable-pip-version-check "${wheels[0]}"
# Run from an empty folder, so that `import takedowns` can only find the installed wheel.
cd "$CLEAN"
"$CLEAN/venv/bin/python" "$ROOT/scripts/readme_quickstart.py" "$ROOT/README.md" > "$CLEAN/quickstart.log"
tail -n 1 "$CLEAN/quickstart.log"
"$CLEAN/venv/bin/takedowns" check --help > /dev/null
echo "wheel ${wheels[0]##*/}: installed in a clean venv; the README quick start ran from it"
