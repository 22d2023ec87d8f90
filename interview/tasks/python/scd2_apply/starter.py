"""Apply a day's snapshot of a dimension to its SCD type 2 history."""

from __future__ import annotations

from datetime import date


def apply_snapshot(history: list[dict], snapshot: list[dict], as_of: date,
                   key: str = "client_id") -> list[dict]:
    """The history with ``snapshot`` (the whole table on ``as_of``) applied: a new version for each new or changed
    row, the current version of each changed or deleted row ended at ``as_of``; half-open intervals.

    Returns a new list and leaves ``history`` untouched. A snapshot older than the history raises ValueError.
    """
    raise NotImplementedError
