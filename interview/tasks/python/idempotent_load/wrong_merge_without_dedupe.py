"""Fails: batch duplicates collapse - a correct MERGE (update when matched, insert when not) fed the raw
batch: a record served twice by overlapping pages matches nothing in the table, twice, so both copies are
inserted. (On a rerun, when the copies do match a row, Snowflake fails the MERGE:
ERROR_ON_NONDETERMINISTIC_MERGE is true by default.)

Dedupe the source first (in Python, or QUALIFY ROW_NUMBER() OVER (PARTITION BY id ...) = 1)."""

from __future__ import annotations

import re
from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise ValueError(f"invalid table name {table!r}")
    if not records:
        return
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(records))
    values = [v for r in records for v in (r["appointment_id"], r["client_id"], day, r["status"], r["fee_amount"])]
    cur = conn.cursor()
    cur.execute(f"""MERGE INTO {table} t
        USING (SELECT column1 AS ID, column2 AS CLIENT, column3::DATE AS D, column4 AS STATUS,
                      column5::NUMBER(10, 2) AS FEE FROM VALUES {rows}) s
        ON t.APPOINTMENT_ID = s.ID
        WHEN MATCHED THEN UPDATE SET CLIENT_ID = s.CLIENT, APPOINTMENT_DATE = s.D, STATUS = s.STATUS,
                                     FEE_AMOUNT = s.FEE
        WHEN NOT MATCHED THEN INSERT (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT)
            VALUES (s.ID, s.CLIENT, s.D, s.STATUS, s.FEE)""", values)
    cur.close()
