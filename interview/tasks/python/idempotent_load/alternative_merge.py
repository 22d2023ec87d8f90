"""A correct alternative: one MERGE on the appointment id (update when matched, insert when not) from the batch
deduplicated in Python. A single statement is atomic, so a kill before it leaves the day as it was."""

from __future__ import annotations

import re
from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise ValueError(f"invalid table name {table!r}")
    records = list({r["appointment_id"]: r for r in records}.values())
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

