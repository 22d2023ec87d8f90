"""The DAGs of notebooks 01-03 run end to end on the sim (real Airflow 3.3 ``dag.test()``) with the task
states, tries, XComs and Slack messages a reader of the notebooks is told to expect."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.paths import DAGS_DIR

MISSING_DAY = "2025-09-15"
OK_RUN = "2025-10-01T02:00:00+00:00"  # the 02:00 run on 1 October validates 30 September
FAILING_RUN = "2025-09-16T02:00:00+00:00"  # validates the missing day


@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world(defects={"missing_day": MISSING_DAY})


@pytest.fixture
def slack(world):
    before = len(world.slack.messages)
    return lambda: world.slack.texts[before:]


def appointments_on(world, day: str) -> int:
    return world.warehouse.query("SELECT COUNT(*) FROM fct_appointments WHERE appointment_date = %s", (day,))[0][0]


def run(world, name: str, logical_date: str):
    return world.run_dag(DAGS_DIR / f"{name}.py", logical_date)


PIPELINE_TASKS = ["extract_appointments", "run_dbt_models", "validate_appointment_data", "send_completion_alert"]


@pytest.mark.parametrize("name", ["daily_appointments_pipeline", "daily_appointments_taskflow"])
def test_pipeline_validates_the_previous_day(world, slack, name: str) -> None:
    expected = appointments_on(world, "2025-09-30")
    summary = run(world, name, OK_RUN)

    summary.assert_state(dict.fromkeys(PIPELINE_TASKS, "success"), run="success")
    assert [t.task_id for t in summary.tasks] == PIPELINE_TASKS
    assert [t.tries for t in summary.tasks] == [1, 1, 1, 1]
    assert summary["extract_appointments"].xcoms == {"return_value": "stand-in extract for 2025-09-30"}
    assert summary["validate_appointment_data"].xcoms == {
        "return_value": {"day": "2025-09-30", "appointments": expected}}
    assert summary["validate_appointment_data"].output == f"✓ Validation passed: {expected} appointments on 2025-09-30\n"
    assert slack() == [f"{name}: {expected} appointments validated for 2025-09-30"]


@pytest.mark.parametrize("name", ["daily_appointments_pipeline", "daily_appointments_taskflow"])
def test_pipeline_fails_on_a_missing_day_after_its_retries_and_alerts_once(world, slack, name: str) -> None:
    summary = run(world, name, FAILING_RUN)

    summary.assert_state({"extract_appointments": "success", "run_dbt_models": "success",
                          "validate_appointment_data": "failed", "send_completion_alert": "upstream_failed"},
                         run="failed")
    validate = summary["validate_appointment_data"]
    assert validate.tries == 3  # retries=2: three tries, every one real
    assert validate.error == f"ValueError: No appointments found for {MISSING_DAY}"
    assert summary["send_completion_alert"].tries == 0
    assert slack() == [f"FAILED {name}.validate_appointment_data (2025-09-16 02:00 UTC, try 3): "
                       f"ValueError: No appointments found for {MISSING_DAY}"]


def test_pipeline_structure_and_schedule(world) -> None:
    from airflow.sdk import CronTriggerTimetable

    from solutions.dag_inspect import edges, next_runs
    from solutions.dags import daily_appointments_pipeline as classic
    from solutions.dags import daily_appointments_taskflow as taskflow

    chain = {("extract_appointments", "run_dbt_models"), ("run_dbt_models", "validate_appointment_data"),
             ("validate_appointment_data", "send_completion_alert")}
    for dag in (classic.dag, taskflow.pipeline):
        assert edges(dag) == chain
        assert isinstance(dag.timetable, CronTriggerTimetable) and dag.timetable.expression == "0 2 * * *"
        assert dag.catchup is False
        assert dag.start_date == dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc)
        assert {(t.owner, t.retries, t.retry_delay) for t in dag.tasks} == {("data-team", 2, dt.timedelta(minutes=5))}
        assert all(len(t.on_failure_callback) == 1 for t in dag.tasks)
        runs = next_runs(dag, "2025-10-01", 2)
        assert [(r.run_after.isoformat(), r.ds) for r in runs] == [
            ("2025-10-01T02:00:00+00:00", "2025-10-01"), ("2025-10-02T02:00:00+00:00", "2025-10-02")]


def test_dependency_patterns_graph_and_run(world) -> None:
    from solutions.dag_inspect import edges
    from solutions.dags import dependency_patterns

    lands = ["land_appointments", "land_payments", "land_clients"]
    stages = ["stage_appointments", "stage_payments"]
    assert edges(dependency_patterns.dag) == {
        *{("start", land) for land in lands},
        *{(land, stage) for land in lands for stage in stages},  # cross_downstream: 3 x 2
        ("stage_appointments", "check_appointments"), ("stage_payments", "check_payments"),  # chain pairs
        ("check_appointments", "publish_marts"), ("check_payments", "publish_marts"),
        ("publish_marts", "notify"), ("publish_marts", "archive_run"),
    }
    summary = run(world, "dependency_patterns", OK_RUN)
    assert summary.ok and set(summary.states.values()) == {"success"} and len(summary.tasks) == 11
    assert [t.task_id for t in summary.tasks][:4] == ["start", "land_appointments", "land_clients", "land_payments"]


def test_appointments_validation_reports_context_counts_and_validates(world, slack) -> None:
    by_status = world.warehouse.query(
        "SELECT status, COUNT(*) FROM fct_appointments WHERE appointment_date = %s GROUP BY status ORDER BY status",
        ("2025-09-30",))
    summary = run(world, "appointments_validation", OK_RUN)

    summary.assert_state({"describe_run": "success", "count_by_status": "success",
                          "validate_appointment_data": "success"}, run="success")
    assert summary["describe_run"].xcoms == {"return_value": "2025-09-30"}
    assert summary["describe_run"].output == (
        "ds=2025-10-01  logical_date=2025-10-01T02:00:00+00:00\n"
        "data_interval: 2025-10-01T02:00:00+00:00 -> 2025-10-01T02:00:00+00:00\n"
        "ti: describe_run, try 1\n"
        "validating 2025-09-30\n")
    assert summary["count_by_status"].xcoms == {"return_value": [tuple(row) for row in by_status]}
    assert summary["validate_appointment_data"].xcoms["return_value"]["appointments"] == sum(n for _, n in by_status)
    assert slack() == []


def test_appointments_validation_fails_on_the_missing_day(world, slack) -> None:
    summary = run(world, "appointments_validation", FAILING_RUN)

    summary.assert_state({"describe_run": "success", "count_by_status": "success",
                          "validate_appointment_data": "failed"}, run="failed")
    assert summary["count_by_status"].xcoms == {"return_value": []}  # no rows is not an error for a query
    assert summary["validate_appointment_data"].tries == 3
    assert slack() == [f"FAILED appointments_validation.validate_appointment_data (2025-09-16 02:00 UTC, try 3): "
                       f"ValueError: No appointments found for {MISSING_DAY}"]


def test_count_by_status_binds_the_day() -> None:
    from solutions.dags import appointments_validation

    task = appointments_validation.dag.task_dict["count_by_status"]
    assert "%(day)s" in task.sql and "{{" not in task.sql
    assert task.parameters == {"day": "{{ macros.ds_add(ds, -1) }}"}
    assert "parameters" in task.template_fields  # rendered before the query, then bound
