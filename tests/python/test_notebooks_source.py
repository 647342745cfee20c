"""The committed notebooks are exactly what scripts/make_notebooks.py writes.

The generator's cells are the source of truth. A notebook edited by hand (a cell's source, a cell
added or removed, outputs or execution counts left in, metadata, ids, even the JSON layout) fails
here; so does a committed notebook the generator does not write, or one it writes that is missing.
The fix is to edit the cells in the script and run ``python scripts/make_notebooks.py``.
(test_notebooks.py runs the notebooks; this file only checks where they come from.)
"""

from __future__ import annotations

import difflib
import importlib.util
import pathlib
import types
from collections.abc import Callable

import nbformat
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "make_notebooks.py"
NOTEBOOKS = ROOT / "notebooks"


@pytest.fixture(scope="module")
def gen() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("make_notebooks", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # only defines things: writing happens in main()
    return module


def _diff(have: str, want: str, name: str) -> str:
    lines = list(
        difflib.unified_diff(
            have.splitlines(), want.splitlines(), f"committed {name}", f"generated {name}", lineterm="", n=2
        )
    )
    return "\n".join(lines[:80]) + ("\n..." if len(lines) > 80 else "")


def test_committed_notebooks_are_what_the_generator_writes(gen: types.ModuleType) -> None:
    want: dict[str, str] = gen.expected()
    have = {p.name: p.read_bytes().decode("utf-8") for p in NOTEBOOKS.glob("*.ipynb")}
    problems = []
    for name in sorted(set(have) - set(want)):
        problems.append(f"notebooks/{name} is committed but scripts/make_notebooks.py does not write it")
    for name in sorted(set(want) - set(have)):
        problems.append(f"notebooks/{name} is written by scripts/make_notebooks.py but not committed")
    for name in sorted(set(want) & set(have)):
        if have[name] != want[name]:
            problems.append(
                f"notebooks/{name} differs from what scripts/make_notebooks.py writes:\n"
                + _diff(have[name], want[name], name)
            )
    if problems:
        pytest.fail("\n".join(problems) + "\nEdit the cells in scripts/make_notebooks.py, then run it.", pytrace=False)


def test_check_flag_agrees(gen: types.ModuleType) -> None:
    assert gen.main(["--check"]) == 0
    assert gen.stale() == []


def test_the_generator_writes_the_same_bytes_twice(gen: types.ModuleType) -> None:
    # Otherwise (nbformat's random cell ids) no committed notebook could ever match.
    assert gen.expected() == gen.expected()


def test_the_check_sees_a_hand_edit(gen: types.ModuleType, tmp_path: pathlib.Path) -> None:
    """The comparison can fail: each kind of hand edit to a freshly written copy is caught."""
    gen.write_all(tmp_path)
    assert gen.stale(tmp_path) == []
    assert gen.main(["--check", "--dir", str(tmp_path)]) == 0

    def edited(name: str, change: Callable[[nbformat.NotebookNode], None]) -> list[str]:
        gen.write_all(tmp_path)
        nb = nbformat.read(tmp_path / name, as_version=4)
        change(nb)
        nbformat.write(nb, tmp_path / name)
        return gen.stale(tmp_path)

    def source(nb: nbformat.NotebookNode) -> None:
        nb.cells[1].source += "\nprint('edited by hand')"

    def cell_type(nb: nbformat.NotebookNode) -> None:
        md = nb.cells[0]
        nb.cells[0] = nbformat.v4.new_raw_cell(md.source, id=md.id)

    def outputs(nb: nbformat.NotebookNode) -> None:
        code = next(c for c in nb.cells if c.cell_type == "code")
        code.execution_count = 1
        code.outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]

    def dropped(nb: nbformat.NotebookNode) -> None:
        del nb.cells[-1]

    def metadata(nb: nbformat.NotebookNode) -> None:
        nb.metadata["language_info"] = {"name": "python"}

    for change in (source, cell_type, outputs, dropped, metadata):
        assert edited("policy_memo.ipynb", change) == ["policy_memo.ipynb"], change.__name__
    assert gen.main(["--check", "--dir", str(tmp_path)]) == 1

    gen.write_all(tmp_path)
    (tmp_path / "scratch.ipynb").write_text((tmp_path / "quickstart.ipynb").read_text())
    assert gen.stale(tmp_path) == ["scratch.ipynb"]
    (tmp_path / "scratch.ipynb").unlink()
    (tmp_path / "quickstart.ipynb").unlink()
    assert gen.stale(tmp_path) == ["quickstart.ipynb"]
