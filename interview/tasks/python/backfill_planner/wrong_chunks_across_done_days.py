"""Fails: done days skipped, run size limit - the pending days are chunked by count, then each chunk becomes
the run (first, last): a chunk that straddles a succeeded day runs that day again, and spans more than the
limit.

The list of days to run is right; turning it into ranges forgot that a range covers every day in between."""

from __future__ import annotations

from datetime import date, timedelta


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    if max_days_per_run < 1 or max_concurrent_runs < 1:
        raise ValueError("limits must be >= 1")
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    pending = [d for d in days if runs.get(d) not in ("success", "running")]
    chunks = [pending[i:i + max_days_per_run] for i in range(0, len(pending), max_days_per_run)]
    planned = [(chunk[0], chunk[-1]) for chunk in chunks]
    return [planned[i:i + max_concurrent_runs] for i in range(0, len(planned), max_concurrent_runs)]
