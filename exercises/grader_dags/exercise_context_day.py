"""Grader DAG for notebook 03's context exercise (``day_for_run``).

The attempt is the ``python_callable`` itself, so Airflow hands it the context exactly as in a real DAG
(by parameter name, or all of it to ``**context``). Scheduled like the kit's pipeline: 02:00 UTC daily.
"""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

from exercises._in_airflow import attempt

with DAG(
    dag_id="exercise_context_day",
    schedule="0 2 * * *",
    start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    default_args={"owner": "grader", "retries": 0},
    tags=["exercise"],
) as dag:
    PythonOperator(task_id="day_for_run", python_callable=attempt("day_for_run"))
