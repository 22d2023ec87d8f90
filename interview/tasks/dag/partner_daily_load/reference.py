"""The partner's appointments, one day per run: extract and land the day, then check what landed."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

CHECK_SQL = ("SELECT COUNT(*) FROM RAW.STAGING.PARTNER_APPOINTMENTS "
             "WHERE LOAD_DATE = %(day)s AND RAW_DATA:client_id::NUMBER IS NULL")


def _day(logical_date) -> str:
    """The run at 02:00 on day D processes D-1 (a cron schedule: the logical date is D itself)."""
    return (logical_date - dt.timedelta(days=1)).date().isoformat()


def _connect():
    from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

    return SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn


with DAG(
    dag_id="partner_daily_load",
    schedule="0 2 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner", "appointments"],
) as dag:

    @task
    def extract_and_land(logical_date=None) -> dict:
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land as run

        return run(_day(logical_date), token=Variable.get("partner_api_key"), connect=_connect())

    @task
    def check_day(landed: dict, logical_date=None) -> int:
        from contextlib import closing

        from airflow.sdk.exceptions import AirflowFailException

        day = _day(logical_date)
        with closing(_connect()()) as conn, closing(conn.cursor()) as cur:
            cur.execute(CHECK_SQL, {"day": day})
            missing = int(cur.fetchone()[0])
        if missing:
            raise AirflowFailException(f"{day}: {missing} of {landed['records']} lack a client_id")
        return landed["records"]

    check_day(extract_and_land())
