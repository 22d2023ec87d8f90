"""Fails: identifiers validated - the table name goes into the SQL as given: "t; DROP TABLE ..." is executed.
Table names cannot be bound parameters, so they must be checked against a strict pattern (and quoted) instead.

Values are bound and the load is atomic."""

from __future__ import annotations

from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    unique = {r["appointment_id"]: r for r in records}
    cur = conn.cursor()
    try:
        cur.execute("BEGIN")
        cur.execute(f"DELETE FROM {table} WHERE APPOINTMENT_DATE = %s", (day,))
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
