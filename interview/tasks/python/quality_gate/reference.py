"""A data-quality gate for one day of appointments: which rules failed, how many rows, blocking or warning."""

from __future__ import annotations

import re
from datetime import date

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
TOLERANCE = 0.05  # row count vs the source's, as a share of the source's
SEVERITY = {"null_keys": "blocking", "duplicate_ids": "blocking", "bad_amounts": "blocking",
            "orphan_clients": "warning", "row_count": "blocking"}


def quote_table(name: str) -> str:
    parts = name.split(".") if isinstance(name, str) else []
    if not 1 <= len(parts) <= 3 or not all(IDENTIFIER.fullmatch(p) for p in parts):
        raise ValueError(f"invalid table name {name!r}: one to three dotted identifiers (letters, digits, _, $)")
    return ".".join(f'"{p.upper()}"' for p in parts)


def quality_gate(cursor, day: date, expected_rows: int, *, table: str = "FCT_APPOINTMENTS",
                 clients_table: str = "DIM_CLIENTS") -> dict:
    """``{"passed": bool, "failures": {rule: {"rows": int, "severity": "blocking" | "warning"}}}`` for ``day``.

    Rules: null_keys, duplicate_ids, bad_amounts (blocking), orphan_clients (warning), row_count (blocking,
    more than 5 % away from ``expected_rows``). Table names are validated; values are bound.
    """
    appointments, clients = quote_table(table), quote_table(clients_table)
    # one pass over the day: every rule is a conditional count. NULL < 0 is NULL, hence the explicit IS NULL;
    # COUNT(DISTINCT ...) skips NULL ids, so NULL ids never count as duplicates (they are null_keys' business)
    cursor.execute(
        f"""SELECT COUNT(*),
                   COUNT(CASE WHEN a.APPOINTMENT_ID IS NULL OR a.CLIENT_ID IS NULL OR a.CLINICIAN_ID IS NULL
                              THEN 1 END),
                   COUNT(a.APPOINTMENT_ID) - COUNT(DISTINCT a.APPOINTMENT_ID),
                   COUNT(CASE WHEN a.FEE_AMOUNT IS NULL OR a.FEE_AMOUNT < 0 THEN 1 END),
                   COUNT(CASE WHEN a.CLIENT_ID IS NOT NULL AND c.CLIENT_ID IS NULL THEN 1 END)
            FROM {appointments} a
            LEFT JOIN (SELECT DISTINCT CLIENT_ID FROM {clients}) c ON c.CLIENT_ID = a.CLIENT_ID
            WHERE a.APPOINTMENT_DATE = %s""",
        (day,))
    rows, null_keys, duplicates, bad_amounts, orphans = (int(v) for v in cursor.fetchone())
    counts = {"null_keys": null_keys, "duplicate_ids": duplicates, "bad_amounts": bad_amounts,
              "orphan_clients": orphans}
    failures = {rule: {"rows": n, "severity": SEVERITY[rule]} for rule, n in counts.items() if n}
    if abs(rows - expected_rows) > TOLERANCE * expected_rows:
        failures["row_count"] = {"rows": rows, "severity": SEVERITY["row_count"]}
    passed = not any(f["severity"] == "blocking" for f in failures.values())
    return {"passed": passed, "failures": failures}
