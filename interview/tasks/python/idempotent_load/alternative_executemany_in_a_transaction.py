"""A correct alternative: the connector's own transaction API (autocommit off, commit, rollback) around DELETE of
the day and an executemany INSERT; the table name checked with a pattern."""

from __future__ import annotations

import re
from datetime import date

TABLE = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*){0,2}", re.ASCII)


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not TABLE.fullmatch(table):
        raise ValueError(f"bad table name {table!r}")
    rows = {r["appointment_id"]: (r["appointment_id"], r["client_id"], day, r["status"], r["fee_amount"])
            for r in records}
    conn.autocommit(False)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DELETE FROM {table} WHERE APPOINTMENT_DATE = %s", (day,))
            cur.executemany(f"INSERT INTO {table} (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT) "
                            "VALUES (%s, %s, %s, %s, %s)", list(rows.values()))
        conn.commit()
    except Exception:
        conn.rollback()
        raise
    finally:
        conn.autocommit(True)
