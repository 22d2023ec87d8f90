"""The syllabus's XCom threshold check, with classic operators: one task counts the day's staged
appointments and pushes the count under a key; the next pulls it by key and task_ids and compares it with a
threshold.

What changed from the syllabus (Airflow 2 era) and why:

* no ``provide_context=True`` (Airflow 3 refuses it): a callable receives context values by naming them as
  parameters (``ti``, ``ds``, ``params``);
* one XCom, not two: the syllabus pushes the count under ``appointment_count`` *and* returns it (a second
  XCom, ``return_value``); here the callable pushes under its key and returns nothing;
* the count is for the run's day (the run at 02:00 on day D checks D-1), so stale staging data cannot pass;
* the threshold is a DAG param (``conf={"threshold": 40}`` overrides it for one run) instead of a literal;
* a missing XCom fails with a clear message instead of ``TypeError: '<' not supported ... NoneType``;
* a count below the threshold raises ``AirflowFailException``: retrying cannot change the count, so the
  task fails at once instead of burning its retries;
* the warehouse is reached through the Snowflake provider's hook and the ``snowflake_default`` connection
  (no password in code); the SQL binds the day as a parameter.
"""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, Param
from airflow.sdk.exceptions import AirflowFailException

COUNT_KEY = "appointment_count"


def extract_appointment_count(ti, ds: str) -> None:
    """Count yesterday's rows in ``ANALYTICS.STAGING.APPOINTMENTS``; push the count under ``COUNT_KEY``."""
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    day = dt.date.fromisoformat(ds) - dt.timedelta(days=1)
    row = SnowflakeHook(snowflake_conn_id="snowflake_default").get_first(
        "SELECT COUNT(*) FROM ANALYTICS.STAGING.APPOINTMENTS WHERE APPOINTMENT_DATE = %(day)s",
        parameters={"day": day},
    )
    count = int(row[0])
    ti.xcom_push(key=COUNT_KEY, value=count)
    print(f"{count} staged appointments on {day}")


def check_appointment_threshold(ti, params: dict) -> None:
    """Pull the count by key and task_ids; fail (without retries) below ``params["threshold"]``."""
    count = ti.xcom_pull(task_ids="extract_appointment_count", key=COUNT_KEY)
    if count is None:
        raise AirflowFailException(f"no {COUNT_KEY!r} XCom from extract_appointment_count")
    threshold = params["threshold"]
    if count < threshold:
        raise AirflowFailException(f"only {count} appointments, expected at least {threshold}")
    print(f"count {count} meets threshold {threshold}")


with DAG(
    dag_id="xcom_threshold_check",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    params={"threshold": Param(1000, type="integer", minimum=0, description="fewest appointments a day may have")},
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["xcom", "classic"],
    doc_md=__doc__,
) as dag:
    extract = PythonOperator(task_id="extract_appointment_count", python_callable=extract_appointment_count)
    check = PythonOperator(task_id="check_appointment_threshold", python_callable=check_appointment_threshold)
    extract >> check
