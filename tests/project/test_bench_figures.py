"""Every benchmark figure the README and the notebooks quote comes from ``bench/results.md``, so they agree.

* The README's Performance table is ``bench/results.md``'s table, row for row: after ``make bench`` rewrites
  the results, this test fails until the README shows the new table.
* Anywhere else in the README and in the notebooks' prose, a ratio written ``<number>x`` (``256x``, ``6.5x``)
  must be one of the ratios in ``bench/results.md``, rounded to the digits shown (``6.5x`` quotes ``6.51x``;
  ``6x`` quotes nothing). "N times faster" is not used: it would escape the check.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench" / "results.md"
README = ROOT / "README.md"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

RATIO = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)x\b")
TIMES = re.compile(r"\b\d[\d.,]*\s+times\s+(?:faster|slower)", re.IGNORECASE)


def table_rows(text: str) -> list[str]:
    """The rows of the first Markdown table in ``text`` (header and separator included)."""
    rows: list[str] = []
    for line in text.splitlines():
        if line.startswith("|"):
            rows.append(line.rstrip())
        elif rows:
            break
    return rows


def section(text: str, heading: str) -> str:
    start = text.index(f"\n## {heading}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else len(text)]


def prose() -> list[tuple[str, str]]:
    """(where, text) for the README outside its Performance section and every notebook's Markdown cell."""
    readme = README.read_text()
    performance = section(readme, "Performance")
    places = [("README.md", readme.replace(performance, ""))]
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                places.append((f"{path.name} cell {cell.get('id')}", "".join(cell["source"])))
    return places


def quoted_by(figure: str, measured: set[str]) -> bool:
    """``figure`` is one of ``measured`` written with the same or fewer decimals, rounded half up."""
    places = Decimal(1).scaleb(-len(figure.partition(".")[2]))
    return any(Decimal(m).quantize(places, rounding="ROUND_HALF_UP") == Decimal(figure) for m in measured)


MEASURED = set(RATIO.findall(RESULTS.read_text()))


def test_results_have_ratios_to_quote():
    assert {"256", "6.51", "1.02", "1.87"} <= MEASURED


def test_the_readme_performance_table_is_the_results_table():
    results, readme = table_rows(RESULTS.read_text()), table_rows(section(README.read_text(), "Performance"))
    assert len(results) > 2
    assert readme == results, "copy bench/results.md's table into the README's Performance section"


@pytest.mark.parametrize("where, text", [pytest.param(w, t, id=w) for w, t in prose()])
def test_every_quoted_ratio_is_a_measured_one(where, text):
    unknown = [f"{m.group(0)} in {text[max(0, m.start() - 40):m.end() + 20]!r}" for m in RATIO.finditer(text)
               if not quoted_by(m.group(1), MEASURED)]
    assert not unknown, f"{where}: ratios not in bench/results.md: {unknown}"
    assert not TIMES.findall(text), f"{where}: write a ratio from bench/results.md as <number>x"


def test_rounding_rule():
    assert quoted_by("6.5", {"6.51"}) and quoted_by("256", {"256"}) and quoted_by("7", {"6.51"})
    assert not quoted_by("6", {"6.51"}) and not quoted_by("512", {"256"}) and not quoted_by("6.6", {"6.51"})
