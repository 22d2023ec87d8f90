"""Plan a backfill: which days to run, in which batches and in which order."""

from __future__ import annotations

from datetime import date, timedelta

DONE = {"success", "running"}  # running: in flight, never raced
STATES = DONE | {"failed"}


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
    """Waves of runs, each run a (first, last) stretch of days, oldest first, within both limits.

    Days that succeeded or are running are skipped, failed days are retried, days never run are planned.
    A reversed range or a limit below 1 raises ValueError.
    """
    if first_day > last_day:
        raise ValueError(f"reversed range: first_day {first_day} is after last_day {last_day}")
    for name, limit in (("max_days_per_run", max_days_per_run), ("max_concurrent_runs", max_concurrent_runs)):
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {limit!r}")
    unknown = {state for state in runs.values() if state not in STATES}
    if unknown:
        raise ValueError(f"unknown run states {sorted(unknown)}; expected one of {sorted(STATES)}")

    planned: list[tuple[date, date]] = []
    stretch: list[date] = []  # the current run being filled: consecutive days to run

    def close() -> None:
        if stretch:
            planned.append((stretch[0], stretch[-1]))
            stretch.clear()

    for offset in range((last_day - first_day).days + 1):
        day = first_day + timedelta(days=offset)
        if runs.get(day) in DONE:
            close()  # a day that must not run ends the stretch: a run covers consecutive days only
            continue
        stretch.append(day)
        if len(stretch) == max_days_per_run:
            close()
    close()
    return [planned[i:i + max_concurrent_runs] for i in range(0, len(planned), max_concurrent_runs)]
