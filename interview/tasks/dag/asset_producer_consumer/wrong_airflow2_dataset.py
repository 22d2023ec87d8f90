"""Fails: loads like the scheduler, no work at parse time, extract_and_land declares the raw_partner_appointments asset as an outlet, the check DAG is scheduled on the asset and not on a clock, a producer run records an asset event that says which day and how many, the consumer checks the event's day whatever its own logical date, rows lost after the event: the consumer posts the shortfall and fails - imports Dataset from airflow.datasets, which Airflow 3 removed.

Airflow 2.4 to 2.10 called assets datasets. Airflow 3 renamed them Asset (airflow.sdk) and removed the
airflow.datasets module: the file does not import, so the scheduler shows an import error and neither DAG
exists. Every check fails because nothing else can be checked."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.datasets import Dataset
from airflow.sdk import DAG, task

RAW_APPOINTMENTS = Dataset("snowflake://simplepractice/RAW/STAGING/PARTNER_APPOINTMENTS")
DEFAULTS = {"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)}
START = pendulum.datetime(2025, 9, 1, tz="UTC")

with DAG(dag_id="partner_appointments_extract", schedule="0 2 * * *", start_date=START, catchup=False,
         default_args=DEFAULTS, tags=["partner", "assets"]):

    @task(outlets=[RAW_APPOINTMENTS])
    def extract_and_land(logical_date=None, outlet_events=None) -> dict:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land as run

        day = (logical_date - dt.timedelta(days=1)).date().isoformat()
        result = run(day, token=Variable.get("partner_api_key"),
                     connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        outlet_events[RAW_APPOINTMENTS].extra = {"day": day, "records": result["records"]}
        return result

    extract_and_land()

with DAG(dag_id="partner_appointments_check", schedule=RAW_APPOINTMENTS, start_date=START, catchup=False,
         default_args=DEFAULTS, tags=["partner", "assets"]):

    @task(inlets=[RAW_APPOINTMENTS])
    def check_landed_day(triggering_asset_events=None, inlet_events=None) -> str:
        from contextlib import closing

        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.alerting import post_alert
        from solutions.assets import days_of

        day = days_of(RAW_APPOINTMENTS, triggering_asset_events, inlet_events)[-1]
        events = list((triggering_asset_events or {}).get(RAW_APPOINTMENTS, [])) or \
            list(inlet_events[RAW_APPOINTMENTS])[-1:]
        announced = [e.extra["records"] for e in events if e.extra.get("day") == day][-1]
        with closing(SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn()) as conn, \
                closing(conn.cursor()) as cur:
            cur.execute("SELECT COUNT(*) FROM RAW.STAGING.PARTNER_APPOINTMENTS WHERE LOAD_DATE = %s", (day,))
            landed = int(cur.fetchone()[0])
        text = f"{day}: {landed} of {announced} appointments landed"
        post_alert(text, Variable.get("slack_webhook_url"))
        if landed != announced:
            raise ValueError(text)
        return text

    check_landed_day()
