"""Fails: time budget, every new day planned, failed days retried, done days skipped, no day planned twice, run size limit, concurrency limit, oldest first, nothing wasted - a `continue` on a running day skips the line that moves to the next day: the loop never ends.

A while loop whose increment sits at the bottom of the body; every scenario with a day in flight hangs."""

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
        state = runs.get(day)
        if state == "running":
            continue  # do not race the run in flight
        if state == "success":
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
