"""Fails: failed days retried - any day with a run counts as done, so a failed day is never run again.

The candidate filters on "has a run" instead of on the run's state."""

from __future__ import annotations

from datetime import date, timedelta


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    if max_days_per_run < 1 or max_concurrent_runs < 1:
        raise ValueError("limits must be >= 1")
    planned, stretch = [], []
    day = first_day
    while day <= last_day:
        if day in runs:
            if stretch:
                planned.append((stretch[0], stretch[-1]))
                stretch = []
        else:
            stretch.append(day)
            if len(stretch) == max_days_per_run:
                planned.append((stretch[0], stretch[-1]))
                stretch = []
        day += timedelta(days=1)
    if stretch:
        planned.append((stretch[0], stretch[-1]))
    return [planned[i:i + max_concurrent_runs] for i in range(0, len(planned), max_concurrent_runs)]
