"""Validating a day of appointments from an Airflow task: the context, an Airflow Connection, bound SQL.

    describe_run >> count_by_status >> validate_appointment_data

* ``describe_run`` prints what a task learns from its context (``**context``): ``ds``, ``logical_date``,
  ``data_interval_start`` / ``data_interval_end``, ``ti``. It returns the day the run validates.
* ``count_by_status`` is the no-Python route: ``SQLExecuteQueryOperator`` with the ``snowflake_default``
  Connection. ``parameters`` is a templated field, so ``{{ macros.ds_add(ds, -1) }}`` is rendered before the
  query runs, then *bound* (``%(day)s``), never pasted into the SQL text. Its rows become the XCom.
* ``validate_appointment_data`` is the syllabus's callable, corrected: the day from the context, the
  connection from ``SnowflakeHook`` (the same Connection), checks in ``solutions.validation``.

Credentials: the Connection comes from the environment variable ``AIRFLOW_CONN_SNOWFLAKE_DEFAULT`` (JSON);
nothing secret is in this file, and nothing is read while it is parsed.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG

from solutions.alerting import SlackNotifier

SNOWFLAKE_CONN_ID = "snowflake_default"

COUNT_BY_STATUS = """
SELECT status, COUNT(*) AS appointments
FROM fct_appointments
WHERE appointment_date = %(day)s
GROUP BY status
ORDER BY status
"""


def describe_run(**context):
    """Everything here comes from Airflow's context; ``execution_date`` is not in it any more."""
    from solutions.validation import day_to_validate

    ti = context["ti"]
    print(f"ds={context['ds']}  logical_date={context['logical_date'].isoformat()}")
    start, end = context["data_interval_start"], context["data_interval_end"]
    print(f"data_interval: {start.isoformat()} -> {end.isoformat()}")
    print(f"ti: {ti.task_id}, try {ti.try_number}")
    day = day_to_validate(context["logical_date"]).isoformat()
    print(f"validating {day}")
    return day


def validate_appointment_data(**context):
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    from solutions.validation import day_to_validate, validate_appointments

    day = day_to_validate(context["logical_date"])
    return validate_appointments(day, SnowflakeHook(snowflake_conn_id=SNOWFLAKE_CONN_ID))


with DAG(
    dag_id="appointments_validation",
    description="Validate the previous day's appointments (context, Connection, bound parameters)",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={
        "owner": "data-team",
        "retries": 2,
        "retry_delay": dt.timedelta(minutes=5),
        "on_failure_callback": SlackNotifier(),
    },
    tags=["appointments", "validation"],
) as dag:
    describe = PythonOperator(task_id="describe_run", python_callable=describe_run)
    count_by_status = SQLExecuteQueryOperator(
        task_id="count_by_status",
        conn_id=SNOWFLAKE_CONN_ID,
        sql=COUNT_BY_STATUS,
        parameters={"day": "{{ macros.ds_add(ds, -1) }}"},
    )
    validate = PythonOperator(task_id="validate_appointment_data", python_callable=validate_appointment_data)

    describe >> count_by_status >> validate
