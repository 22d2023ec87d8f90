"""partner_daily_load with classic operators: the day comes in as a rendered template argument."""

from __future__ import annotations

import datetime as dt

from airflow.providers.standard.operators.python import PythonOperator
from airflow.sdk import DAG, CronTriggerTimetable
from airflow.sdk.exceptions import AirflowFailException


def connect():
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    return SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()


def extract_and_land(day: str) -> int:
    from airflow.sdk import Variable

    from solutions.pipeline import extract_and_land as run

    return run(day, token=Variable.get("partner_api_key"), connect=connect)["records"]


def check_day(day: str) -> None:
    conn = connect()
    try:
        cur = conn.cursor()
        cur.execute("SELECT COUNT_IF(RAW_DATA:client_id IS NULL OR IS_NULL_VALUE(RAW_DATA:client_id)) "
                    "FROM RAW.STAGING.PARTNER_APPOINTMENTS WHERE LOAD_DATE = %s", (day,))
        bad = cur.fetchone()[0]
    finally:
        conn.close()
    if bad:
        raise AirflowFailException(f"{day}: {bad} appointments without a client_id")


with DAG(
    "partner_daily_load",
    schedule=CronTriggerTimetable("0 2 * * *", timezone="UTC"),
    start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner"],
):
    yesterday = {"day": "{{ macros.ds_add(ds, -1) }}"}
    land = PythonOperator(task_id="extract_and_land", python_callable=extract_and_land, op_kwargs=yesterday)
    check = PythonOperator(task_id="check_day", python_callable=check_day, op_kwargs=yesterday)
    land >> check
