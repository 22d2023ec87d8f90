"""Fails: warnings do not block - "passed" is "no rule failed", so a day whose only problem is a client
arriving late stops the pipeline and pages someone at night.

Severity is the point of the gate: warnings are reported, only blocking failures stop it."""

from __future__ import annotations

import re
from datetime import date

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quality_gate(cursor, day: date, expected_rows: int, *, table: str = "FCT_APPOINTMENTS",
                 clients_table: str = "DIM_CLIENTS") -> dict:
    for name in (table, clients_table):
        if not NAME.fullmatch(name):
            raise ValueError(f"invalid table name {name!r}")
    cursor.execute(f"SELECT COUNT(*), COUNT(APPOINTMENT_ID) - COUNT(DISTINCT APPOINTMENT_ID) FROM {table} "
                   "WHERE APPOINTMENT_DATE = %s", (day,))
    rows, duplicates = cursor.fetchone()
    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE APPOINTMENT_DATE = %s AND "
                   "(APPOINTMENT_ID IS NULL OR CLIENT_ID IS NULL OR CLINICIAN_ID IS NULL)", (day,))
    null_keys = cursor.fetchone()[0]
    cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE APPOINTMENT_DATE = %s AND "
                   "(FEE_AMOUNT IS NULL OR FEE_AMOUNT < 0)", (day,))
    bad_amounts = cursor.fetchone()[0]
    cursor.execute(f"SELECT COUNT(*) FROM {table} a WHERE a.APPOINTMENT_DATE = %s AND a.CLIENT_ID IS NOT NULL "
                   f"AND NOT EXISTS (SELECT 1 FROM {clients_table} c WHERE c.CLIENT_ID = a.CLIENT_ID)", (day,))
    orphans = cursor.fetchone()[0]
    failures = {}
    for rule, count, severity in (("null_keys", null_keys, "blocking"), ("duplicate_ids", duplicates, "blocking"),
                                  ("bad_amounts", bad_amounts, "blocking"), ("orphan_clients", orphans, "warning")):
        if count:
            failures[rule] = {"rows": count, "severity": severity}
    if abs(rows - expected_rows) > 0.05 * expected_rows:
        failures["row_count"] = {"rows": rows, "severity": "blocking"}
    return {"passed": not failures, "failures": failures}
