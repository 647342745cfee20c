"""Runs the README's Python quick start (the first ``python`` block under "Python quick start")
with whatever ``takedowns`` the interpreter imports, and checks that it is an installed one."""

from __future__ import annotations

import pathlib
import re
import sys

readme = pathlib.Path(sys.argv[1]).read_text(encoding="utf-8")
section = readme.split("## Python quick start", 1)[1]
code = re.search(r"```python\n(.*?)```", section, re.S)
if code is None:
    sys.exit("no python block under 'Python quick start' in the README")
exec(compile(code.group(1), "README quick start", "exec"), {"__name__": "__main__"})

import takedowns  # noqa: E402

where = pathlib.Path(takedowns.__file__).resolve()
if "site-packages" not in where.parts:
    sys.exit(f"takedowns was imported from {where}, not from an installed wheel")
print(f"takedowns {takedowns.__version__} from {where.parent}")
