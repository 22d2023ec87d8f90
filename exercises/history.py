"""Exercises of notebook 16 (history, SCD2): the graders, and reference answers to read after trying.

Both answers are SQL, run by the grader on DuckDB against small tables built for each case (the dialect dbt-duckdb
runs; on Snowflake the same queries run unchanged).

1. **A point-in-time join**: each appointment with the client's state *at the time of the appointment*, from a dbt
   snapshot table (``clients_snapshot``: ``CLIENT_ID``, ``STATE``, ``dbt_valid_from``, ``dbt_valid_to``).
2. **SCD2 from a change log**: versions with half-open validity intervals from a log of client updates that
   also holds no-op updates (the same state written again).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade, run_on_duckdb

# -- reference answers ---------------------------------------------------------------------------------------


def point_in_time_sql() -> str:
    """Half-open intervals: a version is valid from ``dbt_valid_from`` (inclusive) to ``dbt_valid_to``
    (exclusive; NULL while current). A left join keeps appointments no version covers (state NULL)."""
    return """
        select a.APPOINTMENT_ID, s.STATE
        from appointments a
        left join clients_snapshot s
          on  s.CLIENT_ID = a.CLIENT_ID
          and a.APPOINTMENT_TS >= s.dbt_valid_from
          and (s.dbt_valid_to is null or a.APPOINTMENT_TS < s.dbt_valid_to)
    """


def scd2_sql() -> str:
    """Drop the updates that change nothing (same state as the previous one), then each version is valid until
    the next version of the same client starts (``lead``), the last one open (NULL)."""
    return """
        with ordered as (
            select CLIENT_ID, STATE, UPDATED_AT,
                   lag(STATE) over (partition by CLIENT_ID order by UPDATED_AT) as PREVIOUS_STATE
            from client_updates
        ),
        changes as (
            select CLIENT_ID, STATE, UPDATED_AT from ordered
            where PREVIOUS_STATE is null or PREVIOUS_STATE <> STATE
        )
        select CLIENT_ID, STATE, UPDATED_AT as VALID_FROM,
               lead(UPDATED_AT) over (partition by CLIENT_ID order by UPDATED_AT) as VALID_TO
        from changes
    """


# -- shared: run an answer on DuckDB -------------------------------------------------------------------------


def _run(sql: str, tables: dict[str, tuple[str, list[tuple]]], key: tuple[str, ...]) -> list[tuple]:
    """Create ``tables`` ({name: (columns DDL, rows)}) in a fresh DuckDB, run ``sql``, return the ``key``
    columns of its rows, sorted."""
    if not isinstance(sql, str) or not sql.strip():
        raise Mismatch(f"return the SQL as a string, got {type(sql).__name__}")
    names, rows = run_on_duckdb(sql, tables)
    missing = [k for k in key if k not in names]
    if missing:
        raise Mismatch(f"return the columns {list(key)}; missing {missing} (got {names})")
    return sorted((tuple(row[names.index(k)] for k in key) for row in rows), key=repr)


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


# -- grader 1: point in time ---------------------------------------------------------------------------------

_SNAPSHOT = ("CLIENT_ID INTEGER, STATE VARCHAR, dbt_valid_from TIMESTAMP, dbt_valid_to TIMESTAMP", [
    (1, "CA", _ts("2025-01-01 09:00"), _ts("2025-09-10 12:00")),
    (1, "NY", _ts("2025-09-10 12:00"), None),                        # moved; current
    (2, "TX", _ts("2025-02-01 09:00"), _ts("2025-09-20 08:00")),     # deleted on the 20th (invalidated)
    (3, "WA", _ts("2025-09-05 10:00"), None),                        # first seen on the 5th
])
_APPOINTMENTS = ("APPOINTMENT_ID INTEGER, CLIENT_ID INTEGER, APPOINTMENT_TS TIMESTAMP", [
    (10, 1, _ts("2025-09-03 09:00")),   # before the move: CA
    (11, 1, _ts("2025-09-10 12:00")),   # exactly at the move: the new version, NY
    (12, 1, _ts("2025-09-15 09:00")),   # after: NY
    (20, 2, _ts("2025-09-12 09:00")),   # while the client existed: TX
    (21, 2, _ts("2025-09-25 09:00")),   # after the client was deleted: no version, NULL
    (30, 3, _ts("2025-09-01 09:00")),   # before the first version: NULL
])
_PIT_TRUTH = [(10, "CA"), (11, "NY"), (12, "NY"), (20, "TX"), (21, None), (30, None)]


def _pit(sql: str) -> dict[int, list[Any]]:
    rows = _run(sql, {"clients_snapshot": _SNAPSHOT, "appointments": _APPOINTMENTS}, ("APPOINTMENT_ID", "STATE"))
    out: dict[int, list[Any]] = {}
    for appointment, state in rows:
        out.setdefault(appointment, []).append(state)
    return out


def grade_point_in_time_sql(fn: Callable[[], str], *, show: bool = True) -> Grade:
    def answer() -> dict[int, list[Any]]:
        return _pit(fn())

    def state_of(appointment: int, expected: str | None, why: str) -> Callable[[Any], None]:
        def check(_: Any) -> None:
            got = answer().get(appointment)
            if got is None:
                raise Mismatch(f"appointment {appointment} is missing ({why}): keep every appointment (left join)")
            expect(sorted(got, key=repr), [expected], f"state of appointment {appointment} ({why})")
        return check

    checks = [
        ("before the move: the old version", state_of(10, "CA", "09-03, the client moved on 09-10")),
        ("exactly at the move: the new version only",
         state_of(11, "NY", "at the very second the new version starts; BETWEEN matches both versions")),
        ("after the move: the current version", state_of(12, "NY", "the current version has dbt_valid_to NULL")),
        ("a deleted client, while they existed", state_of(20, "TX", "the client's only version, closed later")),
        ("after the client was deleted: no state", state_of(21, None, "no version covers the moment")),
        ("before the first version: no state", state_of(30, None, "history starts at the first snapshot")),
        ("one row per appointment", lambda f: expect(
            sorted((k, v[0]) for k, v in answer().items() if len(v) == 1), sorted(_PIT_TRUTH, key=repr),
            "rows (appointment, state)")),
    ]
    return grade("point_in_time_sql", fn, checks, show=show)


# -- grader 2: SCD2 from a change log ------------------------------------------------------------------------

_UPDATES = ("CLIENT_ID INTEGER, STATE VARCHAR, UPDATED_AT TIMESTAMP", [
    (1, "CA", _ts("2025-01-01 09:00")),
    (1, "CA", _ts("2025-03-01 09:00")),   # rewritten with the same state (a name change, a re-save): no version
    (1, "NY", _ts("2025-09-10 12:00")),
    (1, "CA", _ts("2025-09-20 08:00")),   # moved back: a new version, not the first one reopened
    (2, "TX", _ts("2025-02-01 09:00")),
    (3, "WA", _ts("2025-09-05 10:00")),
    (3, "OR", _ts("2025-09-06 10:00")),
])
_SCD2_TRUTH = [
    (1, "CA", _ts("2025-01-01 09:00"), _ts("2025-09-10 12:00")),
    (1, "NY", _ts("2025-09-10 12:00"), _ts("2025-09-20 08:00")),
    (1, "CA", _ts("2025-09-20 08:00"), None),
    (2, "TX", _ts("2025-02-01 09:00"), None),
    (3, "WA", _ts("2025-09-05 10:00"), _ts("2025-09-06 10:00")),
    (3, "OR", _ts("2025-09-06 10:00"), None),
]


def _scd2(sql: str) -> list[tuple]:
    return _run(sql, {"client_updates": _UPDATES}, ("CLIENT_ID", "STATE", "VALID_FROM", "VALID_TO"))


def grade_scd2_sql(fn: Callable[[], str], *, show: bool = True) -> Grade:
    def versions(client: int) -> list[tuple]:
        return sorted((r for r in _scd2(fn()) if r[0] == client), key=lambda r: r[2])

    checks = [
        ("one version per real change (no-op updates dropped)",
         lambda f: expect([(r[1], r[2]) for r in versions(1)],
                          [(r[1], r[2]) for r in _SCD2_TRUTH if r[0] == 1], "client 1's versions (state, from)")),
        ("a version ends where the next begins (half-open, no gaps)",
         lambda f: expect([r[3] for r in versions(3)], [_ts("2025-09-06 10:00"), None], "client 3's VALID_TO")),
        ("moving back opens a new version", lambda f: expect(
            [r[1] for r in versions(1)], ["CA", "NY", "CA"], "client 1's states in order")),
        ("the current version is open (VALID_TO NULL)",
         lambda f: expect(versions(2), [(2, "TX", _ts("2025-02-01 09:00"), None)], "client 2's versions")),
        ("every version of every client", lambda f: expect(
            _scd2(fn()), sorted(_SCD2_TRUTH, key=repr), "all versions")),
    ]
    return grade("scd2_sql", fn, checks, show=show)
