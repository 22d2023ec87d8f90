"""Plan a backfill: which days to run, in which batches and in which order."""

from __future__ import annotations

from datetime import date, timedelta  # noqa: F401  (you will probably need timedelta)


def plan_backfill(first_day: date, last_day: date, runs: dict[date, str],
                  max_days_per_run: int, max_concurrent_runs: int) -> list[list[tuple[date, date]]]:
    """Waves of runs, each run a (first, last) stretch of days, oldest first, within both limits.

    Days that succeeded or are running are skipped, failed days are retried, days never run are planned.
    A reversed range or a limit below 1 raises ValueError.
    """
    raise NotImplementedError
