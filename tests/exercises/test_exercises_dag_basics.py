"""The notebook 01 graders accept the reference answers and reject broken ones, the syllabus's own among them."""

from __future__ import annotations

import datetime as dt

import pytest

from exercises import dag_basics as ex
from exercises.grading import failed_exactly


@pytest.fixture(scope="module", autouse=True)
def world(start_module_world):
    return start_module_world()


def not_attempted(*args):
    raise NotImplementedError


@pytest.mark.parametrize("grader", [ex.grade_build_daily_dag, ex.grade_alert_on_failure])
def test_not_attempted_is_reported_calmly(grader, world):
    before = len(world.slack.messages)
    assert grader(not_attempted, show=False).status == "not attempted"
    assert len(world.slack.messages) == before


# -- build_daily_dag -----------------------------------------------------------------------------------------


def build(**overrides):
    """The reference DAG with some arguments changed (``default_args`` replaced whole)."""
    import pendulum
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    kwargs = dict(dag_id=ex.DAG_ID, schedule="0 2 * * *", start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
                  catchup=False, tags=["appointments"],
                  default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)})
    kwargs.update(overrides)
    kwargs = {k: v for k, v in kwargs.items() if v is not ...}
    with DAG(**kwargs) as dag:  # noqa: AIR002 - kwargs carries the schedule (or leaves it out on purpose)
        EmptyOperator(task_id="validate_appointment_data")
    return dag


def syllabus_dag():
    """The syllabus's DAG with schedule_interval moved into default_args, the only way it still loads."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG

    default_args = {
        'owner': 'data-team',
        'depends_on_past': False,
        'start_date': dt.datetime(2024, 1, 1),
        'retries': 2,
        'retry_delay': dt.timedelta(minutes=5),
        'schedule_interval': '0 2 * * *',
    }
    # the syllabus's DAG: its schedule_interval sits in default_args, so the DAG has no schedule
    with DAG(ex.DAG_ID, default_args=default_args,  # noqa: AIR002
             description='Process daily appointment data',
             catchup=False, tags=["appointments"]) as dag:
        EmptyOperator(task_id="validate_appointment_data")
    return dag


def test_build_daily_dag_accepts_the_reference():
    g = ex.grade_build_daily_dag(ex.build_daily_dag, show=False)
    assert g.passed, g.lines


@pytest.mark.parametrize("fn, checks", [
    (syllabus_dag, ["the scheduler runs it", "start_date is fixed"]),
    (lambda: build(start_date=dt.datetime.now(dt.timezone.utc)), ["the scheduler runs it", "start_date is fixed"]),
    (lambda: build(schedule="@daily"), ["the scheduler runs it"]),
    (lambda: build(schedule=dt.timedelta(days=1)), ["the scheduler runs it"]),
    (lambda: build(catchup=True), ["catchup is off"]),
    (lambda: build(default_args={"owner": "data-team", "retries": 1}), ["every task"]),
    (lambda: build(tags=...), ["tagged"]),
    (lambda: build(dag_id="daily_appointments"), ["returns a DAG"]),
])
def test_build_daily_dag_rejects_broken_versions(fn, checks):
    g = ex.grade_build_daily_dag(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_the_syllabus_dag_is_reported_as_never_scheduled():
    g = ex.grade_build_daily_dag(syllabus_dag, show=False)
    assert "the scheduler would never run it" in "\n".join(g.lines)


# -- alert_on_failure ----------------------------------------------------------------------------------------


def alert_nothing(context):
    """The syllabus's alerting: email_on_failure in default_args; as a callback, nothing reaches Slack."""


def alert_unchecked(context):
    import requests
    from airflow.sdk import Variable

    ti = context["ti"]
    requests.post(Variable.get("slack_webhook_url"), timeout=10, json={
        "text": f"{ti.dag_id}.{ti.task_id} failed for {context['ds']}: {context['exception']}"})


def alert_vague(context):
    import requests
    from airflow.sdk import Variable

    response = requests.post(Variable.get("slack_webhook_url"), json={"text": "A task failed"}, timeout=10)
    response.raise_for_status()


def alert_prints_url(context):
    from airflow.sdk import Variable

    url = Variable.get("slack_webhook_url")
    print(f"alerting {url}")
    ex.alert_on_failure(context)


def alert_logs_url(context):
    import logging

    from airflow.sdk import Variable

    logging.getLogger("alerts").warning("posting to %s", Variable.get("slack_webhook_url"))
    ex.alert_on_failure(context)


def alert_wrong_key(context):
    import requests
    from airflow.sdk import Variable

    response = requests.post(Variable.get("slack_webhook_url"), timeout=10, json={
        "text": f"failed for {context['execution_date']}"})  # gone in Airflow 3: KeyError
    response.raise_for_status()


def test_alert_on_failure_accepts_the_reference(world):
    before = len(world.slack.messages)
    g = ex.grade_alert_on_failure(ex.alert_on_failure, show=False)
    assert g.passed, g.lines
    assert world.slack.texts[before:] == [
        "FAILED exercise_failure_alert.validate_appointment_data for 2025-09-16 (try 2): "
        "No appointments found for 2025-09-15"]
    assert world.slack.faults.faults == []  # the injected 500 is cleared again


@pytest.mark.parametrize("fn, checks", [
    (alert_nothing, ["exactly one Slack message", "the message names", "a Slack error"]),
    (alert_unchecked, ["a Slack error"]),
    (alert_vague, ["the message names"]),
    (alert_prints_url, ["a Slack error"]),
    (alert_logs_url, ["a Slack error"]),
    (alert_wrong_key, ["Airflow calls it once", "exactly one Slack message", "the message names"]),
])
def test_alert_on_failure_rejects_broken_versions(fn, checks):
    g = ex.grade_alert_on_failure(fn, show=False)
    assert failed_exactly(g, *checks), g.lines


def test_printing_the_webhook_url_is_named():
    g = ex.grade_alert_on_failure(alert_prints_url, show=False)
    assert "the webhook URL was printed" in "\n".join(g.lines)


# -- correct alternatives ------------------------------------------------------------------------------------


def dag_decorator():
    """The @dag decorator: calling the decorated function returns the DAG."""
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import dag

    @dag(dag_id=ex.DAG_ID, schedule="0 2 * * *", start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc),
         catchup=False, tags=["appointments", "daily"],
         default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(seconds=300)})
    def ex_daily_appointments():
        EmptyOperator(task_id="validate")

    return ex_daily_appointments()


def dag_cron_timetable():
    """An explicit CronTriggerTimetable in UTC, pendulum's start date, two tasks."""
    import pendulum
    from airflow.providers.standard.operators.empty import EmptyOperator
    from airflow.sdk import DAG
    from airflow.timetables.trigger import CronTriggerTimetable

    with DAG(ex.DAG_ID, schedule=CronTriggerTimetable("0 2 * * *", timezone="UTC"),
             start_date=pendulum.datetime(2025, 9, 1, tz="UTC"), catchup=False, tags=["appointments"],
             default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
             ) as built:
        EmptyOperator(task_id="extract") >> EmptyOperator(task_id="validate")
    return built


@pytest.mark.parametrize("fn", [dag_decorator, dag_cron_timetable])
def test_build_daily_dag_accepts_correct_alternatives(fn):
    g = ex.grade_build_daily_dag(fn, show=False)
    assert g.passed, g.lines


def alert_with_session(context):
    """A Session, the logical date from the DAG run, response.ok checked by hand."""
    import requests
    from airflow.sdk import Variable

    run, ti = context["dag_run"], context["task_instance"]
    text = (f":red_circle: {run.dag_id} / {ti.task_id} failed, logical date {run.logical_date:%Y-%m-%d}: "
            f"{context.get('exception')!r}")
    with requests.Session() as session:
        response = session.post(Variable.get("slack_webhook_url"), json={"text": text}, timeout=(3, 10))
    if not response.ok:
        raise RuntimeError(f"Slack webhook answered HTTP {response.status_code}")


def alert_raise_for_status(context):
    import requests
    from airflow.sdk import Variable

    text = "Task {t} in {d} failed on {ds}: {e}".format(
        t=context["ti"].task_id, d=context["dag"].dag_id, ds=context["ds"], e=context["exception"])
    requests.post(Variable.get("slack_webhook_url"), json={"text": text}, timeout=5).raise_for_status()


@pytest.mark.parametrize("fn", [alert_with_session, alert_raise_for_status])
def test_alert_on_failure_accepts_correct_alternatives(fn, world):
    g = ex.grade_alert_on_failure(fn, show=False)
    assert g.passed, g.lines
