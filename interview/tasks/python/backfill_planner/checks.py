"""Hidden checks of plan_backfill: seeded histories of run states over ranges the prompt does not show, each
property judged on every scenario and compared with the plan's facts (never with another planner's output)."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from interview.checking_data import Board, Candidate

CHECKS = ("every new day planned", "failed days retried", "done days skipped", "no day planned twice",
          "run size limit", "concurrency limit", "oldest first", "nothing wasted", "reversed range refused",
          "bad limits refused", "time budget")
BUDGET = 2.0  # seconds per call: a planner answers in milliseconds
DATA_CHECKS = CHECKS[:8]


def scenarios() -> list[tuple[str, date, date, dict[date, str], int, int]]:
    """(label, first, last, runs, max days per run, max concurrent runs), seeded."""
    rng = random.Random(20251101)

    def history(first: date, days: int, weights: tuple[int, int, int, int], spill: int = 0) -> dict[date, str]:
        runs = {}
        for offset in range(-spill, days + spill):
            state = rng.choices([None, "success", "failed", "running"], weights)[0]
            if state:
                runs[first + timedelta(days=offset)] = state
        return runs

    sep = date(2025, 9, 1)
    return [
        ("a month, a mixed history", sep, date(2025, 9, 30), history(sep, 30, (30, 50, 15, 5)), 3, 2),
        ("a quarter, runs outside the range", date(2025, 7, 1), date(2025, 9, 28),
         history(date(2025, 7, 1), 90, (40, 40, 15, 5), spill=5), 7, 3),
        ("one day per run", sep, date(2025, 9, 12), history(sep, 12, (50, 25, 25, 0)), 1, 4),
        ("nothing ran yet", date(2025, 10, 1), date(2025, 10, 10), {}, 4, 2),
        ("everything done", sep, date(2025, 9, 7), {sep + timedelta(days=i): "success" for i in range(7)}, 3, 2),
        ("a single day", date(2025, 12, 31), date(2025, 12, 31), {date(2025, 12, 30): "failed"}, 5, 1),
        ("a failed day in flight again", sep, date(2025, 9, 9),
         {date(2025, 9, 3): "running", date(2025, 9, 4): "failed", date(2025, 9, 8): "running"}, 2, 2),
    ]


class Shape(Exception):
    pass


def parse(value: Any) -> list[list[tuple[date, date]]]:
    """The plan as waves of (first, last) date pairs; ``Shape`` says what is not."""
    if not isinstance(value, (list, tuple)):
        raise Shape(f"returned {type(value).__name__}, expected a list of waves")
    waves = []
    for w, wave in enumerate(value):
        if not isinstance(wave, (list, tuple)):
            raise Shape(f"wave {w} is {type(wave).__name__}, expected a list of (first, last) runs")
        runs = []
        for run in wave:
            if not (isinstance(run, (list, tuple)) and len(run) == 2 and all(isinstance(d, date) for d in run)):
                raise Shape(f"wave {w} holds {run!r}, expected a (first, last) tuple of dates")
            runs.append((run[0], run[1]))
        waves.append(runs)
    return waves


def show(items: list) -> str:
    """Dates and runs as a reader writes them: 2025-09-04, (2025-09-03, 2025-09-09)."""
    def one(item: Any) -> str:
        return f"({item[0]}, {item[1]})" if isinstance(item, tuple) else str(item)
    return "[" + ", ".join(one(i) for i in items) + "]"


def days_of(run: tuple[date, date]) -> list[date]:
    return [run[0] + timedelta(days=i) for i in range((run[1] - run[0]).days + 1)]


def judge(board: Board, label: str, first: date, last: date, runs: dict[date, str], size: int, width: int,
          value: Any) -> None:
    try:
        waves = parse(value)
    except Shape as error:
        for name in DATA_CHECKS:
            board.expect(name, False, f"{label}: {error}")
        return
    flat = [run for wave in waves for run in wave]
    in_range = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    new = [d for d in in_range if d not in runs]
    failed = [d for d in in_range if runs.get(d) == "failed"]
    done = [d for d in in_range if runs.get(d) in ("success", "running")]
    planned = [d for run in flat for d in days_of(run)]
    seen = set(planned)
    lost = [d for d in new if d not in seen]
    board.expect("every new day planned", not lost,
                 f"{label}: {len(lost)} day(s) that never ran are not planned, first {show(lost[:1])}; "
                 "check both ends of the range (inclusive) and the stretch left open when the loop ends")
    skipped = [d for d in failed if d not in seen]
    board.expect("failed days retried", not skipped,
                 f"{label}: {len(skipped)} failed day(s) not retried, e.g. {show(skipped[:1])}: "
                 "a failed run is not done")
    raced = sorted(seen & set(done)) + sorted(d for d in seen if not first <= d <= last)
    board.expect("done days skipped", not raced,
                 f"{label}: the plan runs {show(raced[:2])} again, which succeeded, is running, or lies "
                 "outside the range; a run's (first, last) covers every day between them")
    twice = sorted({d for d in planned if planned.count(d) > 1})
    board.expect("no day planned twice", not twice,
                 f"{label}: {show(twice[:3])} appear in two runs: two runs of one day race each other")
    bad = [run for run in flat if run[0] > run[1] or len(days_of(run)) > size]
    board.expect("run size limit", not bad,
                 f"{label}: run {show(bad[:1])} is reversed or covers more than max_days_per_run={size} days")
    crowded = [len(wave) for wave in waves if not 1 <= len(wave) <= width]
    board.expect("concurrency limit", not crowded,
                 f"{label}: a wave holds {crowded[:1]} runs; each wave needs 1 to max_concurrent_runs={width}")
    order = all(a[1] < b[0] for a, b in zip(flat, flat[1:]))
    board.expect("oldest first", order, f"{label}: the runs are not in date order: {show(flat[:4])}")
    stretches, length = [], 0
    for day in in_range:
        if day in runs and runs[day] != "failed":
            stretches.append(length)
            length = 0
        else:
            length += 1
    stretches.append(length)
    fewest = sum(math.ceil(n / size) for n in stretches)
    board.expect("nothing wasted", len(flat) <= fewest and len(waves) <= math.ceil(len(flat) / width),
                 f"{label}: {len(flat)} runs in {len(waves)} waves where {fewest} runs in "
                 f"{math.ceil(fewest / width)} waves would do; fill each run and each wave before starting another")


def check(solution: Path) -> list:
    board = Board(CHECKS)
    candidate = Candidate(solution, "plan_backfill", BUDGET)
    if not candidate.ready(board):
        return board.checks()
    reversed_ = candidate.call(date(2025, 9, 30), date(2025, 9, 1), {}, 3, 2, label="a reversed range")
    board.expect("reversed range refused", reversed_.raised(ValueError) and "2025-09" in str(reversed_.exception),
                 lambda: "plan_backfill(2025-09-30, 2025-09-01, ...) should raise ValueError naming the dates; it "
                         + (f"returned {reversed_.value!r}: a reversed range silently plans nothing" if reversed_.ok
                            else reversed_.error))
    for size, width in ((0, 2), (3, 0), (-1, 1)):
        bad = candidate.call(date(2025, 9, 1), date(2025, 9, 5), {}, size, width, label="a limit below 1")
        board.expect("bad limits refused", bad.raised(ValueError),
                     lambda size=size, width=width, bad=bad: f"max_days_per_run={size}, max_concurrent_runs={width} "
                     "should raise ValueError; it " + (f"returned {bad.value!r}" if bad.ok else bad.error))
    for label, first, last, runs, size, width in scenarios():
        outcome = candidate.call(first, last, dict(runs), size, width, label=label)
        if board.ran(DATA_CHECKS, outcome, label):
            judge(board, label, first, last, runs, size, width, outcome.value)
    candidate.judge_budget(board)
    return board.checks()
