"""One wait, three ways: the same file awaited by a poke, a reschedule and a deferrable sensor, side by side.

The partner drops ``appointments_<ds>.ready`` into the landing folder when the day is closed. Three sensors
(the standard provider's ``FileSensor``) wait for it, each in one mode, so one run shows what each costs:

* ``wait_poke`` (``mode="poke"``): one worker slot for the whole wait, asleep between checks;
* ``wait_reschedule`` (``mode="reschedule"``): a short try per check; between checks the task is
  ``up_for_reschedule`` and holds nothing, but every check starts a task process again;
* ``wait_deferrable`` (``deferrable=True``): one check on a worker, then ``defer()`` hands a ``FileTrigger`` to the
  **triggerer**, an asyncio loop that runs many such waits in one process; the task is ``deferred`` (no worker
  slot, no process) until the trigger fires, then resumes on a worker in ``execute_complete``.

``read_marker`` runs when all three have seen the file. Under ``make airflow`` (LocalExecutor, a triggerer) the
three wait at the same time; ``tests/sim/test_standalone.py`` samples their states and compares the time each held a
worker slot.

The landing folder is the ``landing`` connection (a File connection: ``{"conn_type": "fs", "extra": {"path":
"/some/folder"}}``, e.g. from ``AIRFLOW_CONN_LANDING``). Checks every 30 seconds, short for a demonstration: a
reschedule-mode sensor should check at most once a minute. Much shorter intervals also widen a known race of
reschedule mode (apache/airflow#71172): the executor's "success" for one check's process reaches the scheduler after
the next check was queued, the scheduler takes it for a task killed from outside, and the sensor spends a retry.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import dag, task

CONN_ID = "landing"
MARKER = "appointments_{{ ds }}.ready"
MODES = {"wait_poke": {"mode": "poke"}, "wait_reschedule": {"mode": "reschedule"},
         "wait_deferrable": {"deferrable": True}}


@dag(
    dag_id="sensor_modes",
    schedule=None,
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 1, "retry_delay": dt.timedelta(minutes=1)},
    tags=["sensors", "deferrable"],
    doc_md=__doc__,
)
def sensor_modes():
    sensors = [FileSensor(task_id=task_id, fs_conn_id=CONN_ID, filepath=MARKER, poke_interval=30, timeout=600,
                          **mode) for task_id, mode in MODES.items()]

    @task
    def read_marker(ds: str | None = None) -> str:
        from pathlib import Path

        from airflow.providers.standard.hooks.filesystem import FSHook

        marker = Path(FSHook(fs_conn_id=CONN_ID).get_path()) / f"appointments_{ds}.ready"
        text = marker.read_text().strip()
        print(f"{marker.name}: {text}")
        return text

    sensors >> read_marker()


dag = sensor_modes()
