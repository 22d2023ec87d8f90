"""Fails: rows lost after the event: the consumer posts the shortfall and fails - the check posts the counts and succeeds whatever they say.

A check that only reports leaves the run green on the day the counts disagree: whatever waits on this DAG (a
downstream asset, a dashboard of run states) goes ahead on a partial day, and the message is read, at best,
the next morning."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, Asset, task

RAW_APPOINTMENTS = Asset(name="raw_partner_appointments",
                             uri="snowflake://simplepractice/RAW/STAGING/PARTNER_APPOINTMENTS")
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
        return text

    check_landed_day()
