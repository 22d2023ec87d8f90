"""Load a day's appointments into a Snowflake table: reruns, retries and corrections never duplicate or lose a row."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from decimal import Decimal

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
COLUMNS = "APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT"


def quote_table(table: str) -> str:
    """``db.schema.table`` (one to three parts), each part validated then quoted; ValueError otherwise."""
    parts = table.split(".") if isinstance(table, str) else []
    if not 1 <= len(parts) <= 3 or not all(IDENTIFIER.fullmatch(p) for p in parts):
        raise ValueError(f"invalid table name {table!r}: one to three dotted identifiers (letters, digits, _, $)")
    return ".".join(f'"{p.upper()}"' for p in parts)


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    """Make ``table``'s rows for ``day`` exactly ``records`` (one row per appointment_id, this batch's values),
    atomically: a load killed half-way leaves the day as it was. Other days are untouched.

    ``table`` may be qualified (``db.schema.table``) and is validated before any SQL runs; values are bound.
    """
    target = quote_table(table)
    rows = {}
    for record in records:  # one row per appointment: the pages' overlap collapses here
        if record["appointment_date"] != day.isoformat():
            raise ValueError(f"record {record['appointment_id']} is of {record['appointment_date']}, not {day}")
        rows[int(record["appointment_id"])] = (int(record["appointment_id"]), int(record["client_id"]), day,
                                               record["status"], Decimal(record["fee_amount"]))
    cur = conn.cursor()
    try:
        cur.execute("BEGIN")  # replace the day in one transaction: all of it or none of it
        cur.execute(f"DELETE FROM {target} WHERE APPOINTMENT_DATE = %s", (day,))
        if rows:
            marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
            cur.execute(f"INSERT INTO {target} ({COLUMNS}) VALUES {marks}",
                        [value for row in rows.values() for value in row])
        cur.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(Exception):  # the connection may be gone; the first error is the one to report
            cur.execute("ROLLBACK")
        raise
    finally:
        cur.close()
