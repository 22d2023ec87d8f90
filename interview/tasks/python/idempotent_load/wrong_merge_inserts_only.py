"""Fails: late correction applied - MERGE on the appointment id with only WHEN NOT MATCHED THEN INSERT: new
appointments arrive, but a corrected status or fee never replaces the old one.

The batch is deduplicated and the MERGE is atomic; it just never updates."""

from __future__ import annotations

import re
from datetime import date


def load_day(conn, table: str, day: date, records: list[dict]) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}", table):
        raise ValueError(f"invalid table name {table!r}")
    unique = {r["appointment_id"]: r for r in records}
    if not unique:
        return
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(unique))
    values = [v for r in unique.values() for v in (r["appointment_id"], r["client_id"], day, r["status"],
                                                     r["fee_amount"])]
    cur = conn.cursor()
    cur.execute(f"""MERGE INTO {table} t
        USING (SELECT column1 AS ID, column2 AS CLIENT, column3::DATE AS D, column4 AS STATUS,
                      column5::NUMBER(10, 2) AS FEE FROM VALUES {rows}) s
        ON t.APPOINTMENT_ID = s.ID
        WHEN NOT MATCHED THEN INSERT (APPOINTMENT_ID, CLIENT_ID, APPOINTMENT_DATE, STATUS, FEE_AMOUNT)
            VALUES (s.ID, s.CLIENT, s.D, s.STATUS, s.FEE)""", values)
    cur.close()
