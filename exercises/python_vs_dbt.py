"""Exercises of notebook 11 (Python vs dbt): the graders, and reference answers to read after trying.

1. A rule that belongs in dbt: a **singular test**, the SELECT that returns the failing rows.
2. A check that belongs in Python: the **volume anomaly** judgement on a day's row count.

The dbt grader compiles ``{{ ref('model') }}`` to the model's table (``ANALYTICS.MARTS.MODEL``) and runs the
query through the simulated Snowflake (fakesnow), so Snowflake SQL (``EQUAL_NULL``, ``IFF``, ``DIV0``...)
works as it would in production; a test passes when the query returns no rows. It needs a running sim
(any seed).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Sequence
from typing import Any

from exercises.grading import Grade, Mismatch, expect, grade, world

SCRATCH = "EXERCISE_FCT_APPOINTMENTS"
MODELS = {"fct_appointments": "FCT_APPOINTMENTS", "dim_clients": "DIM_CLIENTS", "dim_clinicians": "DIM_CLINICIANS"}
_REF = re.compile(r"\{\{\s*ref\(\s*['\"](\w+)['\"]\s*\)\s*\}\}")


# -- reference answers ---------------------------------------------------------------------------------------


def no_show_flag_test() -> str:
    """A dbt singular test (tests/assert_no_show_flag_matches_status.sql): IS_NO_SHOW is 1 exactly when STATUS is
    'no_show', 0 otherwise, and never NULL. ``IS DISTINCT FROM`` treats NULL as a value, so a NULL flag fails
    instead of vanishing (``NULL <> 0`` is NULL, and WHERE drops it)."""
    return """
        select APPOINTMENT_ID, STATUS, IS_NO_SHOW
        from {{ ref('fct_appointments') }}
        where IS_NO_SHOW is distinct from (case when STATUS = 'no_show' then 1 else 0 end)
    """


def volume_anomaly(history: Sequence[int], today: int, *, max_z: float = 3.0, min_history: int = 7) -> bool | None:
    """Is ``today``'s row count an anomaly against the previous days' counts?

    Days with 0 rows are left out of the baseline (an empty day is an incident, not normal volume).
    ``None`` when fewer than ``min_history`` days remain (not judged); a flat history (standard deviation 0)
    makes any different count an anomaly; otherwise ``|z| > max_z`` with the sample standard deviation.
    """
    baseline = [n for n in history if n > 0]
    if len(baseline) < min_history:
        return None
    mean, sd = statistics.fmean(baseline), statistics.stdev(baseline)
    if sd == 0:
        return today != mean
    return abs(today - mean) / sd > max_z


# -- graders -------------------------------------------------------------------------------------------------


def compile_refs(sql: str, models: dict[str, str] | None = None) -> str:
    """``{{ ref('fct_appointments') }}`` -> ``ANALYTICS.MARTS.FCT_APPOINTMENTS``; anything else in ``{{ }}``
    or ``{% %}`` is refused (the exercise needs no other Jinja)."""
    models = models or MODELS

    def table(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in models:
            raise Mismatch(f"ref('{name}'): no such model (models: {', '.join(sorted(models))})")
        return f"ANALYTICS.MARTS.{models[name]}"

    if not _REF.search(sql):
        raise Mismatch("select from {{ ref('fct_appointments') }}, not from a table name: dbt resolves the ref "
                       "(and builds the test after the model it reads)")
    compiled = _REF.sub(table, sql)
    if "{{" in compiled or "{%" in compiled:
        raise Mismatch("only {{ ref('model') }} is needed here; other Jinja is not compiled by this grader")
    return compiled


def _failing_ids(sql: str, models: dict[str, str] | None = None) -> list[Any]:
    """The test's failing APPOINTMENT_IDs, the query run in Snowflake's dialect on the sim."""
    compiled = compile_refs(sql, models)
    with world().warehouse.cursor() as cur:
        cur.execute(compiled)
        names = [d[0].upper() for d in cur.description]
        if "APPOINTMENT_ID" not in names:
            raise Mismatch(f"return the failing rows with their APPOINTMENT_ID (columns were {names})")
        rows = cur.fetchall()
    return sorted(row[names.index("APPOINTMENT_ID")] for row in rows)


def _damaged_copy() -> dict[str, list[Any]]:
    """A copy of fct_appointments with four rows whose flag disagrees with their status, one way each."""
    duck = world().warehouse.duckdb().cursor()
    try:
        duck.execute(f'CREATE OR REPLACE TABLE "ANALYTICS"."MARTS"."{SCRATCH}" AS '
                     'SELECT * FROM "ANALYTICS"."MARTS"."FCT_APPOINTMENTS"')

        def first(status: str, offset: int = 0) -> Any:
            return duck.execute(f'SELECT APPOINTMENT_ID FROM "ANALYTICS"."MARTS"."{SCRATCH}" WHERE STATUS = ? '
                                'ORDER BY APPOINTMENT_ID LIMIT 1 OFFSET ?', [status, offset]).fetchone()[0]

        cases = {"no_show flagged 0": (first("no_show"), 0), "completed flagged 1": (first("completed"), 1),
                 "cancelled flagged 1": (first("cancelled"), 1), "flag is NULL": (first("completed", 1), None)}
        for appointment, flag in cases.values():
            duck.execute(f'UPDATE "ANALYTICS"."MARTS"."{SCRATCH}" SET IS_NO_SHOW = ? WHERE APPOINTMENT_ID = ?',
                         [flag, appointment])
    finally:
        duck.close()
    return {name: [appointment] for name, (appointment, _) in cases.items()}


def _drop_copy() -> None:
    duck = world().warehouse.duckdb().cursor()
    try:
        duck.execute(f'DROP TABLE IF EXISTS "ANALYTICS"."MARTS"."{SCRATCH}"')
    finally:
        duck.close()


def grade_no_show_flag_test(fn: Callable[[], str], *, show: bool = True) -> Grade:
    """The SQL from ``fn()`` returns no rows on the real mart and exactly the damaged rows on a damaged copy."""
    damaged = _damaged_copy()
    copy = {**MODELS, "fct_appointments": SCRATCH}
    expected = sorted(i for ids in damaged.values() for i in ids)

    def sql() -> str:
        text = fn()
        if not isinstance(text, str) or not text.strip():
            raise Mismatch(f"return the test's SQL as a string, got {type(text).__name__}")
        return text

    def catches(name: str) -> Callable[[Any], None]:
        def check(_: Any) -> None:
            if damaged[name][0] not in _failing_ids(sql(), copy):
                raise Mismatch(f"appointment {damaged[name][0]} ({name}) is not among the failing rows")
        return check

    checks = [
        ("the real mart passes: no failing rows", lambda f: expect(_failing_ids(sql()), [], "failing rows")),
        *[(f"catches: {name}", catches(name)) for name in damaged],
        ("returns exactly the four bad rows", lambda f: expect(_failing_ids(sql(), copy), expected, "failing ids")),
    ]
    try:
        return grade("no_show_flag_test", fn, checks, show=show)
    finally:
        _drop_copy()


def grade_volume_anomaly(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    steady = [50, 48, 53, 51, 47, 52, 49, 50, 46, 54, 51, 49, 50, 48]  # two weeks: mean 49.9, sample sd 2.25

    def close(value: Any, wanted: Any, what: str) -> None:
        if value is not wanted and value != wanted:
            raise Mismatch(f"{what}: expected {wanted!r}, got {value!r}")

    checks = [
        ("an ordinary day is not an anomaly", lambda f: close(f(steady, 52), False, "52 rows")),
        ("a half-empty day is an anomaly", lambda f: close(f(steady, 25), True, "25 rows")),
        ("a doubled day is an anomaly too", lambda f: close(f(steady, 100), True, "100 rows")),
        ("max_z is honoured", lambda f: close(f(steady, 45, max_z=2.0), True, "45 rows with max_z=2")),
        ("too little history is not judged (None)", lambda f: close(f(steady[:5], 10), None, "5 days of history")),
        ("empty days are left out of the baseline",
         lambda f: close(f([0, 0, 0, *steady[:7]], 30), True, "30 rows after three empty days")),
        ("empty days do not count as history", lambda f: close(f([0] * 5 + steady[:4], 30), None, "4 real days")),
        ("a flat history: the same count is normal", lambda f: close(f([40] * 10, 40), False, "flat 40, today 40")),
        ("a flat history: any other count is an anomaly", lambda f: close(f([40] * 10, 41), True, "flat 40, today 41")),
    ]
    return grade("volume_anomaly", fn, checks, show=show)

