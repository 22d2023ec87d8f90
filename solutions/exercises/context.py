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
from collections.abc import Callable
from typing import Any

from solutions.exercises import _in_airflow
from solutions.grading import Grade, Mismatch, expect, grade

CONTEXT_DAG = "exercise_context_day"
EMPTY_DAY = dt.date(2025, 10, 1)  # after the sim's data: no appointments


# -- reference answers -------------------------------------------------------------------------------------------


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


# -- day_for_run -------------------------------------------------------------------------------------------------


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


# -- count_appointments ------------------------------------------------------------------------------------------


class QueryFailed(RuntimeError):
    """What the spy raises instead of running a query, to test the error path."""


class _SpyCursor:
    def __init__(self, owner: _SpyConnection, real: Any) -> None:
        self._owner, self._real = owner, real

    def execute(self, sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        self._owner.statements.append((sql, params))
        if self._owner.fail:
            raise QueryFailed("the warehouse is unavailable (raised by the grader)")
        self._real.execute(sql, params, *args, **kwargs)
        return self

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __iter__(self) -> Any:
        return iter(self._real)

    def __enter__(self) -> _SpyCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.close()


class _SpyConnection:
    """A real warehouse connection that records each statement and whether ``close()`` was called."""

    def __init__(self, real: Any, fail: bool = False) -> None:
        self._real, self.fail = real, fail
        self.statements: list[tuple[str, Any]] = []
        self.closed = False

    def cursor(self, *args: Any, **kwargs: Any) -> _SpyCursor:
        return _SpyCursor(self, self._real.cursor(*args, **kwargs))

    def close(self) -> None:
        self.closed = True
        self._real.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def __enter__(self) -> _SpyConnection:
        return self

    def __exit__(self, *exc: object) -> None:  # the Snowflake connector closes the connection here too
        self.close()


def grade_count_appointments(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    import sim

    world = sim.current()
    opened: list[_SpyConnection] = []
    defect_day = dt.date.fromisoformat(world.manifest.defect_day)

    def factory(fail: bool = False) -> Callable[[], _SpyConnection]:
        def connect() -> _SpyConnection:
            spy = _SpyConnection(world.warehouse.connect(), fail)
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
        try:
            return tuple(int(x) for x in result)
        except TypeError:
            raise Mismatch(f"expected a (rows, null_ids) pair, got {result!r}") from None

    def bound(f: Any) -> None:
        opened.clear()
        fn(defect_day, factory())
        statements = [s for spy in opened for s in spy.statements]
        if not statements:
            raise Mismatch("no query ran through the connection from connect()")
        for sql, params in statements:
            if defect_day.isoformat() in sql:
                raise Mismatch(f"the day is pasted into the SQL text: {' '.join(sql.split())[:120]!r}")
            if not params:
                raise Mismatch("the query ran without parameters: bind the day with %s")

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
        (f"{EMPTY_DAY} (no data): (0, 0)", lambda f: expect(counts(EMPTY_DAY), (0, 0), "counts")),
        ("the day is a bound parameter, not part of the SQL", bound),
        ("the connection is closed after success", closed_after_success),
        ("the connection is closed when the query fails, and the error propagates", closed_after_failure),
        ("a quote in the day cannot rewrite the query", injection),
    ]
    return grade("count_appointments", fn, checks, show=show)
