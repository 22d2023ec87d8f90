"""Scenario 1's DAG (clinic_appointments_pipeline) run for real with dag.test() on the sim.

A clean day goes all green and posts a summary to Slack; running it again leaves the marts identical; a day
whose partner feed carries null and unknown client ids fails in dbt test *and* in the Python checks, alerts
Slack naming the failures, and never refreshes the customer-facing table; a partner count that disagrees
with the API stops the run at the extract. The first run uses the default invocation (dbt in a subprocess,
as on a real worker) and must cost at most a minute of CPU (its wall time depends on the machine's load).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from pathlib import Path

import pytest

from sim.paths import DAGS_DIR
from solutions import pipeline

DAG_FILE = DAGS_DIR / "clinic_appointments_pipeline.py"
CLEAN, BAD, BROKEN_CONTRACT = dt.date(2025, 9, 29), dt.date(2025, 9, 30), dt.date(2025, 9, 28)
TASKS = ("wait_for_partner_file", "extract_partner_appointments", "dbt_run", "dbt_test", "quality_checks",
         "refresh_customer_metrics", "notify_slack")
BUDGET_S = 60.0


def logical(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)  # the 02:00 run on D processes D-1


def publish_marker(world, day: dt.date, count: int | None = None) -> int:
    declared = len(world.partner.records(day, day)) if count is None else count
    key, body = pipeline.ready_marker(day, declared)
    world.s3.put(key, body)
    return declared


@pytest.fixture(scope="module")
def world(start_module_world):
    return start_module_world()


@pytest.fixture(scope="module")
def clean_run(world):
    publish_marker(world, CLEAN)
    # Airflow's one-time start in this process (import, metadata DB) is not the pipeline's time
    world.airflow  # noqa: B018 - the property starts it
    started = cpu_seconds()
    summary = world.run_dag(DAG_FILE, logical(CLEAN))
    return summary, cpu_seconds() - started


def cpu_seconds() -> float:
    """CPU seconds of this process and its finished children (dbt runs in a subprocess). Unlike the wall
    clock, they do not grow when other work shares the cores (a parallel run, a busy machine)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@pytest.fixture
def fast_dbt(monkeypatch):
    """The same dbt commands through dbt's Python API in this process (the default is a subprocess)."""
    monkeypatch.setenv("AIRFLOW_VAR_DBT_INVOCATION_MODE", "dbt_runner")


def test_clean_day_is_all_green_within_a_minute(world, clean_run):
    summary, seconds = clean_run
    summary.assert_state({task: "success" for task in TASKS}, run="success")
    assert seconds <= BUDGET_S, f"the pipeline took {seconds:.1f} s of CPU"
    assert all(t.tries == 1 for t in summary.tasks)
    extract = summary["extract_partner_appointments"].xcoms["return_value"]
    assert extract["day"] == CLEAN.isoformat() and extract["records"] == extract["landed"] > 0
    assert summary["dbt_test"].xcoms["return_value"]["counts"] == {"pass": 19}
    assert "dbt run --select staging marts" in summary["dbt_run"].output


def test_clean_day_posts_its_summary_to_slack(world, clean_run):
    texts = world.slack.texts
    assert len(texts) == 1
    assert texts[0].startswith(f"clinic_appointments_pipeline {CLEAN}: OK. ")
    assert "19 tests passed" in texts[0] and "quality checks passed" in texts[0]


def test_rerunning_the_clean_day_leaves_the_marts_identical(world, clean_run, fast_dbt):
    before = pipeline.marts_fingerprint(world.warehouse.connect)
    summary = world.run_dag(DAG_FILE, logical(CLEAN))
    assert summary.ok, summary
    assert pipeline.marts_fingerprint(world.warehouse.connect) == before
    landed = summary["extract_partner_appointments"].xcoms["return_value"]
    assert landed["replaced"] == landed["landed"]  # the day's raw rows were replaced, not appended


def test_defective_day_fails_the_checks_alerts_and_skips_the_refresh(world, clean_run, fast_dbt):
    injected = world.damage_partner_feed(BAD, null_client_id=0.1, orphan_client_id=2)
    publish_marker(world, BAD)
    metrics_before = pipeline.marts_fingerprint(
        world.warehouse.connect, ("ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE",))
    alerts_before = len(world.slack.texts)
    try:
        summary = world.run_dag(DAG_FILE, logical(BAD))
    finally:
        world.heal_partner_feed()

    summary.assert_state({
        "wait_for_partner_file": "success", "extract_partner_appointments": "success", "dbt_run": "success",
        "dbt_test": "failed", "quality_checks": "failed",
        "refresh_customer_metrics": "upstream_failed", "notify_slack": "upstream_failed",
    }, run="failed")
    assert summary["dbt_test"].tries == summary["quality_checks"].tries == 1  # bad data: no retries
    assert summary["dbt_test"].error.startswith("AirflowFailException")

    alerts = world.slack.texts[alerts_before:]
    assert len(alerts) == 2 and not any(a.startswith("clinic_appointments_pipeline 2025") for a in alerts)
    by_task = {a.split(" ")[1].split(".")[1]: a for a in alerts}
    assert set(by_task) == {"dbt_test", "quality_checks"}
    assert "not_null_fct_appointments_CLIENT_ID (6 failing rows)" in by_task["dbt_test"]
    assert "relationships_fct_appointments_CLIENT_ID__CLIENT_ID__ref_dim_clients_ (2 failing rows)" \
        in by_task["dbt_test"]
    assert len(injected["null_client_id"].ids) == 6
    assert "client_id [appointment_date = 2025-09-30]: " in by_task["quality_checks"]
    assert "% nulls" in by_task["quality_checks"] and "2 orphaned records" in by_task["quality_checks"]
    assert all(BAD.isoformat() in a for a in alerts)

    # the customer-facing table still holds the last good day
    assert pipeline.marts_fingerprint(
        world.warehouse.connect, ("ANALYTICS.CUSTOMER_METRICS.CLINICIAN_NO_SHOW_RATE",)) == metrics_before


def test_a_partner_count_that_disagrees_stops_the_run_at_the_extract(world, clean_run, fast_dbt):
    declared = publish_marker(world, BROKEN_CONTRACT) + 5
    publish_marker(world, BROKEN_CONTRACT, declared)
    alerts_before = len(world.slack.texts)
    summary = world.run_dag(DAG_FILE, logical(BROKEN_CONTRACT))
    summary.assert_state({"extract_partner_appointments": "failed", "dbt_run": "upstream_failed",
                          "refresh_customer_metrics": "upstream_failed"}, run="failed")
    assert summary["extract_partner_appointments"].tries == 1
    (alert,) = world.slack.texts[alerts_before:]
    assert f"partner declared {declared} appointments, the API served {declared - 5} unique ones" in alert


def test_config_comes_from_variables_with_the_sims_defaults(world, monkeypatch, tmp_path):
    config = pipeline.PipelineConfig.resolve({})
    assert config.partner_api_base_url == "https://api.partner.com/v1"
    assert config.raw_bucket == "simplepractice-raw-data" and config.dbt_invocation_mode == "subprocess"
    assert config.dbt_warehouse_dir == world.warehouse.path
    assert config.dbt().release is not None  # the in-process sim's files are released around dbt

    other = pipeline.PipelineConfig.resolve({
        "partner_api_base_url": "http://127.0.0.1:8001/v1", "backend_api_base_url": "http://127.0.0.1:8002",
        "raw_bucket": "other-bucket", "dbt_invocation_mode": "dbt_runner", "dbt_warehouse_dir": str(tmp_path),
        "dbt_work_dir": str(tmp_path / "dbt")})
    assert (other.partner_api_base_url, other.raw_bucket) == ("http://127.0.0.1:8001/v1", "other-bucket")
    runner = other.dbt()
    assert runner.release is None and runner.in_process and runner.warehouse_dir == Path(tmp_path).resolve()
    served = pipeline.PipelineConfig.resolve({"dbt_warehouse_dir": str(tmp_path),
                                              "warehouse_release_url": "http://127.0.0.1:8003"})
    release = served.dbt().release
    assert release.func.__name__ == "remote_release" and release.args == ("http://127.0.0.1:8003",)
    with pytest.raises(ValueError, match="dbt_invocation_mode"):
        pipeline.PipelineConfig.resolve({"dbt_invocation_mode": "bash"})


def test_config_without_a_sim_needs_the_warehouse_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("AIRFLOW_VAR_DBT_WAREHOUSE_DIR", raising=False)
    monkeypatch.delenv("AIRFLOW_VAR_DBT_WORK_DIR", raising=False)
    with pytest.raises(RuntimeError, match="dbt_warehouse_dir"):
        pipeline.PipelineConfig.resolve({})
    with pytest.raises(RuntimeError, match="dbt_work_dir"):
        pipeline.PipelineConfig.resolve({"dbt_warehouse_dir": str(tmp_path)})


def test_marker_and_contract_helpers():
    key, body = pipeline.ready_marker("2025-09-30", 61)
    assert key == "partner/appointments/2025-09-30/ready.json"
    assert pipeline.read_marker(body, dt.date(2025, 9, 30)) == 61
    with pytest.raises(pipeline.DataProblem, match="for 2025-09-30"):
        pipeline.read_marker(body, "2025-09-29")
    with pytest.raises(pipeline.DataProblem, match="unreadable"):
        pipeline.read_marker(b"{not json", "2025-09-30")
    assert os.environ.get("AIRFLOW_VAR_DBT_INVOCATION_MODE") is None


def test_deadline_callback_posts_who_is_late(world):
    """The Deadline Alert callback a real scheduler would call (dag.test() cannot run DAGs with deadlines)."""
    pipeline.deadline_missed({"dag_run": {"dag_id": pipeline.DAG_ID, "run_id": "scheduled__2025-10-01T02:00:00+00:00"},
                              "deadline": {"deadline_time": "2025-10-01T06:00:00+00:00"}})
    assert world.slack.texts[-1].startswith(
        "LATE clinic_appointments_pipeline scheduled__2025-10-01T02:00:00+00:00: not finished by its deadline "
        "(2025-10-01T06:00:00+00:00)")
