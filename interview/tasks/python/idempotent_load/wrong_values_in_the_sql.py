"""Fails: values bound - the rows are written into the INSERT as text (f-strings): a status with a quote in it
breaks the load, and whoever controls the partner's data controls the SQL.

The transaction and the dedupe are right."""

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
        cur.execute(f"DELETE FROM {table} WHERE APPOINTMENT_DATE = '{day}'")
        if unique:
            rows = ", ".join(f"({r['appointment_id']}, {r['client_id']}, '{day}', '{r['status']}', {r['fee_amount']})"
                             for r in unique.values())
            cur.execute(f"INSERT INTO {table} (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT) "
                        f"VALUES {rows}")
        cur.execute("COMMIT")
    except Exception:
        cur.execute("ROLLBACK")
        raise
