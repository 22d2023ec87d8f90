"""Fails: rerun does not duplicate, late correction applied, crash mid-load, batch duplicates collapse - a
plain INSERT of the batch: every rerun, retry and correction appends another copy of the day.

Bound values, a validated name: safe SQL, not an idempotent load."""

from __future__ import annotations

import re
from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise ValueError(f"invalid table name {table!r}")
    cur = conn.cursor()
    cur.executemany(f"INSERT INTO {table} (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT) "
                    "VALUES (%s, %s, %s, %s, %s)",
                    [(r["appointment_id"], r["client_id"], day, r["status"], r["fee_amount"]) for r in records])
    cur.close()
