"""Exercises of notebook 06 (sensors): the graders, and reference answers to read after trying.

Both exercises are the body of a ``@task.sensor``: a poke that returns ``PokeReturnValue(is_done, xcom_value)``.

1. ``appointments_file_ready(hook, day)``: the day's file is in S3 *and* has bytes in it (an S3Hook is given).
2. ``staging_rows_ready(cursor, day, min_rows)``: the day's raw rows have landed in the warehouse
   (``RAW.STAGING.RAW_APPOINTMENTS``, JSON in a VARIANT column), at least ``min_rows`` of them.

The graders need a running sim (S3 and the warehouse with default data).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from exercises.grading import Grade, Mismatch, SpyCursor, expect, grade, require_bound, world

BUCKET = "simplepractice-raw-data"
DAY = dt.date(2025, 9, 30)

# -- reference answers ---------------------------------------------------------------------------------------


def appointments_file_ready(hook: Any, day: dt.date) -> Any:
    """Done when ``appointments/<day>/data.csv`` exists and is not empty; the XCom is its key."""
    from airflow.sdk import PokeReturnValue

    key = f"appointments/{day.isoformat()}/data.csv"
    head = hook.head_object(key, bucket_name=BUCKET)
    return PokeReturnValue(is_done=bool(head) and head["ContentLength"] > 0, xcom_value=key)


def staging_rows_ready(cursor: Any, day: dt.date, min_rows: int) -> Any:
    """Done when at least ``min_rows`` raw rows of ``day`` have landed; the XCom is the count."""
    from airflow.sdk import PokeReturnValue

    cursor.execute("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS "
                   "WHERE RAW_DATA:appointment_date::DATE = %s", (day,))
    count = int(cursor.fetchone()[0])
    return PokeReturnValue(is_done=count >= min_rows, xcom_value=count)


# -- graders -------------------------------------------------------------------------------------------------


def _poke_result(result: Any) -> Any:
    from airflow.sdk import PokeReturnValue

    if not isinstance(result, PokeReturnValue):
        raise Mismatch(f"expected a PokeReturnValue (is_done, xcom_value), got {type(result).__name__}: {result!r}")
    return result


@contextmanager
def _landing(files: dict[str, bytes]) -> Iterator[None]:
    """These objects under ``appointments/`` and nothing else there, for one check; what was there before
    is put back afterwards."""
    s3 = world().s3
    saved = {key: s3.read(key) for key in s3.keys("appointments/")}

    def clear() -> None:
        for key in s3.keys("appointments/"):
            s3.client.delete_object(Bucket=BUCKET, Key=key)

    clear()
    for key, body in files.items():
        s3.put(key, body)
    try:
        yield
    finally:
        clear()
        for key, body in saved.items():
            s3.put(key, body)


def grade_appointments_file_ready(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    from airflow.providers.amazon.aws.hooks.s3 import S3Hook

    key = f"appointments/{DAY.isoformat()}/data.csv"
    body = b"appointment_id,status\n18,completed\n"

    def poke(files: dict[str, bytes], day: dt.date = DAY) -> Any:
        with _landing(files):
            return _poke_result(fn(S3Hook(aws_conn_id="aws_default"), day))

    def not_done(files: dict[str, bytes], day: dt.date = DAY) -> None:
        expect(bool(poke(files, day).is_done), False, "is_done")

    def done(_: Any) -> None:
        result = poke({key: body})
        expect(bool(result.is_done), True, "is_done")
        expect(result.xcom_value, key, "xcom_value")

    checks = [
        ("no file yet: not done", lambda f: not_done({})),
        ("the day's file with rows in it: done, and the XCom is its key", done),
        ("an empty (zero-byte) file: not done", lambda f: not_done({key: b""})),
        ("another day's file does not count", lambda f: not_done({"appointments/2025-09-29/data.csv": body})),
        ("the day comes from the argument", lambda f: not_done({key: body}, dt.date(2025, 9, 29))),
    ]
    return grade("appointments_file_ready", fn, checks, show=show)


def grade_staging_rows_ready(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    warehouse = world().warehouse
    landed = warehouse.query("SELECT COUNT(*) FROM RAW.STAGING.RAW_APPOINTMENTS "
                             "WHERE RAW_DATA:appointment_date::DATE = %s", (DAY,))[0][0]
    if not landed:
        raise RuntimeError(f"the sim has no raw rows for {DAY}: start it with default data")

    statements: list[tuple[str, Any]] = []

    def poke(day: dt.date, min_rows: int) -> Any:
        statements.clear()
        with warehouse.cursor() as cur:
            return _poke_result(fn(SpyCursor(cur, statements), day, min_rows))

    def bound(_: Any) -> None:
        statements.clear()
        with warehouse.cursor() as cur:
            fn(SpyCursor(cur, statements), DAY, 1)
        require_bound(statements, {"the day": DAY})

    def done(_: Any) -> None:
        result = poke(DAY, 1)
        expect(bool(result.is_done), True, "is_done")
        expect(result.xcom_value, landed, "xcom_value (the day's row count)")

    checks = [
        (f"{DAY} has {landed} raw rows: done with 1 needed, the XCom is the count", done),
        (f"exactly {landed} needed: done", lambda f: expect(bool(poke(DAY, landed).is_done), True, "is_done")),
        (f"{landed + 1} needed: not done yet", lambda f: expect(bool(poke(DAY, landed + 1).is_done), False, "is_done")),
        ("a day with no rows landed: not done",
         lambda f: expect(bool(poke(dt.date(2025, 9, 29), 1).is_done), False, "is_done")),
        ("the day is a bound parameter, not part of the SQL", bound),
    ]
    return grade("staging_rows_ready", fn, checks, show=show)
