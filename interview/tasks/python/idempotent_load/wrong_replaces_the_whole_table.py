"""Fails: other days untouched - the load empties the table before inserting the day ("the table is today's
load"): atomic and idempotent for the day, and every other day is gone.

The DELETE needs the day in its WHERE clause."""

from __future__ import annotations

import re
from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise ValueError(f"invalid table name {table!r}")
    unique = {r["appointment_id"]: r for r in records}
    cur = conn.cursor()
    try:
        cur.execute("BEGIN")
        cur.execute(f"DELETE FROM {table}")
        if unique:
            marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(unique))
            values = [v for r in unique.values() for v in (r["appointment_id"], r["client_id"], day, r["status"],
                                                             r["fee_amount"])]
            cur.execute(f"INSERT INTO {table} (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT) "
                        f"VALUES {marks}", values)
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
