"""Fails: crash mid-load - DELETE the day, then INSERT it, in autocommit: each statement commits on its own,
so a process killed between the two leaves the day empty until someone reruns it (and the dashboards read
zero).

Right in every run that is not interrupted; the two statements need one transaction (BEGIN ... COMMIT)."""

from __future__ import annotations

import re
from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise ValueError(f"invalid table name {table!r}")
    unique = {r["appointment_id"]: r for r in records}
    cur = conn.cursor()
    cur.execute(f"DELETE FROM {table} WHERE APPOINTMENT_DATE = %s", (day,))
    if unique:
        marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(unique))
        values = [v for r in unique.values() for v in (r["appointment_id"], r["client_id"], day, r["status"],
                                                         r["fee_amount"])]
        cur.execute(f"INSERT INTO {table} (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT) "
                    f"VALUES {marks}", values)
    cur.close()
