"""Exercises of notebook 18 (backfills done right): the graders, and reference answers to read after trying.

1. ``backfill_outcome(existing_state, reprocess_behavior)``: what ``_create_backfill`` does with one logical
   date, given the state of the run that date already has (``None``: no run) and ``--reprocess-behavior``.
2. ``backfill_body(first_day, last_day)``: the JSON body of ``POST /api/v2/backfills`` that reprocesses the
   data days ``first_day``..``last_day`` of ``ny_daily_report``, a DAG that runs at 02:00 New York time and
   processes the New York day before: exactly their runs, only the days whose run failed, two at a time,
   oldest first.

Both graders judge with Airflow's own code: ``_get_dag_run_no_create_reason`` for the first; the API's request
model (``BackfillPostBody``), its date coercion and the backfill planner (``_get_info_list``) for the second.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from exercises.grading import Grade, Mismatch, expect, grade

NEW_YORK = ZoneInfo("America/New_York")
REPORT_DAG_ID = "ny_daily_report"
OUTCOMES = ("create", "rerun", "skip: already exists", "skip: in flight")
STATES = (None, "queued", "running", "success", "failed")
BEHAVIORS = ("none", "failed", "completed")

# -- reference answers ---------------------------------------------------------------------------------------


def backfill_outcome(existing_state: str | None, reprocess_behavior: str) -> str:
    """``create`` a new run, ``rerun`` the existing one (cleared and taken over), or skip it and why."""
    if reprocess_behavior not in BEHAVIORS:
        raise ValueError(f"reprocess_behavior must be one of {BEHAVIORS}, got {reprocess_behavior!r}")
    if existing_state is None:
        return "create"
    if existing_state not in ("success", "failed"):
        return "skip: in flight"  # queued or running: never touched, whatever the behavior
    if reprocess_behavior == "completed" or (reprocess_behavior == "failed" and existing_state == "failed"):
        return "rerun"
    return "skip: already exists"


def backfill_body(first_day: dt.date, last_day: dt.date) -> dict[str, Any]:
    """Runs at 02:00 New York time on ``first_day + 1`` .. ``last_day + 1``, each bound given with its own
    UTC offset (EDT -04:00 or EST -05:00: the zone, not a fixed offset, knows which)."""
    if first_day > last_day:
        raise ValueError(f"first_day {first_day} is after last_day {last_day}")

    def run_of(day: dt.date) -> str:
        return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(2), NEW_YORK).isoformat()

    return {"dag_id": REPORT_DAG_ID, "from_date": run_of(first_day), "to_date": run_of(last_day),
            "reprocess_behavior": "failed", "max_active_runs": 2, "run_backwards": False}


# -- graders -------------------------------------------------------------------------------------------------


def _airflow_outcome(state: str | None, behavior: str) -> str:
    """What Airflow 3.3 does, from its own ``_get_dag_run_no_create_reason``."""
    from airflow.models.backfill import ReprocessBehavior, _get_dag_run_no_create_reason
    from airflow.utils.state import DagRunState

    if state is None:
        return "create"
    reason = _get_dag_run_no_create_reason(SimpleNamespace(state=DagRunState(state)), ReprocessBehavior(behavior))
    return "rerun" if reason is None else f"skip: {reason.value}"


def grade_backfill_outcome(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    """Every (existing state, behavior) pair against Airflow's own decision, grouped by the rule it tests."""

    def cases(states: tuple[str | None, ...], behaviors: tuple[str, ...]) -> Callable[[Any], None]:
        def check(f: Callable[..., Any]) -> None:
            for state in states:
                for behavior in behaviors:
                    got = f(state, behavior)
                    if got not in OUTCOMES:
                        raise Mismatch(f"({state!r}, {behavior!r}) returned {got!r}; expected one of {OUTCOMES}")
                    expect(got, _airflow_outcome(state, behavior),
                           f"outcome for an existing run in state {state!r} with --reprocess-behavior {behavior}")
        return check

    def refuses_unknown(f: Callable[..., Any]) -> None:
        try:
            f("failed", "all")
        except ValueError:
            return
        raise Mismatch("reprocess_behavior 'all' is not one of none/failed/completed: expected ValueError "
                       "(Airflow's CLI refuses it too)")

    checks = [
        ("a date with no run gets a new one", cases((None,), BEHAVIORS)),
        ("none: a finished run, green or red, is left alone", cases(("success", "failed"), ("none",))),
        ("failed: only the red runs are run again", cases(("success", "failed"), ("failed",))),
        ("completed: every finished run is run again", cases(("success", "failed"), ("completed",))),
        ("a queued or running run is never touched", cases(("queued", "running"), BEHAVIORS)),
        ("an unknown behavior raises ValueError", refuses_unknown),
    ]
    return grade("backfill_outcome", fn, checks, show=show)


def report_dag() -> Any:
    """``ny_daily_report``: 02:00 New York time every day (``CronTriggerTimetable`` in that zone)."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
    from airflow.timetables.trigger import CronTriggerTimetable

    with DAG(REPORT_DAG_ID, schedule=CronTriggerTimetable("0 2 * * *", timezone="America/New_York"),
             start_date=dt.datetime(2025, 1, 1, tzinfo=NEW_YORK), catchup=False) as dag:
        EmptyOperator(task_id="build_report")
    return dag


def _wanted_runs(first: dt.date, last: dt.date) -> list[dt.datetime]:
    return [dt.datetime.combine(first + dt.timedelta(days=n + 1), dt.time(2), NEW_YORK).astimezone(dt.timezone.utc)
            for n in range((last - first).days + 1)]


def _read(body: Any) -> Any:
    """The body as the API reads it: its request model (unknown keys refused), dates coerced as it does."""
    from pydantic import ValidationError

    from airflow.api_fastapi.core_api.datamodels.backfills import BackfillPostBody

    if not isinstance(body, dict):
        raise Mismatch(f"expected the JSON body as a dict, got {type(body).__name__}: {body!r}")
    try:
        return BackfillPostBody.model_validate(body)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise Mismatch(f"the API would answer 422: {problems}") from None


def grade_backfill_body(fn: Callable[..., Any], *, show: bool = True) -> Grade:
    """Read the attempt's body with the API's own model and plan its runs with Airflow's backfill planner."""
    from airflow.models.backfill import _get_info_list
    from airflow._shared.timezones import timezone  # what the API's route uses

    from solutions.dag_inspect import scheduler_view

    dag = scheduler_view(report_dag())
    d = dt.date

    def runs_for(first: dt.date, last: dt.date) -> Callable[[Any], None]:
        def check(f: Callable[..., Any]) -> None:
            request = _read(f(first, last))
            start, end = timezone.coerce_datetime(request.from_date), timezone.coerce_datetime(request.to_date)
            planned = _get_info_list(dag=dag, from_date=start, to_date=end, reverse=request.run_backwards)
            got = [info.logical_date.astimezone(dt.timezone.utc) for info in planned]
            wanted = _wanted_runs(first, last)
            if sorted(got) != wanted:
                raise Mismatch(f"from_date {start.isoformat()} .. to_date {end.isoformat()} plans {len(got)} runs "
                               f"{[f'{w:%m-%d %H:%M}' for w in sorted(got)]} (UTC); the days {first}..{last} "
                               f"need the {len(wanted)} runs at 02:00 New York time "
                               f"{[f'{w:%m-%d %H:%M}' for w in wanted]} (UTC)")
        return check

    def options(f: Callable[..., Any]) -> None:
        request = _read(f(d(2025, 9, 1), d(2025, 9, 7)))
        expect(request.dag_id, REPORT_DAG_ID, "dag_id")
        expect(request.reprocess_behavior.value, "failed",
               "reprocess_behavior (only the days whose run failed: 'none' skips them too, 'completed' "
               "reruns the green ones)")
        expect(request.max_active_runs, 2, "max_active_runs (the API's default is 10)")
        expect(request.run_backwards, False, "run_backwards (oldest first)")

    def raises_value_error(f: Callable[..., Any]) -> None:
        try:
            f(d(2025, 9, 7), d(2025, 9, 1))
        except ValueError:
            return
        raise Mismatch("first_day after last_day: expected ValueError")

    checks = [
        ("one September day: exactly its run", runs_for(d(2025, 9, 10), d(2025, 9, 10))),
        ("dag_id, reprocess failed days, two at a time, oldest first", options),
        ("a week in September (EDT, UTC-4)", runs_for(d(2025, 9, 1), d(2025, 9, 7))),
        ("a week across the end of daylight saving time (2 November)", runs_for(d(2025, 10, 29), d(2025, 11, 4))),
        ("one November day (EST, UTC-5)", runs_for(d(2025, 11, 20), d(2025, 11, 20))),
        ("first_day after last_day raises ValueError", raises_value_error),
    ]
    return grade("backfill_body", fn, checks, show=show)
