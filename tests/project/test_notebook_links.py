"""Every relative link in a notebook's text opens a file of the kit, from notebooks/ and from the working copy
(work/ sits at the same depth, so one link serves both)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LINK = re.compile(r"\]\((\.\./[^)#\s]+)")


@pytest.mark.parametrize("notebook", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_relative_links_resolve(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    links = [m.group(1) for c in cells if c["cell_type"] == "markdown" for m in LINK.finditer("".join(c["source"]))]
    missing = [link for link in links if not (NOTEBOOKS / link).resolve().exists()]
    assert not missing, f"{notebook.name}: links to files that do not exist: {missing}"


def test_the_reference_code_a_notebook_names_is_a_link():
    bare = re.compile(r"(?<!\[)`((?:solutions|sim|drills|flashcards)/[\w/.-]+\.\w+)`(?!\])")
    unlinked = [(nb.name, m.group(1)) for nb in sorted(NOTEBOOKS.glob("*.ipynb"))
                for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "markdown"
                for m in bare.finditer("".join(c["source"]))]
    assert not unlinked, f"name these files as links ([`path`](../path)): {unlinked}"
