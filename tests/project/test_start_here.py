"""Notebook 00's map lists every notebook of the kit: its stored output, as a candidate first sees it."""

from __future__ import annotations

import json
import re

from sim.paths import KIT_ROOT

NOTEBOOKS = KIT_ROOT / "notebooks"


def test_the_stored_map_lists_every_notebook_in_order_with_a_link():
    cells = json.loads((NOTEBOOKS / "00_start_here.ipynb").read_text())["cells"]
    maps = [o["data"]["text/markdown"] for c in cells if c["cell_type"] == "code" for o in c["outputs"]
            if "| # | Notebook |" in "".join(o.get("data", {}).get("text/markdown", ""))]
    assert len(maps) == 1, "notebook 00 has no map output: execute it"
    linked = re.findall(r"^\| (\d\d) \| \[.+\]\((\d\d_\w+\.ipynb)\) \|$", "".join(maps[0]), re.MULTILINE)
    shipped = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    assert [name for _, name in linked] == shipped, "notebook 00's map is stale: re-execute notebook 00"
    assert all(name.startswith(number) for number, name in linked)
