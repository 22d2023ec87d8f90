"""Exercises of notebook 12 (Scenario 1, the daily pipeline): the graders, and reference answers to read after trying.

1. **Backfill**: which logical dates to trigger so that a range of data days is (re)processed.
2. **The partner's contract**: read the "day closed" marker and hold the extract to its count.
3. **Idempotency, measured**: a content fingerprint of one day of a table, independent of row order.

The third grader needs a running sim (it builds two small scratch tables in ANALYTICS.MARTS and drops them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from solutions.grading import Grade, Mismatch, SpyCursor, expect, grade, require_bound
from solutions.pipeline import DataProblem
from solutions.sql import quote_identifier, quote_table

SCRATCH_A, SCRATCH_B, VICTIM = "EXERCISE_DAY_A", "EXERCISE_DAY_B", "EXERCISE_DAY_VICTIM"


# -- reference answers ---------------------------------------------------------------------------------------


def logical_dates_for_backfill(first_day: dt.date, last_day: dt.date) -> list[dt.date]:
    """The logical dates whose runs process the data days ``first_day`` .. ``last_day`` (inclusive), in order.

    The DAG's 02:00 run with logical date D processes D - 1 day, so each data day maps to the day after it.
    """
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    return [first_day + dt.timedelta(days=n + 1) for n in range((last_day - first_day).days + 1)]


def check_contract(marker_body: str | bytes, day: dt.date, records: Sequence[dict[str, Any]]) -> int:
    """The number of unique appointments in ``records`` when it equals the marker's count for ``day``.

    Raises ``DataProblem`` when the marker is unreadable, is for another day, or declares another count.
    Duplicates (the same ``appointment_id`` served twice) count once.
    """
    try:
        marker = json.loads(marker_body)
        declared, marker_day = int(marker["appointments"]), str(marker["day"])
    except (ValueError, KeyError, TypeError) as error:
        raise DataProblem(f"unreadable marker: {error}", ["unreadable marker"]) from None
    if marker_day != day.isoformat():
        raise DataProblem(f"the marker is for {marker_day}, not {day}", ["marker for another day"])
    unique = len({r["appointment_id"] for r in records})
    if unique != declared:
        raise DataProblem(f"partner declared {declared}, served {unique}", ["count differs"])
    return unique


def day_fingerprint(cursor: Any, table: str, date_column: str, day: dt.date) -> tuple[int, str]:
    """(rows, sha256 of the rows) of one day of ``table``, the same whatever order the rows are stored in."""
    cursor.execute(f"SELECT * FROM {quote_table(table)} WHERE {quote_identifier(date_column)} = %s", (day,))
    rows = sorted(repr(row) for row in cursor.fetchall())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()


# -- graders -------------------------------------------------------------------------------------------------


def _as_days(value: Any) -> list[dt.date]:
    """The answer as dates: ``date`` objects, or the runs' own logical dates (02:00 UTC datetimes)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise Mismatch(f"expected a list of dates, got {type(value).__name__} {value!r}")
    days = []
    for item in value:
        if isinstance(item, dt.datetime):
            offset = item.utcoffset()
            at_two = item.timetz().replace(tzinfo=None) == dt.time(2)
            if offset is None or offset != dt.timedelta(0) or not at_two:
                raise Mismatch(f"{item!r} is not a logical date of this DAG: its runs are at 02:00 UTC "
                               "(return dates, or aware 02:00 UTC datetimes)")
            days.append(item.date())
        elif isinstance(item, dt.date):
            days.append(item)
        else:
            raise Mismatch(f"expected dates, got {type(item).__name__} {item!r}")
    return days


def grade_logical_dates_for_backfill(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    d = dt.date

    def expect_days(value: Any, wanted: list[dt.date]) -> None:
        expect(_as_days(value), wanted, "logical dates")

    def raises_value_error(f: Callable[..., Any]) -> None:
        try:
            f(d(2025, 9, 10), d(2025, 9, 1))
        except ValueError:
            return
        raise Mismatch("first_day after last_day: expected ValueError")

    checks = [
        ("one day", lambda f: expect_days(f(d(2025, 9, 29), d(2025, 9, 29)), [d(2025, 9, 30)])),
        ("three days, in order", lambda f: expect_days(f(d(2025, 9, 28), d(2025, 9, 30)),
                                                       [d(2025, 9, 29), d(2025, 9, 30), d(2025, 10, 1)])),
        ("across a month end", lambda f: expect_days(f(d(2025, 8, 31), d(2025, 9, 1)),
                                                     [d(2025, 9, 1), d(2025, 9, 2)])),
        ("first_day after last_day raises ValueError", raises_value_error),
    ]
    return grade("logical_dates_for_backfill", fn, checks, show=show)


def grade_check_contract(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day = dt.date(2025, 9, 30)
    records = [{"appointment_id": i} for i in range(1, 41)]
    marker = json.dumps({"day": "2025-09-30", "appointments": 40})

    def problem(*args: Any) -> Callable[[Any], None]:
        def check(f: Callable[..., Any]) -> None:
            try:
                result = f(*args)
            except DataProblem:
                return
            raise Mismatch(f"expected DataProblem, got {result!r}")
        return check

    checks = [
        ("the declared count passes", lambda f: expect(f(marker, day, records), 40)),
        ("duplicates count once", lambda f: expect(f(marker, day, records + records[:3]), 40)),
        ("fewer than declared is a DataProblem", problem(marker, day, records[:-2])),
        ("more than declared is a DataProblem", problem(marker, day, records + [{"appointment_id": 99}])),
        ("a marker for another day is a DataProblem",
         problem(json.dumps({"day": "2025-09-29", "appointments": 40}), day, records)),
        ("an unreadable marker is a DataProblem", problem("{not json", day, records)),
        ("a marker without a count is a DataProblem", problem(json.dumps({"day": "2025-09-30"}), day, records)),
    ]
    return grade("check_contract", fn, checks, show=show)


def _world() -> Any:
    import sim

    return sim.current()


@contextmanager
def _scratch() -> Iterator[None]:
    """Two tables with the same rows inserted in opposite orders, two days each, and a victim table."""
    warehouse = _world().warehouse
    values = [(1, "2025-09-29", "completed"), (2, "2025-09-29", "no_show"), (3, "2025-09-29", "cancelled"),
              (4, "2025-09-30", "completed"), (5, "2025-09-30", "completed")]
    # 2025-09-28: three rows each, a duplicated row in both tables (a XOR of row hashes cancels duplicates)
    twins_a = [(6, "2025-09-28", "completed"), (6, "2025-09-28", "completed"), (7, "2025-09-28", "no_show")]
    twins_b = [(7, "2025-09-28", "no_show"), (8, "2025-09-28", "cancelled"), (8, "2025-09-28", "cancelled")]
    for name, rows in ((SCRATCH_A, values + twins_a), (SCRATCH_B, values[::-1] + twins_b)):
        warehouse.query(f"CREATE OR REPLACE TABLE {name} (APPOINTMENT_ID INT, APPOINTMENT_DATE DATE, STATUS VARCHAR)")
        warehouse.query(f"INSERT INTO {name} VALUES " + ", ".join(["(%s, %s, %s)"] * len(rows)),
                        [v for row in rows for v in row])
    warehouse.query(f"CREATE OR REPLACE TABLE {VICTIM} (X INT)")
    try:
        yield
    finally:
        for name in (SCRATCH_A, SCRATCH_B, VICTIM):
            warehouse.query(f"DROP TABLE IF EXISTS {name}")


def grade_day_fingerprint(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    day, other, twins = dt.date(2025, 9, 29), dt.date(2025, 9, 30), dt.date(2025, 9, 28)
    warehouse = _world().warehouse
    statements: list[tuple[str, Any]] = []

    def run(table: str, when: dt.date = day, column: str = "appointment_date") -> Any:
        statements.clear()
        with warehouse.cursor() as cur:
            try:
                result = fn(SpyCursor(cur, statements), table, column, when)
            except Exception as error:
                if "hash_agg" in str(error).lower():
                    raise Mismatch("HASH_AGG is the Snowflake answer, but the simulated warehouse (fakesnow "
                                   "on DuckDB) cannot run it: hash the rows in Python (hashlib)") from None
                raise
        if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], int)):
            raise Mismatch(f"expected (row count, hash), got {result!r}")
        return result

    def bound(f: Any) -> None:
        run(SCRATCH_A)
        require_bound(statements, {"the day": day})

    def stable_across_processes(f: Any) -> None:
        """Run again with ``hash`` salted otherwise in the answer's module, as a new process would have it."""
        first = run(SCRATCH_A)
        scope, missing = getattr(fn, "__globals__", {}), object()
        saved = scope.get("hash", missing)
        real_hash = hash
        scope["hash"] = lambda value: real_hash(("another process", value))
        try:
            second = run(SCRATCH_A)
        finally:
            if saved is missing:
                scope.pop("hash", None)
            else:
                scope["hash"] = saved
        if second != first:
            raise Mismatch("the fingerprint changed when Python's hash() was salted differently, as it is in "
                           "every new process (PYTHONHASHSEED): two task runs could never match; use hashlib")

    def duplicates_count(f: Any) -> None:
        if run(SCRATCH_A, twins) == run(SCRATCH_B, twins):
            raise Mismatch("(x, x, y) and (y, z, z) gave the same fingerprint: duplicate rows cancelled out "
                           "(a XOR of row hashes does that)")

    def same_rows_other_order(f: Any) -> None:
        a, b = run(SCRATCH_A), run(SCRATCH_B)
        if a != b:
            raise Mismatch(f"same rows stored in another order gave {a} and {b}")

    def one_value_changed(f: Any) -> None:
        before = run(SCRATCH_B)
        warehouse.query(f"UPDATE {SCRATCH_B} SET STATUS = 'completed' WHERE APPOINTMENT_ID = 2")
        try:
            if run(SCRATCH_B) == before:
                raise Mismatch("a status changed from no_show to completed and the fingerprint did not change")
        finally:
            warehouse.query(f"UPDATE {SCRATCH_B} SET STATUS = 'no_show' WHERE APPOINTMENT_ID = 2")

    def other_day_ignored(f: Any) -> None:
        before = run(SCRATCH_B)
        warehouse.query(f"UPDATE {SCRATCH_B} SET STATUS = 'no_show' WHERE APPOINTMENT_ID = 5")
        try:
            expect(run(SCRATCH_B), before, f"{day} after a change on {other}")
        finally:
            warehouse.query(f"UPDATE {SCRATCH_B} SET STATUS = 'completed' WHERE APPOINTMENT_ID = 5")

    def days_differ(f: Any) -> None:
        if run(SCRATCH_A, other) == run(SCRATCH_A):
            raise Mismatch("two different days gave the same fingerprint")

    def injection_refused(f: Any) -> None:
        try:
            run(f"{SCRATCH_A}; DROP TABLE {VICTIM}")
        except ValueError:
            return
        except Exception as error:  # noqa: BLE001 - report what came instead
            raise Mismatch(f"expected ValueError before any SQL ran, got {type(error).__name__}") from None
        raise Mismatch("an injected table name ran")

    checks = [
        ("counts the day's rows", lambda f: expect(run(SCRATCH_A)[0], 3, "rows")),
        ("same rows in another order: same fingerprint", same_rows_other_order),
        ("one value changed: another fingerprint", one_value_changed),
        ("another day's change does not matter", other_day_ignored),
        ("days differ", days_differ),
        ("duplicate rows do not cancel out", duplicates_count),
        ("the same in another process (no salted hash())", stable_across_processes),
        ("the day is a bound parameter, not part of the SQL", bound),
        ("an injected table name raises ValueError", injection_refused),
    ]
    with _scratch():
        return grade("day_fingerprint", fn, checks, show=show)
