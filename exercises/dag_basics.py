"""Exercises of notebook 01 (DAG basics): the graders, and reference answers to read after trying.

* ``build_daily_dag()`` returns a DAG with the production settings the syllabus meant to write. Graded on the
  DAG object and on the runs its timetable plans (``solutions.dag_inspect.next_runs``), as the scheduler
  would see them.
* ``alert_on_failure(context)`` is an ``on_failure_callback`` posting to Slack. Graded inside real Airflow:
  a grader DAG whose task fails runs on the sim with the attempt as its callback, and the sim's Slack fake
  says what arrived.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
from collections.abc import Callable
from typing import Any

from exercises import _in_airflow
from exercises.grading import Grade, Mismatch, expect, grade

DAG_ID = "ex_daily_appointments"
START = dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc)
FAILURE = "No appointments found for 2025-09-15"
ALERT_DAG = "exercise_failure_alert"
ALERT_DATE = "2025-09-16T02:00:00+00:00"


# -- reference answers ---------------------------------------------------------------------------------------


def build_daily_dag() -> Any:
    """Daily at 02:00 UTC from 2025-09-01, no catch-up, owner data-team, 2 retries 5 minutes apart, tagged."""
    import pendulum
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    with DAG(
        dag_id=DAG_ID,
        schedule="0 2 * * *",
        start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
        catchup=False,
        default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
        tags=["appointments"],
    ) as dag:
        EmptyOperator(task_id="validate_appointment_data")
    return dag


def alert_on_failure(context: Any) -> None:
    """Post which task failed, for which date, on which try and why; raise when Slack does not answer 200."""
    import requests
    from airflow.sdk import Variable

    ti = context["ti"]
    text = (f"FAILED {ti.dag_id}.{ti.task_id} for {context['logical_date']:%Y-%m-%d} "
            f"(try {ti.try_number}): {context['exception']}")
    response = requests.post(Variable.get("slack_webhook_url"), json={"text": text}, timeout=10)
    if response.status_code != 200:
        raise RuntimeError(f"Slack answered {response.status_code}: {response.text[:100]}")


# -- build_daily_dag -----------------------------------------------------------------------------------------


def _is_dag(value: Any) -> None:
    from airflow.sdk import DAG

    if not isinstance(value, DAG):
        raise Mismatch(f"expected an airflow.sdk.DAG, got {type(value).__name__}")


def grade_build_daily_dag(fn: Callable[[], Any], *, show: bool = True) -> Grade:
    from solutions.dag_inspect import next_runs

    built: list[Any] = []

    def dag() -> Any:
        if not built:
            built.append(fn())
        return built[0]

    def returns_a_dag(f: Any) -> None:
        _is_dag(dag())
        expect(dag().dag_id, DAG_ID, "dag_id")
        if not dag().tasks:
            raise Mismatch("the DAG has no task: add one (any operator)")

    def scheduled_at_two(f: Any) -> None:
        runs = next_runs(dag(), "2025-10-01", 3)
        if not runs:
            raise Mismatch("the scheduler would never run it: its schedule is None (is schedule_interval hiding "
                           "in default_args? Airflow 3 ignores it there)")
        got = [r.run_after.strftime("%Y-%m-%d %H:%M %Z") for r in runs]
        expect(got, ["2025-10-01 02:00 UTC", "2025-10-02 02:00 UTC", "2025-10-03 02:00 UTC"], "next three runs")

    def static_start(f: Any) -> None:
        first = dag().start_date
        if first is None or first != START:
            raise Mismatch(f"start_date: expected 2025-09-01 00:00 UTC, got {first}")
        again = fn().start_date
        if again != first:
            raise Mismatch(f"start_date changed between two parses ({first} then {again}): use a fixed date, "
                           "never datetime.now()")

    def task_defaults(f: Any) -> None:
        for task in dag().tasks:
            got = (task.owner, task.retries, task.retry_delay)
            expect(got, ("data-team", 2, dt.timedelta(minutes=5)), f"{task.task_id} (owner, retries, retry_delay)")

    def tagged(f: Any) -> None:
        if not dag().tags:
            raise Mismatch("no tags: add at least one (teams filter the UI by them)")

    checks = [
        ("returns a DAG with dag_id 'ex_daily_appointments' and a task", returns_a_dag),
        ("the scheduler runs it daily at 02:00 UTC", scheduled_at_two),
        ("start_date is fixed at 2025-09-01 00:00 UTC", static_start),
        ("catchup is off", lambda f: expect(dag().catchup, False, "catchup")),
        ("every task: owner data-team, 2 retries, 5 minutes apart", task_defaults),
        ("tagged", tagged),
    ]
    return grade("build_daily_dag", fn, checks, show=show)


# -- alert_on_failure ----------------------------------------------------------------------------------------

_calls: list[dict[str, Any]] = []  # what the recording callback saw in the grader DAG's run


class _Collect(logging.Handler):
    """Every log record's message, whatever its level, to look for a leaked secret."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(record.getMessage())
        except Exception:  # noqa: BLE001, S110 - a record that cannot format itself leaks nothing
            pass


def failing_validation() -> None:
    """The grader DAG's task: fails like the syllabus's validation on a day without appointments."""
    raise ValueError(FAILURE)


def recording_callback(context: Any) -> None:
    """The grader DAG's ``on_failure_callback``: runs the registered attempt and remembers how it went."""
    call: dict[str, Any] = {"context": context, "error": None}
    _calls.append(call)
    try:
        _in_airflow.attempt("alert_on_failure")(context)
    except Exception as error:
        call["error"] = error
        raise


def grade_alert_on_failure(fn: Callable[[Any], None], *, show: bool = True) -> Grade:
    import sim

    world = sim.current()
    run: dict[str, Any] = {}

    def not_attempted(f: Any) -> None:
        try:
            fn({})
        except NotImplementedError:
            raise
        except Exception:  # noqa: BLE001, S110 - an empty context is not a fair test; the real run below is
            pass

    def run_it() -> dict[str, Any]:
        if not run:
            _in_airflow.register("alert_on_failure", fn)
            _calls.clear()
            before = len(world.slack.messages)
            summary = _in_airflow.run(ALERT_DAG, ALERT_DATE)
            run.update(summary=summary, messages=world.slack.texts[before:], calls=list(_calls))
        return run

    def called_once(f: Any) -> None:
        result = run_it()
        expect(result["summary"].state, "failed", "the grader DAG's run")
        expect(len(result["calls"]), 1, "times Airflow called the callback (once, after the last try)")
        error = result["calls"][0]["error"]
        if error is not None:
            raise Mismatch(f"the callback raised {type(error).__name__}: {error}")

    def one_message(f: Any) -> None:
        expect(len(run_it()["messages"]), 1, "Slack messages posted for one failed task")

    def says_what(f: Any) -> None:
        text = (run_it()["messages"] or [""])[0]
        wanted = {"the DAG id": ALERT_DAG, "the task id": "validate_appointment_data",
                  "the logical date": "2025-09-16", "the error": FAILURE}
        missing = [what for what, part in wanted.items() if part not in text]
        if missing:
            raise Mismatch(f"the message {text!r} does not name {', '.join(missing)}")

    def slack_error_raises(f: Any) -> None:
        calls = run_it()["calls"]
        if not calls:
            raise Mismatch("the callback never ran")
        world.slack.inject("server_error", status=500)
        printed, logged = io.StringIO(), _Collect()
        root = logging.getLogger()
        root.addHandler(logged)
        try:
            with contextlib.redirect_stdout(printed):
                fn(calls[0]["context"])
        except Exception:  # noqa: BLE001, S110 - any exception makes the failure visible in Airflow's log
            pass
        else:
            raise Mismatch("Slack answered 500 and the callback returned quietly: requests.post does not raise "
                           "on an HTTP error, check the status")
        finally:
            world.slack.faults.clear()
            root.removeHandler(logged)
        if world.slack.url in printed.getvalue():
            raise Mismatch("the webhook URL was printed: it is a secret")
        if any(world.slack.url in line for line in logged.lines):
            raise Mismatch("the webhook URL was logged: it is a secret")

    checks = [
        ("written (not the stub)", not_attempted),
        ("Airflow calls it once when the task fails for good, and it succeeds", called_once),
        ("exactly one Slack message", one_message),
        ("the message names the DAG, the task, the logical date and the error", says_what),
        ("a Slack error (HTTP 500) raises instead of passing silently", slack_error_raises),
    ]
    return grade("alert_on_failure", fn, checks, show=show)
