"""One way to turn what a caller passes for a day into a date.

A DAG hands over a logical date (a ``datetime``), a test a ``date``, a notebook or a command line an ISO
string; every function that works on one day accepts all three and starts with ``as_date(day)``.

    as_date("2025-09-30")                           # date(2025, 9, 30)
    as_date(dt.datetime(2025, 10, 1, 2, 0))         # date(2025, 10, 1): a datetime keeps its calendar date
    iso_day(dt.date(2025, 9, 30))                   # "2025-09-30", for a key, a file name or dbt's --vars
"""

from __future__ import annotations

import datetime as dt


def as_date(value: dt.date | dt.datetime | str) -> dt.date:
    """``date``, ``datetime`` or an ISO string -> ``date`` (a datetime keeps its own calendar date).

    Strings are strictly ISO (``2025-09-30``, or a full ISO timestamp): anything else, a quote or a piece of
    SQL, raises ``ValueError`` before it can reach a query; any other type raises ``TypeError``.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return dt.datetime.fromisoformat(value).date()
    raise TypeError(f"expected a date, datetime or 'YYYY-MM-DD', got {type(value).__name__}")


def iso_day(value: dt.date | dt.datetime | str) -> str:
    """The day as ``YYYY-MM-DD`` (see :func:`as_date` for what is accepted)."""
    return as_date(value).isoformat()
