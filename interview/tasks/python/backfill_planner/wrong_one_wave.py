"""Fails: concurrency limit - every run goes into one wave, so they all start at once whatever
max_concurrent_runs says.

The candidate chunked the days correctly and forgot the second limit."""

from __future__ import annotations

from datetime import date, timedelta


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    if max_days_per_run < 1 or max_concurrent_runs < 1:
        raise ValueError("limits must be >= 1")
    planned, stretch = [], []
    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        if runs.get(day) in ("success", "running"):
            if stretch:
                planned.append((stretch[0], stretch[-1]))
            stretch = []
            continue
        stretch.append(day)
        if len(stretch) == max_days_per_run:
            planned.append((stretch[0], stretch[-1]))
            stretch = []
    if stretch:
        planned.append((stretch[0], stretch[-1]))
    return [planned] if planned else []
