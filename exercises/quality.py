"""Exercises of notebook 07 (data quality): the graders, and reference answers to read after trying.

Each exercise function takes a Snowflake cursor first (the grader opens one on the running sim) and must
build its SQL safely: identifiers through ``solutions.sql.quote_table`` / ``quote_identifier``, values as
bound ``%s`` parameters. The graders need the notebook's world:
``sim.start(defects={"null_client_id": ..., "missing_day": True, ...})``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from exercises.grading import Grade, Mismatch, cursor, expect, grade, require_bound, world
from solutions.sql import quote_identifier, quote_table

STATUSES = ("completed", "no_show", "cancelled")
EMPTY = "EXERCISE_EMPTY_EVENTS"
VICTIM = "EXERCISE_VICTIM"
WORDS = "EXERCISE_STATUSES"


# -- reference answers ---------------------------------------------------------------------------------------


def check_freshness(cursor: Any, table: str, column: str, as_of: dt.datetime, max_age: dt.timedelta) -> bool:
    """True when the newest ``column`` value is at least ``as_of - max_age``; an empty table is not fresh."""
    cursor.execute(f"SELECT MAX({quote_identifier(column)}) FROM {quote_table(table)}")
    (latest,) = cursor.fetchone()
    return latest is not None and latest >= as_of - max_age


def count_unaccepted(cursor: Any, table: str, column: str, accepted: Sequence[Any]) -> int:
    """Rows whose non-NULL ``column`` is not one of ``accepted``: one ``%s`` per accepted value."""
    col = quote_identifier(column)
    marks = ", ".join(["%s"] * len(accepted))
    cursor.execute(f"SELECT COUNT(*) FROM {quote_table(table)} WHERE {col} IS NOT NULL AND {col} NOT IN ({marks})",
                   tuple(accepted))
    return int(cursor.fetchone()[0])


def null_percentage(cursor: Any, table: str, column: str, date_column: str, day: dt.date) -> float | None:
    """Percent of NULL ``column`` values among the rows of ``day``; ``None`` when the day has no rows."""
    col = quote_identifier(column)
    cursor.execute(f"SELECT COUNT(*), COUNT(CASE WHEN {col} IS NULL THEN 1 END) FROM {quote_table(table)} "
                   f"WHERE {quote_identifier(date_column)} = %s", (day,))
    total, nulls = cursor.fetchone()
    return None if total == 0 else nulls / total * 100


# -- graders -------------------------------------------------------------------------------------------------


def _one(sql: str, params: Sequence[Any] = ()) -> Any:
    return world().warehouse.query(sql, params)[0][0]


def _table_exists(name: str) -> bool:
    return _one("SELECT COUNT(*) FROM ANALYTICS.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'MARTS' "
                "AND TABLE_NAME = %s", (name,)) > 0


@contextmanager
def _scratch(*statements: str) -> Iterator[None]:
    """Throwaway tables in ANALYTICS.MARTS for one grading, dropped afterwards whatever happened."""
    warehouse = world().warehouse
    for sql in statements:
        warehouse.query(sql)
    try:
        yield
    finally:
        for name in (EMPTY, VICTIM, WORDS):
            warehouse.query(f"DROP TABLE IF EXISTS {name}")


def _raises_value_error(call: Callable[[], Any], victim: str | None = None) -> None:
    try:
        call()
    except ValueError:
        pass
    except Exception as error:  # noqa: BLE001 - report what came instead
        raise Mismatch(f"expected ValueError before any SQL ran, got {type(error).__name__}: {error}") from None
    else:
        if victim and not _table_exists(victim):
            raise Mismatch(f"expected ValueError; the query ran, and so did the injected DROP: {victim} is gone")
        raise Mismatch("expected ValueError for an injected identifier; the query ran")


def grade_check_freshness(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    latest = _one("SELECT MAX(APPOINTMENT_TS) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS")
    day = dt.timedelta(days=1)

    statements: list[tuple[str, Any]] = []

    def run(table: str, as_of: dt.datetime, max_age: dt.timedelta, column: str = "appointment_ts") -> Any:
        statements.clear()
        with cursor(statements) as cur:
            return fn(cur, table, column, as_of, max_age)

    def bound(f: Any) -> None:
        as_of = latest + dt.timedelta(hours=5)
        run("fct_appointments", as_of, day)
        require_bound(statements, {"as_of": as_of, "as_of - max_age": as_of - day})

    checks = [
        ("fresh: the newest row is an hour old, one day allowed",
         lambda f: expect(run("fct_appointments", latest + dt.timedelta(hours=1), day), True)),
        ("stale: the newest row is two days old", lambda f: expect(run("fct_appointments", latest + 2 * day, day), False)),
        ("exactly max_age old is still fresh", lambda f: expect(run("fct_appointments", latest + day, day), True)),
        ("a second over max_age is stale (compare datetimes, not days)",
         lambda f: expect(run("fct_appointments", latest + day + dt.timedelta(seconds=1), day), False)),
        ("as_of and the cutoff are bound parameters, not part of the SQL", bound),
        ("an empty table is not fresh", lambda f: expect(run(EMPTY, latest, day, "event_ts"), False)),
        ("an injected table name raises ValueError",
         lambda f: _raises_value_error(lambda: run(f"{EMPTY}; DROP TABLE {VICTIM}", latest, day, "event_ts"), VICTIM)),
    ]
    with _scratch(f"CREATE OR REPLACE TABLE {EMPTY} (EVENT_TS TIMESTAMP_NTZ)",
                  f"CREATE OR REPLACE TABLE {VICTIM} (X INT)"):
        return grade("check_freshness", fn, checks, show=show)


def grade_count_unaccepted(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    cancelled = _one("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE STATUS = 'cancelled'")
    everything = ["completed", "no_show", "cancelled", "o'brien", "CANCELLED", "pending"]

    statements: list[tuple[str, Any]] = []

    def run(table: str, column: str, accepted: Sequence[Any]) -> Any:
        statements.clear()
        with cursor(statements) as cur:
            return fn(cur, table, column, accepted)

    def bound(f: Any) -> None:
        run("fct_appointments", "status", STATUSES)
        require_bound(statements, {f"the accepted value {v!r}": v for v in STATUSES})

    checks = [
        ("fct_appointments.status has no unaccepted values",
         lambda f: expect(run("fct_appointments", "status", STATUSES), 0)),
        ("a narrower set counts the rest", lambda f: expect(run("fct_appointments", "status", STATUSES[:2]), cancelled)),
        ("a quote inside a value is data, not SQL",
         lambda f: expect(run(WORDS, "status", ["completed", "no_show", "cancelled", "o'brien"]), 2)),
        ("NULL is not an unaccepted value", lambda f: expect(run(WORDS, "status", everything), 0)),
        ("an accepted value cannot rewrite the query",
         lambda f: expect(run(WORDS, "status", ["x') OR ('1'='1"]), 6)),
        ("an injected column name raises ValueError",
         lambda f: _raises_value_error(lambda: run(WORDS, "status) FROM dual --", STATUSES))),
        ("the accepted values are bound parameters, not part of the SQL", bound),
    ]
    with _scratch(f"CREATE OR REPLACE TABLE {WORDS} (STATUS VARCHAR)",
                  f"INSERT INTO {WORDS} VALUES ('completed'), ('no_show'), ('cancelled'), ('o''brien'), "
                  "('CANCELLED'), ('pending'), (NULL)"):
        return grade("count_unaccepted", fn, checks, show=show)


def grade_null_percentage(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    manifest = world().manifest
    needed = {"null_client_id", "missing_day"} - set(manifest.defects)
    defect_day = dt.date.fromisoformat(manifest.defect_day)
    missing_day = dt.date.fromisoformat(manifest.defects["missing_day"].day) if not needed else None
    clean_day = next(defect_day - dt.timedelta(days=n) for n in range(1, 4)
                     if defect_day - dt.timedelta(days=n) != missing_day)
    rows = _one("SELECT COUNT(*) FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE APPOINTMENT_DATE = %s", (defect_day,))
    expected = len(manifest.ids("null_client_id")) / rows * 100

    statements: list[tuple[str, Any]] = []

    def run(day: dt.date | None, column: str = "client_id") -> Any:
        if needed:
            raise Mismatch(f"this exercise needs a world started with the defects {sorted(needed)}")
        statements.clear()
        with cursor(statements) as cur:
            return fn(cur, "fct_appointments", column, "appointment_date", day)

    def bound(f: Any) -> None:
        run(defect_day)
        require_bound(statements, {"the day": defect_day})

    def close_to(value: Any, wanted: float, what: str) -> None:
        if value is None or abs(float(value) - wanted) > 1e-9:
            raise Mismatch(f"{what}: expected {wanted!r}, got {value!r}")

    checks = [
        (f"the defect day ({defect_day}) has the injected share of NULLs",
         lambda f: close_to(run(defect_day), expected, "percent")),
        (f"a clean day ({clean_day}) has none: the day filter applies", lambda f: close_to(run(clean_day), 0.0, "percent")),
        (f"a day with no rows ({missing_day}) is None: nothing was measured", lambda f: expect(run(missing_day), None)),
        ("an injected column name raises ValueError",
         lambda f: _raises_value_error(lambda: run(defect_day, "client_id IS NULL OR 1=1 --"))),
        ("the day is a bound parameter, not part of the SQL", bound),
    ]
    return grade("null_percentage", fn, checks, show=show)
