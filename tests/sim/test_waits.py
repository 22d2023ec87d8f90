"""sim.waits lands a file at a chosen check and records where a dag.test() wait ran; with it, the three
sensors of solutions/dags/sensor_modes.py wait as their modes say: poke on the worker, reschedule in short
starts, deferrable in its trigger."""

from __future__ import annotations

import json

import pytest

from sim.waits import WaitLedger


@pytest.fixture
def landing(world, monkeypatch):
    folder = world.run_dir / "landing"
    folder.mkdir()
    monkeypatch.setenv("AIRFLOW_CONN_LANDING", json.dumps({"conn_type": "fs", "extra": {"path": str(folder)}}))
    return folder


@pytest.mark.parametrize("task_id, starts, worker_checks, trigger_checks", [
    ("wait_poke", 1, 3, 0),
    ("wait_reschedule", 3, 3, 0),
    ("wait_deferrable", 2, 1, 2),
])
def test_each_mode_waits_where_it_should(world, landing, task_id, starts, worker_checks, trigger_checks):
    from solutions.dags.sensor_modes import dag

    one = dag.partial_subset(task_ids=[task_id], include_downstream=False, include_upstream=False)
    one.get_task(task_id).poke_interval = 1
    with WaitLedger(landing / "appointments_2025-10-01.ready", land_on_check=3) as ledger:
        summary = world.run_dag(one, "2025-10-01")
    assert summary.state == "success" and summary.tasks[0].tries == 1, summary
    assert (ledger.worker_starts[task_id], ledger.checks[task_id], ledger.trigger_checks[task_id]) == (
        starts, worker_checks, trigger_checks)
    assert (ledger.trigger_seconds[task_id] > 0) == (task_id == "wait_deferrable")


def test_the_whole_dag_reads_the_marker_once_all_three_saw_it(world, landing):
    (landing / "appointments_2025-10-01.ready").write_text("64 appointments")
    summary = world.run_dag("sensor_modes", "2025-10-01", expect="success")
    assert summary.states == {"wait_poke": "success", "wait_reschedule": "success", "wait_deferrable": "success",
                              "read_marker": "success"}


def test_the_ledger_puts_airflow_back_and_refuses_check_zero(world, landing):
    import airflow.sdk.execution_time.supervisor as supervisor
    from airflow.providers.standard.sensors.filesystem import FileSensor

    before = (supervisor.run_task_in_process, FileSensor.poke)
    with WaitLedger(landing / "x.ready"):
        assert supervisor.run_task_in_process is not before[0]
    assert (supervisor.run_task_in_process, FileSensor.poke) == before
    with pytest.raises(ValueError, match="land_on_check"):
        WaitLedger(landing / "x.ready", land_on_check=0)
