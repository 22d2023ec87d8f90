"""A correct alternative: the range's days grouped into stretches of consecutive days to run (itertools.groupby),
each stretch cut into runs of at most max_days_per_run, the runs cut into waves."""

from __future__ import annotations

import itertools
from datetime import date, timedelta


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
    if last_day < first_day:
        raise ValueError(f"the range is reversed: {first_day} > {last_day}")
    if min(max_days_per_run, max_concurrent_runs) < 1:
        raise ValueError(f"limits must be at least 1: max_days_per_run={max_days_per_run}, "
                         f"max_concurrent_runs={max_concurrent_runs}")
    days = [first_day + timedelta(days=n) for n in range((last_day - first_day).days + 1)]
    planned = []
    for to_run, stretch in itertools.groupby(days, key=lambda d: runs.get(d) not in ("success", "running")):
        if to_run:
            stretch = list(stretch)
            for start in range(0, len(stretch), max_days_per_run):
                chunk = stretch[start:start + max_days_per_run]
                planned.append((chunk[0], chunk[-1]))
    return [planned[n:n + max_concurrent_runs] for n in range(0, len(planned), max_concurrent_runs)]
