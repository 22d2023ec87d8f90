"""Fails: reversed range refused - a reversed range makes the day loop run zero times and returns [], which
reads as "nothing to backfill" to whoever called it with the dates swapped.

Everything else is right; the limits are checked, the range is not."""

from __future__ import annotations

from datetime import date, timedelta


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
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
    return [planned[i:i + max_concurrent_runs] for i in range(0, len(planned), max_concurrent_runs)]
