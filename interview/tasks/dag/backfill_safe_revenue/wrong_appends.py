"""Fails: a rerun leaves one row per day - the day is inserted without deleting the previous row.

Every retry, rerun or backfill of a day adds another row: the finance dashboard's SUM doubles for exactly the
days someone tried to fix."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, CronDataIntervalTimetable, task

CREATE = ("CREATE TABLE IF NOT EXISTS ANALYTICS.MARTS.DAILY_REVENUE "
          "(REVENUE_DATE DATE, REVENUE NUMBER(12, 2), PAYMENTS NUMBER)")
DELETE = "DELETE FROM ANALYTICS.MARTS.DAILY_REVENUE WHERE REVENUE_DATE = %(day)s"
INSERT = """INSERT INTO ANALYTICS.MARTS.DAILY_REVENUE
            SELECT %(day)s, COALESCE(SUM(PAYMENT_AMOUNT::NUMBER(12, 2)), 0), COUNT(*)
            FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE >= %(start)s AND PAYMENT_DATE < %(end)s"""

with DAG(
    dag_id="daily_revenue",
    # a data-interval timetable: the run at midnight covers the day that just ended. A cron *string* gives a
    # CronTriggerTimetable on Airflow 3, whose data interval is a single point in time.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
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
            cur.execute(INSERT, params)
        return params["day"]

    compute_day()
