"""Fails: no work at parse time, reload_day is mapped over what days_to_reload returns at run time, a run reloads the 3 days before its logical date with one instance each, summarise posts the total of the three days - the days are computed from the clock when the file is parsed.

The list looks right the day it is written; but it is made every time the scheduler parses the file, from the
wall clock, so a backfill or a rerun of an old date reloads the days before *today*, not before its logical
date."""

from __future__ import annotations

import datetime as dt

import pendulum
from airflow.sdk import DAG, task

TODAY = pendulum.now("UTC")
DAYS = [(TODAY - dt.timedelta(days=back)).date().isoformat() for back in (3, 2, 1)]

with DAG(
    dag_id="partner_late_reload",
    schedule="0 4 * * *",
    start_date=pendulum.datetime(2025, 9, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "data-team", "retries": 2, "retry_delay": dt.timedelta(minutes=5)},
    tags=["partner", "mapping", "pools"],
) as dag:

    @task(pool="partner_api", max_active_tis_per_dag=2)
    def reload_day(day: str) -> int:
        from airflow.providers.snowflake.hooks.snowflake import SnowflakeHook
        from airflow.sdk import Variable

        from solutions.pipeline import extract_and_land

        result = extract_and_land(day, token=Variable.get("partner_api_key"),
                                  connect=SnowflakeHook(snowflake_conn_id="snowflake_default").get_conn)
        return result["records"]

    @task
    def summarise(counts: list[int], logical_date=None) -> str:
        from airflow.sdk import Variable

        from solutions.alerting import post_alert

        text = f"partner_late_reload {logical_date:%Y-%m-%d}: {sum(counts)} appointments reloaded"
        post_alert(text, Variable.get("slack_webhook_url"))
        return text

    summarise(reload_day.expand(day=DAYS))
