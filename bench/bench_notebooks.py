"""The notebook suite as CI runs it: ``pytest --nbval`` over ``notebooks/``, time per notebook.

The suite runs in a subprocess with ``--durations=0``; a notebook's time is the sum of its cells' setup,
call and teardown (the kernel start-up is in its first cell's setup). The baseline, measured in the same run
with the same command, is a notebook with one empty cell: the fixed cost of pytest, nbval and a kernel.
The suite takes minutes, so it runs once by default (``runs``), the baseline three times.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import Row, median, seconds, spread

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_TARGET = 30.0  # seconds per notebook (notebooks/CONVENTIONS.md)
# "12.34s call     notebooks/07_data_quality.ipynb::Cell 5" (no path for a notebook outside the rootdir)
DURATION = re.compile(r"^\s*([\d.]+)s\s+(setup|call|teardown)\s+(\S*?)::Cell \d+")
SUMMARY = re.compile(r"(\d+) (passed|failed|error|errors|skipped)")

EMPTY_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": 1, "id": "empty", "metadata": {}, "outputs": [],
               "source": ["pass"]}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@dataclass
class SuiteRun:
    wall: float
    per_notebook: dict[str, float]
    counts: dict[str, int]
    returncode: int


def parse(output: str) -> tuple[dict[str, float], dict[str, int]]:
    """Seconds per notebook from ``--durations=0`` lines, and the final passed/failed counts."""
    per_notebook: dict[str, float] = defaultdict(float)
    for line in output.splitlines():
        match = DURATION.match(line)
        if match:
            per_notebook[match[3] or "(outside the repository)"] += float(match[1])
    counts: dict[str, int] = {}
    lines = reversed(output.splitlines())
    tail = next((line for line in lines if " in " in line and SUMMARY.search(line)), "")
    for number, word in SUMMARY.findall(tail):
        counts["errors" if word.startswith("error") else word] = int(number)
    return dict(per_notebook), counts


def run_suite(paths: list[str]) -> SuiteRun:
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-sanitize-with",
               str(ROOT / "notebooks" / "sanitize.cfg"), "-p", "no:cacheprovider", "--durations=0", "-q",
               "--rootdir", str(ROOT), *paths]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    per_notebook, counts = parse(done.stdout)
    if not per_notebook:
        raise RuntimeError(f"no notebook durations in the pytest output (exit {done.returncode}):\n"
                           f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return SuiteRun(wall, per_notebook, counts, done.returncode)


def run(notebooks: list[str] | None = None, runs: int = 1, baseline_runs: int = 3,
        progress: Callable[[str], None] = print) -> list[Row]:
    paths = notebooks or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))
    with tempfile.TemporaryDirectory(prefix="bench-nb-") as folder:
        empty = Path(folder) / "empty.ipynb"
        empty.write_text(json.dumps(EMPTY_NOTEBOOK), encoding="utf-8")
        progress(f"notebooks: an empty notebook under pytest --nbval, {baseline_runs} runs")
        base = [run_suite([str(empty)]) for _ in range(baseline_runs)]
    progress(f"notebooks: the suite ({len(paths)} notebooks), {runs} run{'s' if runs > 1 else ''} (minutes)")
    suites = [run_suite(paths) for _ in range(runs)]

    base_wall = median([b.wall for b in base])
    base_nb = median([next(iter(b.per_notebook.values())) for b in base])
    wall = median([s.wall for s in suites])
    names = sorted({n for s in suites for n in s.per_notebook})
    per_nb = {n: median([s.per_notebook.get(n, 0.0) for s in suites]) for n in names}
    slowest = max(per_nb, key=per_nb.get)
    counts = suites[-1].counts
    failed = counts.get("failed", 0) + counts.get("errors", 0)
    status = f"{counts.get('passed', 0)} cells passed" + (f", {failed} failed" if failed else "")
    details = [
        f"suite: `pytest --nbval` over {len(names)} notebooks: {spread([s.wall for s in suites], seconds)} "
        f"wall, {status}" + (" (a failing notebook's time still counts; see `make test`)" if failed else ""),
        f"baseline, one empty cell under the same command: {spread([b.wall for b in base], seconds)} wall, "
        f"of which {seconds(base_nb)} in the notebook (kernel start-up)",
        "per notebook (setup + cells + teardown): " + "; ".join(
            f"{Path(n).stem} {seconds(t)}" for n, t in sorted(per_nb.items(), key=lambda kv: -kv[1])),
    ]
    return [
        Row(benchmark=f"Notebook suite ({len(names)} notebooks, pytest --nbval)",
            baseline=f"one empty notebook: {seconds(base_wall)}",
            kit=f"suite: {seconds(wall)}" + (f" ({failed} failed)" if failed else ""),
            ratio=wall / base_wall, ratio_text=f"{wall / base_wall:.1f}x the baseline", details=details),
        Row(benchmark=f"Slowest notebook: {Path(slowest).name}",
            baseline=f"empty notebook's kernel + cell: {seconds(base_nb)}",
            kit=f"{Path(slowest).stem}: {seconds(per_nb[slowest])}",
            ratio=per_nb[slowest] / base_nb, ratio_text=f"{per_nb[slowest] / base_nb:.1f}x the baseline",
            target=f"<= {NOTEBOOK_TARGET:.0f} s per notebook", met=per_nb[slowest] <= NOTEBOOK_TARGET),
    ]
