"""Exercises of notebook 03 (PythonOperator and the context): the graders, and reference answers.

* ``day_for_run(**context)`` is a ``python_callable``: the day a 02:00 run validates. Graded inside real
  Airflow: a grader DAG (``grader_dags/exercise_context_day.py``) runs it as a task on the sim, so it receives
  Airflow's real context, and its return value is read back from XCom.
* ``count_appointments(day, connect)`` counts one day's appointments and those lacking an id, the way the
  corrected ``validate_appointments`` does: bound parameters, connection closed on every path. Graded against
  the warehouse through a spy connection that records the SQL it runs and whether it was closed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from exercises import _in_airflow
from exercises.grading import Grade, Mismatch, QueryFailed, SpyConnection, expect, grade, require_bound

CONTEXT_DAG = "exercise_context_day"
EMPTY_DAY = dt.date(2025, 10, 1)  # after the sim's data: no appointments
NULLS_DAY = dt.date(2025, 10, 2)  # the grader plants four rows here, three of them lacking an id
PLANTED = [(9_000_001, None, 5_001), (9_000_002, 100_001, None), (9_000_003, None, None),
           (9_000_004, 100_002, 5_002)]


# -- reference answers ---------------------------------------------------------------------------------------


def day_for_run(logical_date=None, dag_run=None):
    """The calendar day before the run's logical date, as 'YYYY-MM-DD'.

    Asks for what it needs by name. A run triggered without a logical date (possible on Airflow 3) has no
    ``logical_date`` (nor ``ds``) in its context: fall back to when the run was due, ``dag_run.run_after``.
    """
    when = logical_date or dag_run.run_after
    return (when.date() - dt.timedelta(days=1)).isoformat()


def count_appointments(day: dt.date | str, connect: Callable[[], Any]) -> tuple[int, int]:
    """(appointments on ``day``, those with a NULL client_id or clinician_id): one bound query, always closed."""
    from contextlib import closing

    with closing(connect()) as conn, closing(conn.cursor()) as cursor:
        cursor.execute("""SELECT COUNT(*), COUNT(CASE WHEN client_id IS NULL OR clinician_id IS NULL THEN 1 END)
                          FROM fct_appointments WHERE appointment_date = %s""", (day,))
        rows, null_ids = cursor.fetchone()
    return int(rows), int(null_ids)


# -- day_for_run ---------------------------------------------------------------------------------------------


def grade_day_for_run(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    runs: dict[str, Any] = {}

    def not_attempted(f: Any) -> None:
        try:
            fn()
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001, S110 - without a context most attempts fail; the real runs judge
            pass

    def run(logical_date: str) -> Any:
        if logical_date not in runs:
            _in_airflow.register("day_for_run", fn)
            runs[logical_date] = _in_airflow.run(CONTEXT_DAG, logical_date)
        return runs[logical_date]

    def returns(logical_date: str, wanted: str) -> None:
        summary = run(logical_date)
        task = summary["day_for_run"]
        if task.state != "success":
            raise Mismatch(f"the task {task.state}: {task.error or 'see the log file'}")
        expect(task.xcoms.get("return_value"), wanted, f"return value for logical date {logical_date[:16]}")

    checks = [
        ("written (not the stub)", not_attempted),
        ("runs as a PythonOperator callable in a real Airflow run",
         lambda f: expect(run("2025-09-01T02:00:00+00:00").state, "success", "the run")),
        ("the 02:00 run on 2025-09-01 validates '2025-08-31'", lambda f: returns("2025-09-01T02:00:00+00:00", "2025-08-31")),
        ("the 02:00 run on 2025-10-01 validates '2025-09-30'", lambda f: returns("2025-10-01T02:00:00+00:00", "2025-09-30")),
    ]
    return grade("day_for_run", fn, checks, show=show)


# -- count_appointments --------------------------------------------------------------------------------------


@contextmanager
def _planted(world: Any) -> Iterator[None]:
    """Rows with NULL ids on ``NULLS_DAY`` (the notebook's data has none), removed afterwards in any case."""
    marks = ", ".join(["(%s, %s, %s, %s, 'completed', 0, 50, 120.00)"] * len(PLANTED))
    world.warehouse.query(
        "INSERT INTO ANALYTICS.MARTS.FCT_APPOINTMENTS (APPOINTMENT_ID, CLIENT_ID, CLINICIAN_ID, "
        f"APPOINTMENT_DATE, STATUS, IS_NO_SHOW, DURATION_MINUTES, FEE_AMOUNT) VALUES {marks}",
        [v for row in PLANTED for v in (*row, NULLS_DAY)])
    try:
        yield
    finally:
        world.warehouse.query("DELETE FROM ANALYTICS.MARTS.FCT_APPOINTMENTS WHERE APPOINTMENT_DATE = %s",
                              (NULLS_DAY,))


def grade_count_appointments(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    import sim

    world = sim.current()
    opened: list[SpyConnection] = []
    defect_day = dt.date.fromisoformat(world.manifest.defect_day)
    planted = (len(PLANTED), sum(1 for _, client, clinician in PLANTED if None in (client, clinician)))

    def factory(fail: bool = False) -> Callable[[], SpyConnection]:
        def connect() -> SpyConnection:
            spy = SpyConnection(world.warehouse.connect(), fail)
            opened.append(spy)
            return spy
        return connect

    def truth(day: dt.date) -> tuple[int, int]:
        rows, nulls = world.warehouse.query(
            "SELECT COUNT(*), COUNT(CASE WHEN client_id IS NULL OR clinician_id IS NULL THEN 1 END) "
            "FROM fct_appointments WHERE appointment_date = %s", (day,))[0]
        return int(rows), int(nulls)

    def counts(day: Any) -> tuple[int, int]:
        result = fn(day, factory())
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise Mismatch(f"expected a (rows, null_ids) pair, got {result!r}")
        for what, value in zip(("rows", "null_ids"), result):
            if value is None:
                raise Mismatch(f"{what} is None, not 0: an aggregate can be NULL when no row qualifies (SUM "
                               "does, and Snowflake documents COUNT_IF so): COALESCE it or use "
                               "COUNT(CASE WHEN ...)")
            if isinstance(value, bool) or not isinstance(value, int):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    raise Mismatch(f"{what} should be a whole number, got {value!r}") from None
        return int(result[0]), int(result[1])

    def bound(f: Any) -> None:
        opened.clear()
        fn(defect_day, factory())
        require_bound([s for spy in opened for s in spy.statements], {"the day": defect_day})

    def closed_after_success(f: Any) -> None:
        opened.clear()
        fn(defect_day, factory())
        if not opened or not all(spy.closed for spy in opened):
            raise Mismatch("the connection was left open after a successful count")

    def closed_after_failure(f: Any) -> None:
        opened.clear()
        try:
            fn(defect_day, factory(fail=True))
        except QueryFailed:
            pass
        except Exception as error:  # noqa: BLE001 - say what came instead
            got = f"{type(error).__name__}: {error}"
            raise Mismatch(f"expected the query's QueryFailed to propagate, got {got}") from error
        else:
            raise Mismatch("the query failed and the function returned anyway: let the error propagate")
        if not opened or not all(spy.closed for spy in opened):
            raise Mismatch("the query failed and the connection was left open (close it in finally / closing())")

    def injection(f: Any) -> None:
        injected = f"{defect_day.isoformat()}' OR '1'='1"
        whole_table = world.warehouse.query("SELECT COUNT(*) FROM fct_appointments")[0][0]
        try:
            result = fn(injected, factory())
        except Exception:  # noqa: BLE001 - refusing the value (or the database refusing it) is fine
            return
        if result and int(result[0]) == whole_table:
            raise Mismatch(f"the quote rewrote the query: it counted the whole table ({whole_table} rows)")

    checks = [
        (f"{defect_day}: the day's rows and null ids", lambda f: expect(counts(defect_day), truth(defect_day), "counts")),
        (f"{NULLS_DAY}: {planted[1]} of {planted[0]} rows lack a client_id or a clinician_id",
         lambda f: expect(counts(NULLS_DAY), planted, "counts")),
        (f"{EMPTY_DAY} (no data): (0, 0)", lambda f: expect(counts(EMPTY_DAY), (0, 0), "counts")),
        ("the day is a bound parameter, not part of the SQL", bound),
        ("the connection is closed after success", closed_after_success),
        ("the connection is closed when the query fails, and the error propagates", closed_after_failure),
        ("a quote in the day cannot rewrite the query", injection),
    ]
    with _planted(world):
        return grade("count_appointments", fn, checks, show=show)
