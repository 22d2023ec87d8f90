"""Grader DAG for notebook 01's failure-alert exercise: a validation that fails, with the attempt as its
``on_failure_callback`` (looked up in ``exercises._in_airflow`` when the file is parsed)."""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

from exercises.dag_basics import failing_validation, recording_callback

with DAG(
    dag_id="exercise_failure_alert",
    schedule=None,
    start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc),
    default_args={"owner": "grader", "retries": 1},
    tags=["exercise"],
) as dag:
    PythonOperator(task_id="validate_appointment_data", python_callable=failing_validation,
                   on_failure_callback=recording_callback)
