"""How long does grading one SQL drill take, against running its reference query once?

Grading runs the candidate's query on the visible dataset and on every hidden one of the drill (and the
reference once per dataset, cached for the rest of the session). The baseline is the reference query run
alone on the visible dataset, through the same fakesnow connection. Both are timed interleaved, as the median
of several runs, per drill; the rows report the slowest drill of each kind (SELECT and MERGE drills) and the
median over all drills. The target is grading one drill in at most 1 s.

The private fakesnow database with every dataset is built once per process (about a second); its build time
and a first check (which also computes the reference's results) are reported in the details.

    .venv/bin/python bench/bench_drills.py [--repeats 5] [--only DRILL_ID ...]

A measurement to read, not a test: it always exits 0 unless a reference fails to pass its own grading.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Row, interleaved, median, require, seconds, timed  # noqa: E402

TARGET_SECONDS = 1.0


def run(
    repeats: int = 5, only: list[str] | None = None, progress: Callable[[str], None] = print
) -> list[Row]:
    from drills import bank, engine
    from drills.grade import grade

    build_time, scratch = timed(engine.scratch)
    drills = [d for d in bank.load() if not only or d.id in only]
    per_drill: dict[str, tuple[float, float, str]] = {}
    first_check = None
    for drill in drills:

        def check(drill: bank.Drill = drill) -> Any:
            return grade(drill, drill.solution)

        first, result = timed(check)
        require(result.passed, f"{drill.id}: the reference does not pass its own grading: {result.message}")
        first_check = first_check or (drill.id, first)

        def alone(drill: bank.Drill = drill) -> None:
            if drill.kind == "merge":
                scratch.merge("visible", drill.solution, setup=drill.setup, target=drill.target)
            else:
                scratch.query("visible", drill.solution)

        graded, baseline = interleaved(check, alone, repeats)
        per_drill[drill.id] = (median(graded), median(baseline), drill.kind)
        graded_text, alone_text = seconds(median(graded)), seconds(median(baseline))
        progress(f"  {drill.id:34} grade {graded_text:>7}  reference alone {alone_text:>7}")

    rows = []
    for kind, label in (("select", "SELECT drill"), ("merge", "MERGE drill")):
        mine = {k: v for k, v in per_drill.items() if v[2] == kind}
        if not mine:
            continue
        worst = max(mine, key=lambda k: mine[k][0])
        graded, baseline, _ = mine[worst]
        rows.append(
            Row(
                benchmark=f"Grade the slowest {label} ({worst}, visible + hidden datasets)",
                baseline=f"its reference query alone: {seconds(baseline)}",
                kit=f"grading: {seconds(graded)}",
                ratio=graded / baseline,
                ratio_text=f"{graded / baseline:.1f}x the reference alone",
                target=f"<= {TARGET_SECONDS:g} s",
                met=graded <= TARGET_SECONDS,
                details=[
                    f"{len(mine)} {label}s: median grading {seconds(median([v[0] for v in mine.values()]))}, "
                    + f"median reference alone {seconds(median([v[1] for v in mine.values()]))}"
                ],
            )
        )
    if rows:
        rows[0].details.append(
            f"building the private fakesnow database with every dataset: {seconds(build_time)}"
        )
        rows[0].details.append(
            f"first check of {first_check[0]} (also computes the reference results): "
            f"{seconds(first_check[1])}"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only", action="append", default=[], metavar="DRILL_ID")
    args = parser.parse_args(argv)
    for row in run(args.repeats, args.only):
        print(f"\n{row.benchmark}\n  {row.baseline}; {row.kit}; {row.ratio_text}")
        print(f"  target {row.target}: {row.verdict}")
        for line in row.details:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
