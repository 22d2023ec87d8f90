"""Slowly changing dimensions on the changing source: snapshot nights, and point-in-time answers scored against the
truth the sim's change history knows.

The truth of "which state was this client in when the appointment took place" comes from the history itself
(``BACKEND.HISTORY``: each client's first version and every change with its time), never from a snapshot, so
every way of answering (a timestamp snapshot, a check snapshot, the current row) can be scored against it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from solutions.dbt_runner import DbtResult, DbtRunner

#: the client's STATE at each appointment, from the change history: the last move made by the appointment's
#: start, else the state the client was created with; NULL once the client has been deleted
TRUTH_SQL = """
    SELECT a.APPOINTMENT_ID,
           CASE WHEN EXISTS (SELECT 1 FROM BACKEND.HISTORY.CHANGES d
                             WHERE d.ENTITY = 'client' AND d.OP = 'delete'
                               AND CAST(d.ENTITY_KEY AS BIGINT) = a.CLIENT_ID AND d.CHANGED_AT <= a.APPOINTMENT_TS)
                THEN NULL
                ELSE coalesce((SELECT m.AFTER_VALUE FROM BACKEND.HISTORY.CHANGES m
                               WHERE m.ENTITY = 'client' AND m.COLUMN_NAME = 'STATE'
                                 AND CAST(m.ENTITY_KEY AS BIGINT) = a.CLIENT_ID
                                 AND m.CHANGED_AT <= a.APPOINTMENT_TS
                               ORDER BY m.CHANGED_AT DESC, m.CHANGE_ID DESC LIMIT 1), o.STATE) END AS STATE
    FROM BACKEND.PUBLIC.APPOINTMENTS a
    LEFT JOIN BACKEND.HISTORY.CLIENTS_ORIGINAL o ON o.CLIENT_ID = a.CLIENT_ID
"""


def snapshot_night(world: Any, runner: DbtRunner, when: str) -> DbtResult:
    """Move the source to ``when`` and run every snapshot, stamped with that time (``snapshot_time``)."""
    world.history.as_of(when)
    return runner.invoke("snapshot", "--vars", json.dumps({"snapshot_time": when}))


@dataclass(frozen=True)
class PitScore:
    """How many appointments an answer puts in the right state."""

    appointments: int
    right: int  # the state the client had then (none, for a client already deleted)
    wrong: int  # a state, but not the one the client had then
    no_match: int  # no state, for a client who existed then
    extra_rows: int  # rows beyond one per appointment (overlapping versions)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def pit_score(warehouse: Any, answer_sql: str) -> PitScore:
    """Score ``answer_sql`` (rows of APPOINTMENT_ID, STATE) against the truth, appointment by appointment."""
    (total, right, wrong, no_match, extra), = warehouse.duckdb().execute(f"""
        WITH truth AS ({TRUTH_SQL}), answer AS ({answer_sql}),
        per AS (SELECT t.APPOINTMENT_ID, t.STATE AS truth, a.STATE AS given, count(a.APPOINTMENT_ID) OVER
                       (PARTITION BY t.APPOINTMENT_ID) AS n
                FROM truth t LEFT JOIN answer a ON a.APPOINTMENT_ID = t.APPOINTMENT_ID)
        SELECT count(DISTINCT APPOINTMENT_ID),
               count(DISTINCT APPOINTMENT_ID) FILTER (WHERE n <= 1 AND given IS NOT DISTINCT FROM truth),
               count(DISTINCT APPOINTMENT_ID) FILTER (WHERE given IS DISTINCT FROM truth AND given IS NOT NULL),
               count(DISTINCT APPOINTMENT_ID) FILTER (WHERE given IS NULL AND truth IS NOT NULL),
               sum(CASE WHEN n > 1 THEN 1 ELSE 0 END) - count(DISTINCT APPOINTMENT_ID) FILTER (WHERE n > 1)
        FROM per""").fetchall()
    return PitScore(total, right, wrong, no_match, int(extra or 0))
