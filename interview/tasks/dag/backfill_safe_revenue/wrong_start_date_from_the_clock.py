"""Fails: no work at parse time, each run covers one whole day from midnight to midnight UTC, runs for two dates each write the revenue of their own interval's day, a rerun leaves one row per day - start_date is computed from the clock when the file is parsed.

start_date=now minus a week moves at every parse (the DAG processor parses every 30 seconds by default): the
first run the scheduler plans keeps moving, and the history before it can never be scheduled or backfilled: a
run for a date before the moving start_date creates no task instance at all, so nothing is computed."""

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
    start_date=pendulum.now("UTC").subtract(days=7),
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
