"""A data-quality gate for one day of appointments: which rules failed, how many rows, blocking or warning."""

from __future__ import annotations

from datetime import date


def quality_gate(cursor, day: date, expected_rows: int, *, table: str = "FCT_APPOINTMENTS",
                 clients_table: str = "DIM_CLIENTS") -> dict:
    """``{"passed": bool, "failures": {rule: {"rows": int, "severity": "blocking" | "warning"}}}`` for ``day``.

    Rules: null_keys, duplicate_ids, bad_amounts (blocking), orphan_clients (warning), row_count (blocking,
    more than 5 % away from ``expected_rows``). Table names are validated; values are bound.
    """
    raise NotImplementedError
