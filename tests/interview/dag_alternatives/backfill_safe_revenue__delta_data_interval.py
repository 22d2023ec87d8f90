"""daily_revenue on a DeltaDataIntervalTimetable of one day (a bare timedelta would give a
DeltaTriggerTimetable), one row per day of the interval, written with the hook's run()."""

from __future__ import annotations

import datetime as dt

from airflow.sdk import DAG, DeltaDataIntervalTimetable, task

with DAG("daily_revenue", schedule=DeltaDataIntervalTimetable(dt.timedelta(days=1)),
         start_date=dt.datetime(2025, 9, 1, tzinfo=dt.timezone.utc), catchup=False,
         default_args={"owner": "finance-data", "retries": 2}, tags=["revenue"]):

    @task
    def compute_day(data_interval_start=None, data_interval_end=None) -> None:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook

        hook = SnowflakeHook(snowflake_conn_id="snowflake_default")
        window = {"start": data_interval_start.date(), "end": data_interval_end.date()}
        hook.run([
            "CREATE TABLE IF NOT EXISTS ANALYTICS.MARTS.DAILY_REVENUE "
            "(REVENUE_DATE DATE, REVENUE NUMBER(12, 2), PAYMENTS NUMBER)",
            "DELETE FROM ANALYTICS.MARTS.DAILY_REVENUE "
            "WHERE REVENUE_DATE >= %(start)s AND REVENUE_DATE < %(end)s",
            "INSERT INTO ANALYTICS.MARTS.DAILY_REVENUE SELECT PAYMENT_DATE, SUM(PAYMENT_AMOUNT), COUNT(*) "
            "FROM ANALYTICS.MARTS.FCT_PAYMENTS WHERE PAYMENT_DATE >= %(start)s AND PAYMENT_DATE < %(end)s "
            "GROUP BY PAYMENT_DATE",
        ], parameters=window)

    compute_day()
