"""Exercises of notebook 12 (Scenario 1, the daily pipeline): the graders, and reference answers to read after trying.

1. **Backfill**: the ``airflow backfill create`` command that reprocesses a range of data days, graded by
   the command's own CLI arguments and Airflow's backfill planner (the time of day of ``--to-date`` included).
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

from exercises.grading import Grade, Mismatch, SpyCursor, expect, grade, require_bound, world
from solutions.pipeline import DataProblem
from solutions.sql import quote_identifier, quote_table

SCRATCH_A, SCRATCH_B, VICTIM = "EXERCISE_DAY_A", "EXERCISE_DAY_B", "EXERCISE_DAY_VICTIM"


# -- reference answers ---------------------------------------------------------------------------------------


PIPELINE_DAG_ID = "clinic_appointments_pipeline"


def backfill_command(first_day: dt.date, last_day: dt.date) -> str:
    """The ``airflow backfill create`` command that reprocesses the data days ``first_day`` .. ``last_day``.

    The DAG's 02:00 run with logical date D processes D - 1, so the runs wanted have logical dates
    ``first_day + 1`` .. ``last_day + 1`` at 02:00 UTC. ``--to-date`` is a timestamp: a bare date is midnight,
    which would leave the last run out, so it carries the time of the last run. The days already ran once, so
    ``--reprocess-behavior completed`` (the default, ``none``, skips every date that has a finished run), and
    ``--max-active-runs 1`` runs the days one at a time, oldest first (the backfill's own limit, default 10:
    the DAG's ``max_active_runs`` does not apply to backfill runs).
    """
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")
    first_run, last_run = (dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2), dt.timezone.utc)
                           for day in (first_day, last_day))
    return (f"airflow backfill create --dag-id {PIPELINE_DAG_ID} --from-date {first_run.isoformat()}"
            f" --to-date {last_run.isoformat()} --reprocess-behavior completed --max-active-runs 1")


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


def grade_backfill_command(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    """Read the attempt's command with the command's own CLI arguments (Airflow's) and plan it with Airflow's
    backfill planner on the real pipeline DAG: the runs it creates must be exactly the ones for the days."""
    from solutions.dag_inspect import backfill_plan
    from solutions.dags.clinic_appointments_pipeline import dag

    d = dt.date

    def plan(first: dt.date, last: dt.date) -> Any:
        command = fn(first, last)
        words = command if isinstance(command, (list, tuple)) else [command]
        if not all(isinstance(word, str) for word in words):
            raise Mismatch(f"expected the command as a string (or a list of its words), got {command!r}")
        return backfill_plan(dag, command)

    def runs_for(first: dt.date, last: dt.date) -> None:
        wanted = [dt.datetime.combine(first + dt.timedelta(days=n + 1), dt.time(2), dt.timezone.utc)
                  for n in range((last - first).days + 1)]
        planned = plan(first, last)
        got = [when.astimezone(dt.timezone.utc) for when in planned.logical_dates]
        if got != wanted:
            short = [when.strftime("%m-%d %H:%M") for when in got]
            raise Mismatch(f"Airflow would create {len(got)} runs {short} from --from-date "
                           f"{planned.from_date.isoformat()} --to-date {planned.to_date.isoformat()}; "
                           f"the days {first}..{last} need the {len(wanted)} runs "
                           f"{wanted[0]:%m-%d %H:%M}..{wanted[-1]:%m-%d %H:%M}")

    def right_dag(f: Callable[..., Any]) -> None:
        expect(plan(d(2025, 9, 29), d(2025, 9, 29)).dag_id, PIPELINE_DAG_ID, "--dag-id")

    def one_at_a_time(f: Callable[..., Any]) -> None:
        planned = plan(d(2025, 9, 1), d(2025, 9, 10))
        expect(planned.max_active_runs, 1, "runs at a time (--max-active-runs; the backfill's default is 10)")
        expect(planned.run_backwards, False, "--run-backwards")

    def reruns_finished_days(f: Callable[..., Any]) -> None:
        expect(plan(d(2025, 9, 1), d(2025, 9, 10)).reprocess_behavior, "completed",
               "--reprocess-behavior (the days already ran: 'none' skips them all, 'failed' skips the green ones)")

    def raises_value_error(f: Callable[..., Any]) -> None:
        try:
            f(d(2025, 9, 10), d(2025, 9, 1))
        except ValueError:
            return
        raise Mismatch("first_day after last_day: expected ValueError")

    checks = [
        ("one day: exactly its run", lambda f: runs_for(d(2025, 9, 29), d(2025, 9, 29))),
        ("the DAG is clinic_appointments_pipeline", right_dag),
        ("1-10 September: exactly the 10 runs, the last one included", lambda f: runs_for(d(2025, 9, 1),
                                                                                             d(2025, 9, 10))),
        ("across a month end", lambda f: runs_for(d(2025, 8, 31), d(2025, 9, 1))),
        ("one run at a time, oldest first", one_at_a_time),
        ("days that already ran are run again", reruns_finished_days),
        ("first_day after last_day raises ValueError", raises_value_error),
    ]
    return grade("backfill_command", fn, checks, show=show)


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


@contextmanager
def _scratch() -> Iterator[None]:
    """Two tables with the same rows inserted in opposite orders, two days each, and a victim table."""
    warehouse = world().warehouse
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
    warehouse = world().warehouse
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
