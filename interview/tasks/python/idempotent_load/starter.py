"""Load a day's appointments into a Snowflake table: reruns, retries and corrections never duplicate or lose a row."""

from __future__ import annotations

from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    """Make ``table``'s rows for ``day`` exactly ``records`` (one row per appointment_id, this batch's values),
    atomically: a load killed half-way leaves the day as it was. Other days are untouched.

    ``table`` may be qualified (``db.schema.table``) and is validated before any SQL runs; values are bound.
    """
    raise NotImplementedError
