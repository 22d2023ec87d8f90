"""Fails: each run covers one whole day from midnight to midnight UTC, runs for two dates each write the revenue of their own interval's day - schedule=timedelta(days=1), expecting a one-day data interval.

On Airflow 3 a timedelta becomes a DeltaTriggerTimetable ([scheduler] create_delta_data_intervals is False by
default), like a cron string becomes a CronTriggerTimetable: each run's data interval is the single point of
its logical date, so the day selected is empty. DeltaDataIntervalTimetable(timedelta(days=1)) gives real
intervals."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

CREATE = ("CREATE TABLE IF NOT EXISTS ANALYTICS.MARTS.DAILY_REVENUE "
          "(REVENUE_DATE DATE, REVENUE NUMBER(12, 2), PAYMENTS NUMBER)")
DELETE = "DELETE FROM ANALYTICS.MARTS.DAILY_REVENUE WHERE REVENUE_DATE = %(day)s"
INSERT = """INSERT INTO ANALYTICS.MARTS.DAILY_REVENUE
            SELECT %(day)s, COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0), COUNT(*)
            FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE >= %(start)s AND PAYMENT_DATE < %(end)s"""

with DAG(
    dag_id="daily_revenue",
    schedule=dt.timedelta(days=1),
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "finance-data", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["revenue", "backfill"],
) as dag:

    @task
    def compute_day(data_interval_start=None, data_interval_end=None) -> str:
        from contextlib import closing

        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        params = {"day": data_interval_start.date().isoformat(), "start": data_interval_start.date(),
                  "end": data_interval_end.date()}
        with closing(SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()) as conn, \
                closing(conn.cursor()) as cur:
            cur.execute(CREATE)
            cur.execute("BEGIN")
            cur.execute(DELETE, params)  # replace the day: a rerun leaves one row
            cur.execute(INSERT, params)
            cur.execute("COMMIT")
        return params["day"]

    compute_day()
